"""Training step of biojax's CfC with and without rematerialised steps (``remat=False`` / ``True``).

The evidence behind ``biojax.nn.WiredCfCCell.remat_by_default``: for each shape, one training step
(forward, backward, Adam; MSE on the outputs) is timed with both settings, alternating, and the table
shows the estimated saved values, both medians, their ratio and what ``remat=None`` picks.

    PYTHONPATH=. python benchmarks/remat_choice.py [--threads 1] [--rounds 5]
"""

import argparse

from _timing import limit_threads, median_seconds

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="XLA CPU threads (0: default)")
parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of 3 timed steps per setting")
ARGS = parser.parse_args()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from biojax.nn import CfC, WiredCfCCell  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

# (label, model arguments, batch, steps, inputs, with timespans)
CASES = [
    ("wired AutoNCP(32,4)", {"units": (32, 4)}, 64, 100, 8, False),
    ("wired AutoNCP(32,4), timespans", {"units": (32, 4)}, 64, 100, 8, True),
    ("wired AutoNCP(32,4)", {"units": (32, 4)}, 256, 100, 8, False),
    ("wired AutoNCP(64,8)", {"units": (64, 8)}, 128, 100, 16, False),
    ("wired AutoNCP(128,8)", {"units": (128, 8)}, 64, 100, 16, False),
    ("wired AutoNCP(128,8)", {"units": (128, 8)}, 128, 100, 16, False),
    ("wired AutoNCP(128,8)", {"units": (128, 8)}, 256, 100, 16, False),
    ("wired AutoNCP(128,8), timespans", {"units": (128, 8)}, 256, 100, 16, True),
    ("wired AutoNCP(128,8), no_gate", {"units": (128, 8), "mode": "no_gate"}, 256, 100, 16, False),
    ("wired AutoNCP(128,8), pure", {"units": (128, 8), "mode": "pure"}, 256, 100, 16, False),
    ("dense CfC(32), backbone 64", {"units": 32, "backbone_units": 64}, 64, 100, 8, False),
    ("dense CfC(64), backbone 128", {"units": 64, "backbone_units": 128}, 256, 100, 16, False),
    ("dense CfC(128), backbone 256", {"units": 128, "backbone_units": 256}, 256, 50, 32, False),
]


def build(kwargs: dict, remat: bool) -> CfC:
    units = kwargs["units"]
    units = AutoNCP(*units) if isinstance(units, tuple) else units
    return CfC(**{**kwargs, "units": units}, remat=remat)


def train_step_runner(model: CfC, x: jax.Array, timespans: jax.Array | None):
    variables = jax.jit(model.init)(jax.random.key(0), x)
    y = jnp.zeros(jax.eval_shape(model.apply, variables, x, timespans)[0].shape)
    opt = optax.adam(1e-3)

    @jax.jit
    def step(params, opt_state):
        loss, grads = jax.value_and_grad(
            lambda p: jnp.mean((model.apply({"params": p}, x, timespans)[0] - y) ** 2))(params)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    state = (variables["params"], opt.init(variables["params"]))

    def run():
        jax.block_until_ready(step(*state))

    run()
    return run


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"jax {jax.__version__} on {jax.default_backend()}, threads={ARGS.threads or 'default'}; "
          "one training step, medians over alternating rounds")
    print(f"{'case':34s} {'B':>4s} {'T':>4s} {'saved MiB':>9s} {'remat=False':>11s} {'remat=True':>10s} "
          f"{'True/False':>10s} {'auto':>5s}")
    for label, kwargs, batch, steps, inputs, with_timespans in CASES:
        x = jnp.asarray(rng.normal(size=(batch, steps, inputs)).astype(np.float32))
        timespans = (jnp.asarray(rng.uniform(0.5, 1.5, size=(batch, steps)).astype(np.float32))
                     if with_timespans else None)
        runners = {remat: train_step_runner(build(kwargs, remat), x, timespans) for remat in (False, True)}
        times = {False: [], True: []}
        for _ in range(ARGS.rounds):
            for remat, run in runners.items():
                times[remat].append(median_seconds(run, 3))
        off, on = (1e3 * float(np.median(times[remat])) for remat in (False, True))
        wired = WiredCfCCell(AutoNCP(*kwargs["units"])) if isinstance(kwargs["units"], tuple) else None
        saved = "-" if wired is None else f"{wired.saved_bytes(steps, batch, inputs) / 2**20:.1f}"
        auto = wired is not None and wired.remat_by_default(steps, batch, inputs)
        print(f"{label:34s} {batch:4d} {steps:4d} {saved:>9s} "
              f"{off:9.1f}ms {on:8.1f}ms {on / off:10.2f} {str(auto):>5s}", flush=True)


if __name__ == "__main__":
    main()
