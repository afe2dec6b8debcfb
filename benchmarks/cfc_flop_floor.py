"""Lower bound for the CfC cases of ``liquid_peers.py`` on one CPU core: their matrix-product FLOPs at the core's peak rate.

For each case the script reads the kernel shapes off biojax's own params, counts the multiply-adds of one
training step's matrix products (forward, the weight gradients, and the input gradients that a step needs:
none for the rows that multiply the raw inputs) with the two time heads counted once (biojax folds them when
a sequence has no timespans; keras-ncps runs all four heads as separate products, so it does more), and
divides by the fastest rate one thread reaches on a large square ``jnp.dot``. Nonlinearities, the
optimizer and memory traffic are left out, so no implementation of these dense products runs below the
printed floor on this core; a target under it asks for less arithmetic than the cell is made of.

    PYTHONPATH=. python benchmarks/cfc_flop_floor.py [--threads 1] [--size 512]
"""

import argparse
import os

from _timing import limit_threads, wall_times

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="XLA CPU threads (0: default)")
parser.add_argument("--size", type=int, default=512, help="side of the square product that measures the peak rate")
parser.add_argument("--repeats", type=int, default=10)
ARGS = parser.parse_args()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from biojax.nn import CfC  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

# name, model, batch, steps, inputs: the CfC cases of liquid_peers.py
CASES = [
    ("cfc_small", lambda: CfC(AutoNCP(32, 4, seed=1)), 64, 100, 8),
    ("cfc_large", lambda: CfC(AutoNCP(128, 8, seed=1)), 256, 100, 16),
    ("cfc_dense", lambda: CfC(64, backbone_units=128, backbone_layers=1), 64, 100, 8),
]
INPUT_LAYERS = ("layer_0", "backbone_0")


def step_flops(model, batch: int, inputs: int) -> tuple[float, float]:
    """Forward and training-step matrix-product FLOPs of one time step."""
    params = jax.eval_shape(model.init, jax.random.key(0), jnp.ones((batch, 2, inputs)))["params"]
    forward = backward = 0.0
    for path, leaf in jax.tree_util.tree_leaves_with_path(params):
        names = [getattr(entry, "key", "") for entry in path]
        if names[-1] != "kernel" or "time_b" in names:
            continue
        fan_in, fan_out = leaf.shape
        products = 2.0 * batch * fan_in * fan_out
        input_rows = inputs if any(name in INPUT_LAYERS for name in names) else 0
        forward += products
        backward += products + 2.0 * batch * (fan_in - input_rows) * fan_out
    return forward, forward + backward


def peak_flops_per_second(size: int, repeats: int) -> float:
    a = jax.random.normal(jax.random.key(0), (size, size))
    dot = jax.jit(jnp.dot)
    jax.block_until_ready(dot(a, a))
    return 2.0 * size**3 / min(wall_times(lambda: jax.block_until_ready(dot(a, a)), repeats))


def main() -> None:
    rate = peak_flops_per_second(ARGS.size, ARGS.repeats)
    print(f"jax {jax.__version__}, threads={ARGS.threads or 'default'}, load average {os.getloadavg()[0]:.2f}")
    print(f"peak: {ARGS.size}x{ARGS.size} jnp.dot at {rate / 1e9:.1f} GFLOP/s (fastest of {ARGS.repeats})")
    print(f"{'case':10s} {'fwd GFLOP':>9s} {'fwd floor ms':>12s} {'train GFLOP':>11s} {'train floor ms':>14s}")
    for name, make_model, batch, steps, inputs in CASES:
        forward, train = (steps * flops for flops in step_flops(make_model(), batch, inputs))
        print(f"{name:10s} {forward / 1e9:9.3f} {1e3 * forward / rate:12.1f} {train / 1e9:11.3f} {1e3 * train / rate:14.1f}")


if __name__ == "__main__":
    main()
