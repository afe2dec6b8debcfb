"""What ``save_best`` costs: one bucket trained with and without ``keep_best`` (best-epoch variables carried).

Same trials, same :class:`biojax.search.engine.BucketTrainer` (its default ``eval_mode``, one CPU device per
core as ``biojax search`` sets up), a small dendritic net on MNIST-1D; compile excluded (one warm-up call
per side), the median of ``--repeats`` runs, the two sides interleaved so that a change in load hits both.

    python benchmarks/keep_best_cost.py                 # 64 and 256 trials, 3 epochs
    python benchmarks/keep_best_cost.py --fast          # 8 trials, 1 epoch
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    if args.fast:
        args.trials, args.epochs, args.repeats = [8], 1, 1

    from biojax.search import use_cpu_cores

    use_cpu_cores(None)
    import jax
    import numpy as np

    from biojax.data import load
    from biojax.nn import count_params, dendritic_simple
    from biojax.search.engine import BucketTrainer, SplitData

    data_np = load("mnist1d", seed=0)
    data = SplitData.from_numpy(data_np.x_train, data_np.y_train, data_np.x_val, data_np.y_val,
                                data_np.x_test, data_np.y_test)
    model = dendritic_simple(10, n_neurons=16, n_dendrites=8, n_dendrite_inputs=16)
    print(f"device: {jax.devices()[0].platform} x{len(jax.devices())}; dendritic_simple 16x8x16 "
          f"({count_params(model, tuple(data_np.input_shape))} params); {args.epochs} epochs, batch {args.batch_size}")
    print(f"{'trials':>6} {'plain s':>9} {'keep_best s':>12} {'ratio':>7}")
    for n in args.trials:
        rng = np.random.default_rng(n)
        hp = {"lr": (10 ** rng.uniform(-3.5, -2, n)).astype(np.float32),
              "weight_decay": np.full(n, 0.01, np.float32), "seed": np.arange(n, dtype=np.uint32)}
        trainer = BucketTrainer(max_bucket_size=n)

        def run(keep: bool) -> float:
            start = time.perf_counter()
            trainer.train("bench", model, hp, data, n_epochs=args.epochs, batch_size=args.batch_size, keep_best=keep)
            return time.perf_counter() - start

        run(False), run(True)  # compile both programs
        times = {False: [], True: []}
        for _ in range(args.repeats):
            for keep in (False, True):
                times[keep].append(run(keep))
        plain, keeping = statistics.median(times[False]), statistics.median(times[True])
        print(f"{n:>6} {plain:>9.3f} {keeping:>12.3f} {keeping / plain:>6.3f}x")


if __name__ == "__main__":
    main()
