"""What synaptic resampling costs inside a vmapped bucket of dendritic trials.

One epoch of MNIST-1D (4,000 rows, batch 100, 40 steps) for a bucket of trials of ``dendritic_simple``
(10 neurons x 6 dendrites x 32 inputs), all in one ``jax.jit(jax.vmap(...))``, four ways:

- ``plain``: no post-step hook at all;
- ``fraction 0``: the resampling hook with every trial's fraction 0 (resampling off for all);
- ``mixed``: half the trials resample 25% every 8 steps, half have fraction 0;
- each of the last two with the hook told the vmap axis name (``axis_name``; the rewiring runs only where
  some trial is due) and without it (the ``lax.cond`` turns into a select under ``vmap``, so every step
  computes the rewiring for every trial: biojax's behaviour before the axis name existed).

    PYTHONPATH=. python benchmarks/resampling_cost.py [--trials 16] [--repeats 5] [--threads 1]
"""

import argparse

from _timing import limit_threads, median_seconds

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--trials", type=int, default=16, help="trials in the bucket (default 16)")
parser.add_argument("--repeats", type=int, default=5, help="timed epochs per case (default 5)")
parser.add_argument("--threads", type=int, default=1, help="XLA CPU threads (0: default)")
ARGS = parser.parse_args()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from biojax.data import load  # noqa: E402
from biojax.nn import dendritic_simple  # noqa: E402
from biojax.train import TrainState, make_epoch_fn, resampling_post_step  # noqa: E402

AXIS = "trials"
PERIOD = 8


def bucket_epoch(model, optimizer, x, y, hook: str):
    """``epoch(states, fractions)`` for the whole bucket; ``hook`` is "none", "axis" or "select"."""

    def one(state, fraction):
        post = None if hook == "none" else resampling_post_step(fraction, PERIOD,
                                                                axis_name=AXIS if hook == "axis" else None)
        return make_epoch_fn(model.apply, optimizer, 100, post_step=post)(state, x, y)[0]

    return jax.jit(jax.vmap(one, axis_name=AXIS))


def main() -> None:
    data = load("mnist1d", seed=0)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    model = dendritic_simple(10, n_neurons=10, n_dendrites=6, n_dendrite_inputs=32)
    optimizer = optax.adamw(1e-3, weight_decay=0.01)
    n = ARGS.trials
    states = jax.vmap(lambda k: TrainState.from_variables(model.init(k, x[:1]), optimizer, key=k))(
        jax.random.split(jax.random.key(0), n))
    zeros, mixed = jnp.zeros(n), jnp.where(jnp.arange(n) % 2 == 0, 0.25, 0.0)
    cases = [("plain", "none", zeros), ("fraction 0, axis_name", "axis", zeros),
             ("fraction 0, select", "select", zeros), ("mixed, axis_name", "axis", mixed),
             ("mixed, select", "select", mixed)]
    print(f"jax {jax.__version__} on {jax.default_backend()}; {n} trials, {x.shape[0] // 100} steps per epoch, "
          f"threads={ARGS.threads}")
    print(f"{'case':24s} {'ms/epoch':>9s} {'vs plain':>9s}")
    plain = None
    for label, hook, fractions in cases:
        epoch = bucket_epoch(model, optimizer, x, y, hook)
        jax.block_until_ready(epoch(states, fractions))
        seconds = median_seconds(lambda: jax.block_until_ready(epoch(states, fractions)), ARGS.repeats)
        plain = seconds if plain is None else plain
        print(f"{label:24s} {1e3 * seconds:9.1f} {seconds / plain:8.2f}x", flush=True)


if __name__ == "__main__":
    main()
