"""The ``biojax`` command: one sub-command per capability.

Each module in ``COMMAND_MODULES`` defines ``add_parser(subparsers)``, which adds its sub-command and
sets ``run=<function(args) -> int>`` as the parser default. Modules are imported only when the parser is
built, so ``biojax --help`` stays fast.

Example:
    >>> main(["wiring", "--units", "16", "--outputs", "4", "--inputs", "3"])
    AutoNCP(units=16, output_size=4, sparsity_level=0.5, seed=22222, input_dim=3)
      neurons: 3 sensory, 8 inter, 4 command, 4 motor
      synapses: 28 internal, 13 sensory (density 0.109 internal, 0.271 sensory)
    0
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from biojax._version import __version__

COMMAND_MODULES = ("biojax.cli.wiring", "biojax.cli.env", "biojax.cli.search")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="biojax", description="Bio-inspired neural networks in JAX: wirings, liquid cells, search."
    )
    parser.add_argument("--version", action="version", version=f"biojax {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status (bad arguments exit with status 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (ValueError, TypeError) as error:
        parser.error(str(error))
