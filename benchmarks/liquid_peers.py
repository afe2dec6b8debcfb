"""biojax's liquid networks against both anchors a user could pick: ncps's Keras 3 cells on JAX, ncps on torch.

One training step (forward + backward + Adam, MSE on the motor outputs at every step) and the forward pass
alone, same shapes, same process. Keras runs through ``model.train_on_batch`` / ``predict_on_batch``
(compiled by Keras with ``jit_compile=True``) on the same XLA as biojax; torch runs last, after every JAX
case. Cases: the wired CfC and LTC of ``liquid_step.py`` and a dense ``CfC(units)`` with ncps's 128 x 1
backbone. Keras-ncps LTC training fails on Keras 3.15 (``grad requires real- or complex-valued inputs``),
so its LTC rows time the forward pass only.

    pip install keras ncps torch==2.13.0      # into the benchmark venv, never a biojax dependency
    PYTHONPATH=. KERAS_BACKEND=jax python benchmarks/liquid_peers.py [--threads 1] [--repeats 7] [--only ...]
"""

import argparse
import importlib.util
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

from _timing import limit_threads, median_seconds  # noqa: E402


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for XLA and torch (0: default)")
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per case and library")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--no-torch", action="store_true", help="skip ncps on torch")
    parser.add_argument("--ltc-torch-steps", type=int, default=5,
                        help="time torch's large LTC on this many time steps and scale to 100 (memory)")
    return parser.parse_args()


ARGS = _parse()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from biojax.nn import LTC, CfC  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

# name, cell, units, motor (None: dense CfC with a backbone), batch, steps, inputs
CASES = [
    ("cfc_small", "cfc", 32, 4, 64, 100, 8),
    ("cfc_large", "cfc", 128, 8, 256, 100, 16),
    ("cfc_dense", "cfc", 64, None, 64, 100, 8),
    ("ltc_small", "ltc", 32, 4, 64, 100, 8),
    ("ltc_large", "ltc", 128, 8, 256, 100, 16),
]


def data(batch, steps, inputs, outputs):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((batch, steps, inputs)).astype(np.float32),
            rng.standard_normal((batch, steps, outputs)).astype(np.float32))


def time_biojax(cell, units, motor, batch, steps, inputs):
    if motor is None:
        model = CfC(units, backbone_units=128, backbone_layers=1)
    else:
        model = (CfC if cell == "cfc" else LTC)(AutoNCP(units, motor, seed=1))
    x, y = (jnp.asarray(a) for a in data(batch, steps, inputs, motor or units))
    params = jax.jit(model.init)(jax.random.key(0), x)["params"]
    opt = optax.adam(1e-3)

    def loss(p):
        return jnp.mean((model.apply({"params": p}, x)[0] - y) ** 2)

    @jax.jit
    def train_step(p, s):
        value, grads = jax.value_and_grad(loss)(p)
        updates, s = opt.update(grads, s, p)
        return optax.apply_updates(p, updates), s, value

    forward = jax.jit(lambda p: model.apply({"params": p}, x)[0])
    state = {"p": params, "s": opt.init(params)}

    def step():
        state["p"], state["s"], value = train_step(state["p"], state["s"])
        value.block_until_ready()

    step()
    forward(params).block_until_ready()
    return (median_seconds(step, ARGS.repeats),
            median_seconds(lambda: forward(state["p"]).block_until_ready(), ARGS.repeats))


def time_keras(cell, units, motor, batch, steps, inputs):
    import keras
    from ncps import wirings
    from ncps.keras import LTC as KerasLTC
    from ncps.keras import CfC as KerasCfC

    if motor is None:
        layer = KerasCfC(units, backbone_units=128, backbone_layers=1, return_sequences=True)
    else:
        wiring = wirings.AutoNCP(units, motor, seed=1)
        layer = (KerasCfC if cell == "cfc" else KerasLTC)(wiring, return_sequences=True)
    model = keras.Sequential([keras.Input((steps, inputs)), layer])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", jit_compile=True)
    x, y = data(batch, steps, inputs, motor or units)
    try:
        model.train_on_batch(x, y)
        train = median_seconds(lambda: model.train_on_batch(x, y), ARGS.repeats)
    except TypeError as error:
        print(f"  {cell}: keras-ncps/JAX training fails: {str(error)[:80]}", flush=True)
        train = float("nan")
    model.predict_on_batch(x)
    return train, median_seconds(lambda: model.predict_on_batch(x), ARGS.repeats)


def time_torch(cell, units, motor, batch, steps, inputs):
    import torch
    from ncps import torch as ncps_torch
    from ncps import wirings

    if ARGS.threads > 0:
        torch.set_num_threads(ARGS.threads)
    torch.manual_seed(0)
    if motor is None:
        model = ncps_torch.CfC(inputs, units, backbone_units=128, backbone_layers=1)
    else:
        model = (ncps_torch.CfC if cell == "cfc" else ncps_torch.LTC)(inputs, wirings.AutoNCP(units, motor, seed=1))
    scale = 1.0
    if cell == "ltc" and units >= 128:
        scale, steps = steps / ARGS.ltc_torch_steps, ARGS.ltc_torch_steps
    x, y = (torch.from_numpy(a) for a in data(batch, steps, inputs, motor or units))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = torch.mean((model(x)[0] - y) ** 2)
        loss.backward()
        opt.step()

    def forward():
        with torch.no_grad():
            model(x)

    step()
    repeats = max(2, ARGS.repeats // 3)
    return scale * median_seconds(step, repeats), scale * median_seconds(forward, repeats)


def main() -> None:
    only = set(filter(None, ARGS.only.split(",")))
    cases = [case for case in CASES if not only or case[0] in only]
    print(f"jax {jax.__version__}, python {sys.version.split()[0]}, threads={ARGS.threads or 'default'}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    ours = {case[0]: time_biojax(*case[1:]) for case in cases}
    keras_times = {case[0]: time_keras(*case[1:]) for case in cases}
    with_torch = not ARGS.no_torch and importlib.util.find_spec("torch") is not None
    torch_times = {case[0]: time_torch(*case[1:]) for case in cases} if with_torch else {}
    print(f"load average after the runs {os.getloadavg()[0]:.2f}")
    header = (f"{'case':10s} {'mode':7s} {'biojax ms':>10s} {'keras/JAX ms':>13s} {'ratio':>6s} "
              f"{'torch ms':>9s} {'ratio':>6s}")
    print(header)
    for name, *_ in cases:
        for i, mode in enumerate(("train", "forward")):
            b, k = ours[name][i], keras_times[name][i]
            t = torch_times.get(name, (float("nan"), float("nan")))[i]
            print(f"{name:10s} {mode:7s} {1e3 * b:10.1f} {1e3 * k:13.1f} {k / b:5.1f}x {1e3 * t:9.1f} {t / b:5.1f}x",
                  flush=True)


if __name__ == "__main__":
    main()
