"""``python -m biojax`` runs the ``biojax`` command."""

import sys

from biojax.cli import main

sys.exit(main())
