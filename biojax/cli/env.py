"""``biojax env``: print where biojax runs (platform, versions, JAX backend and devices)."""

from __future__ import annotations

import argparse
import json


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the ``env`` sub-command."""
    parser = subparsers.add_parser("env", help="show platform, versions, JAX backend and devices")
    parser.add_argument("--json", action="store_true", help="print the description as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Prints :func:`biojax.env.describe` (or :func:`biojax.env.info` as JSON)."""
    from biojax.env import describe, info

    print(json.dumps(info(), indent=2) if args.json else describe())
    return 0
