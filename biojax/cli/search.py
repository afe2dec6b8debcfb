"""``biojax search``: a parameter-budget search from the command line.

Without ``--grid``/``--space`` it picks a few structures that fit the budget and gives them ``--trials``
variants of the traced numbers (learning rate, weight decay, resampling fraction, seed), so the run is
a handful of vmapped buckets. It prints a leaderboard, streams results to ``--out`` (JSONL) and draws
accuracy against parameters next to it (``.png``).
"""

from __future__ import annotations

import argparse
import math
import pathlib


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the ``search`` sub-command."""
    parser = subparsers.add_parser("search", help="parameter-budget hyperparameter search (vmapped trials)")
    parser.add_argument("--dataset", default="mnist1d", help="mnist1d (default), digits, mnist, fashion-mnist")
    parser.add_argument("--max-params", type=int, default=8000, help="parameter budget (default 8000)")
    parser.add_argument("--min-param-ratio", type=float, default=0.8, help="lower budget bound (default 0.8)")
    parser.add_argument("--trials", type=int, default=64, help="number of trials (default 64)")
    parser.add_argument("--structures", type=int, default=4, help="structures for the default space (default 4)")
    parser.add_argument("--grid", metavar="FILE.json", help="grid spec: {name: [values, ...]}")
    parser.add_argument("--space", metavar="FILE.json", help="random spec: {name: list | {type: ...}}")
    parser.add_argument("--out", default="results.jsonl", help="results file, JSON lines (default results.jsonl)")
    parser.add_argument("--resume", action="store_true", help="keep finished trials in --out and skip them")
    parser.add_argument("--epochs", type=int, default=15, help="epochs per trial (default 15)")
    parser.add_argument("--batch-size", type=int, default=256, help="batch size (default 256)")
    parser.add_argument("--lr", type=float, default=5e-4, help="default learning rate (default 5e-4)")
    parser.add_argument("--optimizer", choices=("adamw", "bio"), default="adamw",
                        help="adamw (default) or bio: AdamW followed by the paper's bio rules, whose nu and dre "
                        "are searched with the other traced numbers")
    parser.add_argument("--subset-size", type=int, default=None, help="use only this many training rows")
    parser.add_argument("--max-bucket-size", type=int, default=256, help="most trials per compiled call")
    parser.add_argument("--seed", type=int, default=0, help="data, sampling and trial seed (default 0)")
    parser.add_argument("--top", type=int, default=10, help="leaderboard rows (default 10)")
    parser.add_argument("--fast", action="store_true", help="tiny run: 2 epochs, 8 trials, 2 structures")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--cpu-devices", type=int, default=None,
                        help="JAX CPU devices to spread trials over (default: one per available core)")
    parser.add_argument("--compile-cache", metavar="DIR", default=None,
                        help="keep compiled bucket programs in DIR and reuse them in later runs")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Runs the search, prints the leaderboard, writes results and the plot."""
    from biojax._validation import check_int
    from biojax.search.cpu_devices import use_cpu_cores

    if args.cpu_devices is not None:
        check_int("cpu_devices", args.cpu_devices, minimum=1)
    try:
        use_cpu_cores(args.cpu_devices)
    except RuntimeError as error:
        if args.cpu_devices is not None:
            raise ValueError(f"--cpu-devices {args.cpu_devices}: {error}") from None

    if args.compile_cache is not None:
        from biojax.search.compile_cache import use_compile_cache

        use_compile_cache(args.compile_cache)
    from biojax.search.scenarios import budget_structures, traced_variants
    from biojax.search.searcher import HyperparameterSearcher
    from biojax.search.spec_files import load_spec_file

    if args.fast:
        args.epochs, args.trials, args.structures = min(args.epochs, 2), min(args.trials, 8), min(args.structures, 2)
    out = pathlib.Path(args.out)
    grid = load_spec_file(args.grid, "--grid") if args.grid else None
    space = load_spec_file(args.space, "--space") if args.space else None
    searcher = HyperparameterSearcher(
        dataset=args.dataset, max_params=args.max_params, min_param_ratio=args.min_param_ratio,
        n_epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, subset_size=args.subset_size,
        seed=args.seed, verbose=not args.quiet, results_path=out, max_bucket_size=args.max_bucket_size,
        optimizer=args.optimizer, resume=args.resume,
    )
    if grid is not None:
        searcher.grid_search(grid, max_trials=args.trials)
    elif space is not None:
        searcher.random_search(space, n_trials=args.trials)
    else:
        structures = budget_structures(
            args.max_params, math.prod(searcher.input_shape), searcher.n_classes,
            min_param_ratio=args.min_param_ratio, limit=args.structures, seed=args.seed,
        )
        if not structures:
            raise ValueError(f"max_params={args.max_params} leaves no dendritic structure in the budget window")
        searcher.run_configs(traced_variants(structures, args.trials, seed=args.seed, optimizer=args.optimizer))
    print(searcher.format_results(args.top))
    print(f"results: {out} ({len(searcher.results)} trials)")
    if searcher.results:
        import matplotlib

        matplotlib.use("Agg")
        from biojax.viz.search_plots import plot_accuracy_vs_params

        png = out.with_suffix(".png")
        plot_accuracy_vs_params(searcher.results).savefig(png, dpi=120)
        print(f"plot: {png}")
    return 0
