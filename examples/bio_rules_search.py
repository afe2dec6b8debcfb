"""Bio-rule chains against plain AdamW, each found by the same parameter-budget search, then 3 seeds each.

For each dataset (sklearn's digits, MNIST-1D) the same ``biojax search`` default space (a few dendritic
structures in the budget, traced learning rate, weight decay and resampling fraction, seeds) is searched
twice with the same number of trials: once with ``optimizer="adamw"``, once with ``optimizer="bio"``
(AdamW followed by the paper's fuzzy learning rates and rejuvenation, whose ``nu`` and ``dre`` are traced
settings of the same buckets). The best configuration of each search (on validation accuracy) is then
trained again with three new seeds; the table gives test accuracy (mean and sample std) at each run's
best validation epoch.

    python examples/bio_rules_search.py --out results/bio_rules_search      # about 3 minutes, 2-core CPU
"""

import argparse
import json
import math
import pathlib
import statistics
import time

from biojax.search import HyperparameterSearcher, use_cpu_cores
from biojax.search.scenarios import budget_structures, traced_variants

PLAN = {"digits": 4000, "mnist1d": 8000}
SEEDS = (101, 102, 103)


def search(dataset: str, budget: int, optimizer: str, trials: int, structures: int, epochs: int, out: pathlib.Path):
    searcher = HyperparameterSearcher(dataset, max_params=budget, n_epochs=epochs, optimizer=optimizer, verbose=False,
                                      results_path=out / f"{dataset}_{optimizer}.jsonl")
    picked = budget_structures(budget, math.prod(searcher.input_shape), searcher.n_classes, limit=structures, seed=0)
    searcher.run_configs(traced_variants(picked, trials, seed=0, optimizer=optimizer))
    best = searcher.get_best_results(1)[0]
    reruns = searcher.run_configs([{**best.params, "seed": seed} for seed in SEEDS])
    return best, reruns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for tests (seconds)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="output folder")
    parser.add_argument("--trials", type=int, default=32, help="trials per search (default 32)")
    parser.add_argument("--epochs", type=int, default=15, help="epochs per trial (default 15)")
    args = parser.parse_args()
    use_cpu_cores()
    args.out.mkdir(parents=True, exist_ok=True)
    trials, structures, epochs = (4, 1, 1) if args.fast else (args.trials, 4, args.epochs)
    plan = {"digits": PLAN["digits"]} if args.fast else PLAN
    rows = []
    for dataset, budget in plan.items():
        for optimizer in ("adamw", "bio"):
            start = time.perf_counter()
            best, reruns = search(dataset, budget, optimizer, trials, structures, epochs, args.out)
            tests = [r.test_accuracy for r in reruns]
            rows.append({"dataset": dataset, "budget": budget, "optimizer": optimizer, "trials": trials,
                         "epochs": epochs, "search_val_accuracy": best.val_accuracy, "params": best.total_params,
                         "config": best.params, "test_accuracy": tests, "seconds": time.perf_counter() - start})
            spread = statistics.stdev(tests) if len(tests) > 1 else float("nan")
            print(f"{dataset:8s} {optimizer:6s} best val {best.val_accuracy:.4f} ({best.total_params} params); "
                  f"3 seeds test {100 * statistics.mean(tests):.1f} ± {100 * spread:.1f} %", flush=True)
    (args.out / "bio_rules_search.json").write_text(json.dumps(rows, indent=2, sort_keys=True))
    print("| dataset | budget | optimizer | params | search best val | test acc %, 3 seeds (mean ± std) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        tests = row["test_accuracy"]
        spread = statistics.stdev(tests) if len(tests) > 1 else float("nan")
        print(f"| {row['dataset']} | {row['budget']} | {row['optimizer']} | {row['params']} | "
              f"{row['search_val_accuracy']:.4f} | {100 * statistics.mean(tests):.1f} ± {100 * spread:.1f} |")


if __name__ == "__main__":
    main()
