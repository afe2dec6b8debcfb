"""Ray Tune over biojax buckets: one Ray trial trains one bucket (a structure x many traced variants).

Each Ray Tune trial gets a structure (layer sizes) and trains ``--variants`` settings of the traced
numbers (learning rate, weight decay, resampling fraction, seed) as one vmapped bucket with
:class:`biojax.search.HyperparameterSearcher`, then reports the bucket's best validation accuracy. Ray is
optional (``pip install "ray[tune]"``); without it the script says so and runs the same trainable
locally, one bucket after another.

    python examples/ray_tune_search.py --fast --out /tmp/ray_search
"""

import argparse
import json
import math
import pathlib

from biojax.search import HyperparameterSearcher
from biojax.search.scenarios import budget_structures, traced_variants


def bucket_trainable(config: dict) -> dict:
    """Trains one bucket; returns (and reports to Ray, when under Ray) its best result."""
    searcher = HyperparameterSearcher(dataset=config["dataset"], max_params=config["max_params"],
                                      n_epochs=config["epochs"], verbose=False)
    results = searcher.run_configs(traced_variants([config["structure"]], config["variants"],
                                                   seed=config["seed"], resampling=(True,)))
    best = searcher.get_best_results(1)
    metrics = {"val_accuracy": best[0].val_accuracy if best else 0.0,
               "test_accuracy": best[0].test_accuracy if best else 0.0,
               "total_params": results[0].total_params if results else 0,
               "best_lr": best[0].params["lr"] if best else float("nan")}
    return metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--out", default="ray_search")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    epochs, variants, n_structures = (1, 4, 2) if args.fast else (10, 32, 4)
    probe = HyperparameterSearcher(dataset="mnist1d", verbose=False)
    structures = budget_structures(8000, math.prod(probe.input_shape), probe.n_classes, limit=n_structures)
    base = {"dataset": "mnist1d", "max_params": 8000, "epochs": epochs, "variants": variants, "seed": 0}
    try:
        from ray import tune
    except ImportError:
        tune = None
        print("ray is not installed (pip install 'ray[tune]'): running the same bucket trainable locally, "
              "without Ray Tune")
    if tune is None:
        rows = [{"structure": s, **bucket_trainable({**base, "structure": s})} for s in structures]
    else:
        def ray_trainable(config):
            metrics = bucket_trainable(config)
            report = getattr(tune, "report", None)
            if report is None:
                from ray import train as ray_train

                report = ray_train.report
            report(metrics)

        space = {**base, "structure": tune.grid_search(structures)}
        grid = tune.Tuner(ray_trainable, param_space=space,
                          tune_config=tune.TuneConfig(metric="val_accuracy", mode="max")).fit()
        rows = [{"structure": r.config["structure"], **{k: r.metrics[k] for k in
                 ("val_accuracy", "test_accuracy", "total_params", "best_lr")}} for r in grid]
    rows.sort(key=lambda row: -row["val_accuracy"])
    for row in rows:
        s = row["structure"]
        print(f"val {row['val_accuracy']:.3f} test {row['test_accuracy']:.3f} params {row['total_params']:>5} "
              f"n_neurons={s['n_neurons']} n_dendrites={s['n_dendrites']} k={s['n_dendrite_inputs']} "
              f"lr={row['best_lr']:.2g}")
    (out / "ray_tune_buckets.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
