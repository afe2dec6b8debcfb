"""The ``biojax`` command: one sub-command per capability.

Each module in ``COMMAND_MODULES`` defines ``add_parser(subparsers)``, which adds its sub-command and
sets ``run=<function(args) -> int>`` as the parser default. Those modules import only the standard
library at the top (JAX, NumPy and the extras are imported by ``run``), so ``biojax --help`` stays fast.

A user's mistake never ends in a traceback: a bad flag value, or a ``ValueError`` that ``run`` raises
(each names the flag, the value and what is allowed), prints the sub-command's usage and the message
(exit status 2); a missing optional dependency prints one line naming the extra to install (exit status 1).

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
import sys
from collections.abc import Sequence

from biojax._version import __version__

COMMAND_MODULES = ("biojax.cli.wiring", "biojax.cli.env", "biojax.cli.search")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered.

    Example:
        >>> sorted(build_parser().parse_args(["env"]).__dict__)
        ['command', 'command_parser', 'json', 'run']
    """
    parser = argparse.ArgumentParser(
        prog="biojax", description="Bio-inspired neural networks in JAX: wirings, liquid cells, search."
    )
    parser.add_argument("--version", action="version", version=f"biojax {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(subparsers)
    for command_parser in subparsers.choices.values():
        command_parser.set_defaults(command_parser=command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status (bad arguments exit with status 2).

    Example:
        >>> main(["search", "--trials", "0"])
        Traceback (most recent call last):
        ...
        SystemExit: 2
    """
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ImportError as error:
        from biojax.data.optional import MissingExtraError

        if not isinstance(error, MissingExtraError):
            raise
        print(error, file=sys.stderr)
        return 1
    except ValueError as error:
        args.command_parser.error(str(error))
