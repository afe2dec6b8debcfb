"""``biojax search``: a parameter-budget search from the command line.

Without ``--grid``/``--space`` it picks a few structures that fit the budget and gives them ``--trials``
variants of the traced numbers (learning rate, weight decay, resampling fraction, seed), so the run is
a handful of vmapped buckets. It prints a leaderboard, streams results to ``--out`` (JSONL) and draws
accuracy against parameters next to it (``.png``); ``--save-best DIR`` keeps the best trial's model
(:func:`biojax.search.load_best`). Flag values are checked when the command line is read;
what can only be checked later (the dataset's files, the budget) is reported under the flag's name.
"""

from __future__ import annotations

import argparse

from biojax.cli.arguments import (
    in_flag_words,
    int_at_least,
    json_object_file,
    new_directory_path,
    number_in,
    one_of,
    writable_file,
)
from biojax.cli.search_setup import (
    MODELS,
    OPTIMIZER_NAMES,
    TRAINING_DEFAULTS,
    check_spec,
    default_configs,
    load_dataset,
    require_search_extras,
    training_defaults,
)


def _dataset_names() -> tuple[str, ...]:
    from biojax.data.registry import KNOWN_DATASETS

    return KNOWN_DATASETS


def _check_spec_flag(args: argparse.Namespace, input_shape: tuple[int, ...] | None = None) -> None:
    if args.grid is not None:
        check_spec("--grid", args.grid, grid=True, model=args.model, input_shape=input_shape)
    elif args.space is not None:
        check_spec("--space", args.space, grid=False, model=args.model, input_shape=input_shape)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Registers the ``search`` sub-command."""
    parser = subparsers.add_parser("search", help="parameter-budget hyperparameter search (vmapped trials)")
    positive, count = int_at_least(1), int_at_least(0)
    parser.add_argument("--dataset", type=one_of(_dataset_names), default="mnist1d",
                        help="mnist1d (default), digits, mnist, fashion-mnist (IDX files: see --data-dir)")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="folder with the four IDX files of mnist / fashion-mnist "
                             "(default $BIOJAX_DATA_DIR/<dataset> or ~/.cache/biojax/<dataset>)")
    parser.add_argument("--max-params", type=positive, default=8000, help="parameter budget (default 8000)")
    parser.add_argument("--min-param-ratio", type=number_in(0.0, 1.0), default=0.8,
                        help="lower budget bound as a fraction of --max-params (default 0.8)")
    parser.add_argument("--trials", type=positive, default=64, help="number of trials (default 64)")
    parser.add_argument("--structures", type=positive, default=4, help="structures for the default space (default 4)")
    spec = parser.add_mutually_exclusive_group()
    spec.add_argument("--grid", metavar="FILE.json", type=json_object_file, help="grid spec: {name: [values, ...]}")
    spec.add_argument("--space", metavar="FILE.json", type=json_object_file,
                      help="random spec: {name: list | {type: ...}}")
    parser.add_argument("--out", type=writable_file, default="results.jsonl",
                        help="results file, JSON lines (default results.jsonl)")
    parser.add_argument("--resume", action="store_true", help="keep finished trials in --out and skip them")
    parser.add_argument("--save-best", metavar="DIR", type=new_directory_path, default=None,
                        help="keep the best trial's variables, settings and result in DIR (a checkpoint, replaced "
                        "atomically when a bucket beats it); biojax.search.load_best(DIR) gives (model, variables)")
    parser.add_argument("--epochs", type=positive, default=None,
                        help=f"epochs per trial (default {TRAINING_DEFAULTS['dendritic']['epochs']} for dendritic, "
                        f"{TRAINING_DEFAULTS['cfc']['epochs']} for cfc/ltc)")
    parser.add_argument("--batch-size", type=positive, default=None,
                        help=f"batch size (default {TRAINING_DEFAULTS['dendritic']['batch_size']} for dendritic, "
                        f"{TRAINING_DEFAULTS['cfc']['batch_size']} for cfc/ltc)")
    parser.add_argument("--lr", type=number_in(0.0, low_inclusive=False), default=5e-4,
                        help="default learning rate (default 5e-4)")
    parser.add_argument("--model", type=one_of(lambda: MODELS), default="dendritic",
                        help="dendritic (default): the seed's dendritic networks; cfc or ltc: NCP-wired liquid "
                        "networks on sequences")
    parser.add_argument("--optimizer", type=one_of(lambda: OPTIMIZER_NAMES), default=None,
                        help="adamw (default for dendritic), cosine (AdamW with warm-up, cosine decay and "
                        "clipping; default for cfc/ltc) or bio (AdamW then the paper's bio rules, whose nu and "
                        "dre are searched with the other traced numbers)")
    parser.add_argument("--subset-size", type=positive, default=None, help="use only this many training rows")
    parser.add_argument("--max-bucket-size", type=positive, default=256, help="most trials per compiled call")
    parser.add_argument("--seed", type=count, default=0, help="data, sampling and trial seed (default 0)")
    parser.add_argument("--top", type=positive, default=10, help="leaderboard rows (default 10)")
    parser.add_argument("--fast", action="store_true", help="tiny run: 2 epochs, 8 trials, 2 structures")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--cpu-devices", type=positive, default=None,
                        help="JAX CPU devices to spread trials over (default: one per available core)")
    parser.add_argument("--compile-cache", metavar="DIR", default=None,
                        help="keep compiled bucket programs in DIR and reuse them in later runs")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Runs the search, prints the leaderboard, writes results and the plot."""
    require_search_extras(args.dataset)
    _check_spec_flag(args)
    from biojax.search.cpu_devices import use_cpu_cores

    try:
        use_cpu_cores(args.cpu_devices)
    except RuntimeError as error:
        if args.cpu_devices is not None:
            raise ValueError(f"--cpu-devices {args.cpu_devices}: {error}") from None
    if args.compile_cache is not None:
        from biojax.search.compile_cache import use_compile_cache

        use_compile_cache(args.compile_cache)
    from biojax.search.searcher import HyperparameterSearcher

    training_defaults(args)
    if args.fast:
        args.epochs, args.trials, args.structures = min(args.epochs, 2), min(args.trials, 8), min(args.structures, 2)
    liquid = args.model != "dendritic"
    optimizer = args.optimizer or ("cosine" if liquid else "adamw")
    dataset = load_dataset(args.dataset, args.data_dir, seed=args.seed, subset_size=args.subset_size,
                           as_sequence=liquid)
    _check_spec_flag(args, dataset.input_shape)  # now also against the dataset's input width (fan-in)
    configs = default_configs(args, dataset, optimizer) if args.grid is None and args.space is None else None
    try:
        searcher = HyperparameterSearcher(
            dataset=dataset, max_params=args.max_params, min_param_ratio=args.min_param_ratio,
            n_epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, subset_size=args.subset_size,
            seed=args.seed, verbose=not args.quiet, results_path=args.out, max_bucket_size=args.max_bucket_size,
            architecture="dendritic_simple" if not liquid else args.model, optimizer=optimizer,
            resume=args.resume, save_best=args.save_best,
        )
    except ValueError as error:
        raise in_flag_words(error, {"save_best": "--save-best"}) from None
    if args.grid is not None:
        searcher.grid_search(args.grid, max_trials=args.trials)
    elif args.space is not None:
        searcher.random_search(args.space, n_trials=args.trials)
    else:
        searcher.run_configs(configs)
    print(searcher.format_results(args.top))
    print(f"results: {args.out} ({len(searcher.results)} trials)")
    if args.save_best is not None and searcher.best_keeper.saved is not None:
        print(f"best model: {args.save_best} (trial {searcher.best_keeper.saved.trial_id}; "
              f"biojax.search.load_best({str(args.save_best)!r}))")
    if searcher.results:
        import matplotlib

        matplotlib.use("Agg")
        from biojax.viz.search_plots import plot_accuracy_vs_params

        png = args.out.with_suffix(".png")
        budget = (args.min_param_ratio * args.max_params, args.max_params)
        plot_accuracy_vs_params(searcher.results, budget=budget).savefig(png, dpi=120)
        print(f"plot: {png}")
    return 0
