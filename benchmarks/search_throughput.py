"""Search throughput: one bucket of N trials with jit(vmap(train)) against the same trials one by one.

Both sides train the same trials on a small dendritic net (``biojax.nn.dendritic_simple``) and
MNIST-1D: the vmapped side is one :class:`biojax.search.engine.BucketTrainer` call (its default
``eval_mode``), the sequential side one ``jax.jit`` of :func:`biojax.search.engine.make_trial_fn` called
once per trial (compiled once: the hyperparameters are traced) on the default device. On a CPU, JAX
gets one device per core first (``--cpu-devices``, as ``biojax search`` does), so the bucket's trials
are sharded over the cores while the sequential loop, like a plain loop of calls, uses one. Compile
time is excluded on both sides (one warm-up call each); times are wall clock after
``block_until_ready``, the median of ``--repeats`` runs of each side.

    python benchmarks/search_throughput.py            # 1, 8, 64, 256 trials, 3 epochs
    python benchmarks/search_throughput.py --cpu-devices 1   # the bucket on one CPU device
    python benchmarks/search_throughput.py --fast     # 1 and 8 trials, 1 epoch
"""

from __future__ import annotations

import argparse
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

from _timing import median_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, nargs="+", default=[1, 8, 64, 256])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side; the median counts")
    parser.add_argument("--fast", action="store_true")
    parser.add_argument("--cpu-devices", type=int, default=None,
                        help="JAX CPU devices the bucket is sharded over (default: one per core, as `biojax search`)")
    parser.add_argument("--out", default=None, help="directory for results.json")
    args = parser.parse_args()
    if args.fast:
        args.trials, args.epochs, args.repeats = [1, 8], 1, 1

    from biojax.search import use_cpu_cores

    use_cpu_cores(args.cpu_devices)
    from biojax.data import load
    from biojax.nn import count_params, dendritic_simple
    from biojax.search.engine import BucketTrainer, SplitData, make_trial_fn

    data_np = load("mnist1d", seed=0)
    data = SplitData.from_numpy(data_np.x_train, data_np.y_train, data_np.x_val, data_np.y_val,
                                data_np.x_test, data_np.y_test)
    model = dendritic_simple(10, n_neurons=16, n_dendrites=8, n_dendrite_inputs=16)
    n_params = count_params(model, tuple(data_np.input_shape))
    print(f"device: {jax.devices()[0].platform} x{len(jax.devices())}; model dendritic_simple 16x8x16 "
          f"({n_params} params); mnist1d train {len(data_np.x_train)}; {args.epochs} epochs, batch {args.batch_size}; "
          f"bucket over {len(jax.local_devices())} device(s), evaluation {BucketTrainer().eval_mode!r}")
    single = jax.jit(make_trial_fn(model, n_epochs=args.epochs, batch_size=args.batch_size))
    rows = []
    print(f"{'trials':>6} {'vmap s':>9} {'seq s':>9} {'vmap trials/s':>14} {'seq trials/s':>13} {'speed-up':>9}")
    for n in args.trials:
        rng = np.random.default_rng(n)
        hp = {"lr": (10 ** rng.uniform(-3.5, -2, n)).astype(np.float32),
              "weight_decay": np.full(n, 0.01, np.float32), "seed": np.arange(n, dtype=np.uint32)}
        trainer = BucketTrainer(max_bucket_size=max(args.trials))
        trainer.train("bench", model, hp, data, n_epochs=args.epochs, batch_size=args.batch_size)  # compile
        vmap_s = median_seconds(
            lambda: trainer.train("bench", model, hp, data, n_epochs=args.epochs, batch_size=args.batch_size),
            args.repeats,
        )
        one = {k: jnp.asarray(v[0]) for k, v in hp.items()}
        jax.block_until_ready(single(one, data))  # compile

        def sequential():
            for i in range(n):
                jax.block_until_ready(single({k: jnp.asarray(v[i]) for k, v in hp.items()}, data))

        seq_s = median_seconds(sequential, args.repeats)
        rows.append({"trials": n, "vmap_s": vmap_s, "sequential_s": seq_s, "speedup": seq_s / vmap_s})
        print(f"{n:>6} {vmap_s:>9.3f} {seq_s:>9.3f} {n / vmap_s:>14.1f} {n / seq_s:>13.1f} {seq_s / vmap_s:>8.2f}x")
    if len(rows) > 1:
        print(f"vmap: {rows[-1]['trials']} trials took {rows[-1]['vmap_s'] / rows[0]['vmap_s']:.2f}x "
              f"the time of {rows[0]['trials']}")
    if args.out:
        path = pathlib.Path(args.out)
        path.mkdir(parents=True, exist_ok=True)
        (path / "search_throughput.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
