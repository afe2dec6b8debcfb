"""Floor for the large wired CfC training step on CPU: its matrix products alone, forward and backward.

Runs the same per-step products as ``CfC(AutoNCP(128, 8))`` on batch 256, 100 steps, 16 inputs (one joined
``[inputs, state] @ kernel`` per wiring layer, ``--heads`` wide: 3 when the sequence has no timespans and
the gate heads are folded, 4 with timespans) inside a ``jax.lax.scan``, differentiates
it, and drops every nonlinearity, so the time is what the products and the scan's residuals cost by
themselves. Compare with the full step of ``benchmarks/liquid_step.py --only cfc_large`` (same threading).

    PYTHONPATH=. python benchmarks/cfc_products_floor.py [--threads 1]
"""

import argparse
import statistics
import time

from _timing import limit_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="XLA CPU threads (0: default)")
parser.add_argument("--repeats", type=int, default=7)
parser.add_argument("--heads", type=int, default=3, help="head blocks per layer product (3: no timespans, 4: with)")
ARGS = parser.parse_args()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from biojax.nn import WiredCfCCell  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

BATCH, STEPS, INPUTS = 256, 100, 16


def main() -> None:
    sizes = WiredCfCCell(AutoNCP(128, 8)).layer_sizes(INPUTS)
    fan_ins = [INPUTS + sizes[0]] + [previous + size for previous, size in zip(sizes, sizes[1:])]
    rng = np.random.default_rng(0)
    kernels = [jnp.asarray(0.05 * rng.normal(size=(n_in, ARGS.heads * n)).astype(np.float32)) for n_in, n in zip(fan_ins, sizes)]
    xs = jnp.asarray(rng.normal(size=(STEPS, BATCH, INPUTS)).astype(np.float32))

    def loss(kernels, xs):
        def step(states, x):
            new_states = []
            for kernel, state, size in zip(kernels, states, sizes):
                x = (jnp.concatenate([x, state], -1) @ kernel)[:, :size]
                new_states.append(x)
            return new_states, x

        _, outputs = jax.lax.scan(step, [jnp.zeros((BATCH, n)) for n in sizes], xs)
        return jnp.sum(outputs**2)

    grad = jax.jit(jax.grad(loss))
    jax.block_until_ready(grad(kernels, xs))
    times = []
    for _ in range(ARGS.repeats):
        start = time.perf_counter()
        jax.block_until_ready(grad(kernels, xs))
        times.append(time.perf_counter() - start)
    print(f"layers {sizes}, fan-ins {fan_ins}, {ARGS.heads} heads; products only, forward + backward, "
          f"threads={ARGS.threads or 'default'}: median {1e3 * statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
