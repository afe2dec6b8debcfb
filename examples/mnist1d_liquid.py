"""MNIST-1D with the liquid-network recipe that ``biojax search --model cfc`` found, over several seeds.

MNIST-1D (Greydanus 2020; the ``mnist1d`` package generates it offline) has 4000 training and 1000 test
sequences of 40 steps with one channel; 400 of the training sequences are held out for validation. The
recipe is the best trial (on validation) of the README's search, ``biojax search --dataset mnist1d --model
cfc --max-params 5000 --trials 16 --structures 1 --epochs 100`` (README, "Liquid networks in the search"): an NCP-wired
CfC, ``AutoNCP(26, 4, sparsity_level=0.1)`` with ncps's mixed memory and a ``proj_size=10`` read-out (4,802
parameters), AdamW with a warm-up + cosine schedule and gradient clipping, 100 epochs at batch 32, here with
new seeds. The same budget buys an LTC ``AutoNCP(24, 10, sparsity_level=0.1)`` with mixed memory (4,990
parameters), trained with the same recipe. All seeds of a model train together as one vmapped bucket; each seed's test
accuracy is taken at its best validation epoch. The paper reports GRU 91%, CNN 94%, MLP 68%.

    python examples/mnist1d_liquid.py [--models cfc,ltc] [--seeds 3] [--epochs 100] [--out DIR] [--fast]
"""

import argparse
import pathlib
import statistics
import time

from biojax.search import HyperparameterSearcher

RECIPE = {"mixed_memory": True, "sparsity_level": 0.1, "lr": 0.00793, "weight_decay": 1.74e-4, "clip_norm": 1.14,
          "warmup_fraction": 0.0995, "end_lr_fraction": 0.0949}
MODELS = {"cfc": {"architecture": "cfc", "units": 26, "output_size": 4, "proj_size": 10},
          "ltc": {"architecture": "ltc", "units": 24, "output_size": 10}}
EPOCHS, BATCH_SIZE = 100, 32
FIRST_SEED = 100  # new seeds: the search's trials used seeds 0 to 63


def run(model: str, seeds: int, epochs: int, out: pathlib.Path, fast: bool) -> dict:
    """Trains ``seeds`` seeds of the recipe for ``model``; returns their test accuracies and the time."""
    searcher = HyperparameterSearcher("mnist1d", architecture=model, optimizer="cosine", max_params=5000,
                                      min_param_ratio=0.0, n_epochs=epochs, batch_size=BATCH_SIZE,
                                      subset_size=300 if fast else None, verbose=False,
                                      results_path=out / f"mnist1d_{model}.jsonl")
    start = time.perf_counter()
    results = searcher.run_configs([{**RECIPE, **MODELS[model], "seed": FIRST_SEED + i} for i in range(seeds)])
    tests = [r.test_accuracy for r in results]
    return {"model": model, "params": results[0].total_params, "tests": tests,
            "vals": [r.val_accuracy for r in results], "seconds": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for the test suite (300 rows, 1 epoch)")
    parser.add_argument("--out", default="results", help="folder for the results files (JSON lines)")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--models", default="cfc,ltc", help="comma-separated: cfc, ltc")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    epochs, seeds = (1, 2) if args.fast else (args.epochs, args.seeds)
    print(f"{'model':5s} {'params':>6s}  test accuracy per seed (at the best validation epoch)  mean ± std  time")
    for model in args.models.split(","):
        r = run(model, seeds, epochs, out, args.fast)
        spread = statistics.stdev(r["tests"]) if len(r["tests"]) > 1 else 0.0
        print(f"{model:5s} {r['params']:6d}  {' '.join(f'{t:.3f}' for t in r['tests'])}  "
              f"{statistics.mean(r['tests']):.3f} ± {spread:.3f}  {r['seconds']:.0f} s", flush=True)
    print("MNIST-1D paper: GRU 0.91, CNN 0.94, MLP 0.68; torch GRU-64: benchmarks/mnist1d_anchors.py")


if __name__ == "__main__":
    main()
