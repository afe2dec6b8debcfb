"""``biojax wiring``: build an AutoNCP wiring, print its structure and optionally draw it."""

from __future__ import annotations

import argparse

from biojax.cli.arguments import in_flag_words, int_at_least, writable_file

FLAGS = {"units": "--units", "output_size": "--outputs", "input_dim": "--inputs", "sparsity_level": "--sparsity",
         "seed": "--seed"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the ``wiring`` sub-command."""
    parser = subparsers.add_parser("wiring", help="build an AutoNCP wiring and describe it")
    parser.add_argument("--units", type=int_at_least(1), default=16, help="total neurons (default 16)")
    parser.add_argument("--outputs", type=int_at_least(1), default=4, help="motor neurons (default 4)")
    parser.add_argument("--inputs", type=int_at_least(1), default=3, help="input features (default 3)")
    parser.add_argument("--sparsity", type=float, default=0.5, help="sparsity level in [0.1, 1] (default 0.5)")
    parser.add_argument("--seed", type=int_at_least(0), default=22222, help="wiring seed (default 22222)")
    parser.add_argument("--draw", metavar="PNG", type=writable_file, help="also draw the wiring into this PNG file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Builds the wiring, prints a summary, draws it when asked."""
    import numpy as np

    from biojax.wiring.ncp import AutoNCP

    if args.draw:
        from biojax.data.optional import require

        require(["matplotlib"], "biojax wiring --draw")
    try:
        wiring = AutoNCP(args.units, args.outputs, sparsity_level=args.sparsity, seed=args.seed).build(args.inputs)
    except (ValueError, TypeError) as error:
        raise in_flag_words(error, FLAGS) from None
    sizes = [len(wiring.get_neurons_of_layer(layer)) for layer in range(wiring.num_layers)]
    internal = wiring.synapse_count / wiring.units**2
    sensory = wiring.sensory_synapse_count / np.prod(wiring.sensory_adjacency_matrix.shape)
    print(wiring)
    print(f"  neurons: {wiring.input_dim} sensory, {sizes[0]} inter, {sizes[1]} command, {sizes[2]} motor")
    print(f"  synapses: {wiring.synapse_count} internal, {wiring.sensory_synapse_count} sensory "
          f"(density {internal:.3f} internal, {sensory:.3f} sensory)")
    if args.draw:
        import matplotlib

        matplotlib.use("Agg")
        from biojax.viz import draw_wiring

        draw_wiring(wiring).savefig(args.draw, dpi=120)
        print(f"  drawing: {args.draw}")
    return 0
