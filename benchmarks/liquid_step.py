"""One training step (forward, backward, Adam) of biojax's LTC and wired CfC against ncps 1.0.1.

Shapes from issue 3: ``AutoNCP(32, 4)``, batch 64, 100 steps, 8 inputs, and ``AutoNCP(128, 8)``,
batch 256, 100 steps, 16 inputs; loss = mean squared error of the motor outputs at every step.
ncps (torch) is timed in the same run when it is importable, after every biojax case; otherwise
only biojax is timed.

    PYTHONPATH=.:/path/to/torch-venv/site-packages python benchmarks/liquid_step.py [--threads 1]
    ... liquid_step.py --cpu-devices 2   # biojax on both cores of a 2-core CPU (ncps keeps 1 thread)
"""

import argparse
import importlib.util
import sys
import time

from _timing import limit_threads, median_seconds


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for torch and XLA (0: default)")
    parser.add_argument(
        "--cpu-devices", type=int, default=1,
        help="split biojax's batch over this many JAX CPU devices (data parallel, --threads each); "
        "ncps keeps its --threads",
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per case (after warm-up)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (ncps side); JAX uses its default")
    parser.add_argument("--only", default="", help="comma-separated case names to run")
    parser.add_argument(
        "--ncps-max-steps", type=int, default=100,
        help="time ncps's large LTC on at most this many time steps and scale linearly to 100 "
        "(its autograd graph needs ~0.6 GB per time step; 100 steps do not fit in 23 GB)",
    )
    return parser.parse_args()


ARGS = _parse()
if ARGS.device == "cpu":
    limit_threads(ARGS.threads, cores=ARGS.threads * ARGS.cpu_devices)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from biojax.nn import LTC, CfC  # noqa: E402
from biojax.search import use_cpu_cores  # noqa: E402
from biojax.train import data_parallel_value_and_grad  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

CASES = [
    ("ltc_small", "LTC", 32, 4, 64, 100, 8),
    ("cfc_small", "CfC", 32, 4, 64, 100, 8),
    ("ltc_large", "LTC", 128, 8, 256, 100, 16),
    ("cfc_large", "CfC", 128, 8, 256, 100, 16),
]


def time_biojax(kind, units, motor, batch, steps, inputs, repeats):
    model = (LTC if kind == "LTC" else CfC)(AutoNCP(units, motor))
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(batch, steps, inputs)).astype(np.float32))
    y = jnp.asarray(rng.normal(size=(batch, steps, motor)).astype(np.float32))
    params = jax.jit(model.init)(jax.random.key(0), x)["params"]
    opt = optax.adam(1e-3)

    def mse(p, x, y):
        return jnp.mean((model.apply({"params": p}, x)[0] - y) ** 2)

    value_and_grad = data_parallel_value_and_grad(mse) if len(jax.devices()) > 1 else jax.value_and_grad(mse)

    @jax.jit
    def train_step(params, opt_state, x, y):
        loss, grads = value_and_grad(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    state = {"p": params, "s": opt.init(params)}

    def step():
        state["p"], state["s"], loss = train_step(state["p"], state["s"], x, y)
        loss.block_until_ready()

    start = time.perf_counter()
    step()
    compile_s = time.perf_counter() - start
    return median_seconds(step, repeats), compile_s


def time_ncps(kind, units, motor, batch, steps, inputs, repeats, device):
    import torch
    from ncps import torch as ncps_torch
    from ncps import wirings

    if ARGS.threads > 0 and device == "cpu":
        torch.set_num_threads(ARGS.threads)
    torch.manual_seed(0)
    cls = ncps_torch.LTC if kind == "LTC" else ncps_torch.CfC
    model = cls(inputs, wirings.AutoNCP(units, motor)).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, steps, inputs, device=device)
    y = torch.randn(batch, steps, motor, device=device)

    def step():
        opt.zero_grad()
        loss = torch.mean((model(x)[0] - y) ** 2)
        loss.backward()
        opt.step()
        if device == "cuda":
            torch.cuda.synchronize()

    step()
    return median_seconds(step, repeats)


def main() -> None:
    # Every biojax case runs before torch is imported or runs, so torch's thread pools and allocations
    # cannot disturb the biojax timings (ncps runs last, in a process where JAX sits idle).
    have_ncps = all(importlib.util.find_spec(name) is not None for name in ("ncps", "torch"))
    only = set(filter(None, ARGS.only.split(",")))
    cases = [case for case in CASES if not only or case[0] in only]
    if ARGS.device == "cpu":
        use_cpu_cores(ARGS.cpu_devices)
    print(f"jax {jax.__version__} on {jax.devices()[0].platform} x{len(jax.devices())} (biojax's batch split "
          f"over them); threads={ARGS.threads or 'default'}; python {sys.version.split()[0]}")
    ours = {case[0]: time_biojax(*case[1:], ARGS.repeats) for case in cases}
    print(f"{'case':10s} {'shape':34s} {'biojax ms':>10s} {'compile s':>9s} {'ncps ms':>9s} {'speed-up':>8s}")
    for name, kind, units, motor, batch, steps, inputs in cases:
        step_s, compile_s = ours[name]
        shape = f"AutoNCP({units},{motor}) B{batch} T{steps} in{inputs}"
        if have_ncps:
            repeats = max(2, ARGS.repeats // 4) if name == "ltc_large" else ARGS.repeats
            ncps_steps = min(steps, ARGS.ncps_max_steps) if name == "ltc_large" else steps
            theirs = time_ncps(kind, units, motor, batch, ncps_steps, inputs, repeats, ARGS.device)
            theirs *= steps / ncps_steps
            note = "" if ncps_steps == steps else f"  (ncps timed on {ncps_steps} steps, scaled x{steps / ncps_steps:g})"
            print(f"{name:10s} {shape:34s} {step_s * 1e3:10.1f} {compile_s:9.1f} {theirs * 1e3:9.1f} "
                  f"{theirs / step_s:7.1f}x{note}", flush=True)
        else:
            print(f"{name:10s} {shape:34s} {step_s * 1e3:10.1f} {compile_s:9.1f} {'n/a':>9s}", flush=True)


if __name__ == "__main__":
    main()
