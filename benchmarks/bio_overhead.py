"""Step time of bio_optimizer (all rules) against the plain base optimizer, 784-1000-10 MLP, batch 100.

Each configuration is timed in ``--rounds`` runs of ``--steps`` steps, interleaved with the other
configurations so that drifts of the machine hit all of them alike; the fastest run counts.

With ``--anchor-python PY`` it also times the anchor's eager PyTorch loop (pytorch_bio_transformations
0.0.5, its README call order: volume LR, fuzzy LR, crystallize, step, rejuvenate) by running this script
with ``--anchor-only`` under that interpreter (a venv with torch and the anchor).

    PYTHONPATH=. JAX_PLATFORMS=cpu python benchmarks/bio_overhead.py [--steps 200] [--anchor-python PY]

On a GPU machine drop ``JAX_PLATFORMS=cpu`` and add ``--anchor-device cuda`` to time the anchor on CUDA too.
"""

import argparse
import json
import subprocess
import sys
import time


def time_steps(step, params, state, x, y, steps):
    """Seconds per step of one timed run of ``steps`` steps; returns the new params and state too."""
    start = time.perf_counter()
    for _ in range(steps):
        params, state, loss = step(params, state, x, y)
    loss.block_until_ready()
    return (time.perf_counter() - start) / steps, params, state


def fresh_noise_floor(draw):
    """Multiplies every update by a fresh per-weight draw ``draw(key, shape)``: the least a rule that
    needs new random numbers for every weight at every step can cost (volume LR draws one normal)."""
    import jax
    import jax.numpy as jnp
    import optax

    def init_fn(params):
        del params
        return jnp.zeros([], jnp.uint32)

    def update_fn(updates, count, params=None):
        del params
        key = jax.random.fold_in(jax.random.key(3), count)
        return jax.tree.map(lambda u: u * draw(key, u.shape), updates), count + 1

    return optax.GradientTransformation(init_fn, update_fn)


def biojax_times(steps, rounds):
    import flax.linen as nn
    import jax
    import jax.numpy as jnp
    import optax

    from biojax.learning import ALL_RULES, PAPER_RULES, BioConfig, bio_optimizer
    from biojax.learning import _noise
    from biojax.train.classification import make_train_step

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.Dense(10)(nn.relu(nn.Dense(1000)(x)))

    model = MLP()
    x = jax.random.normal(jax.random.key(0), (100, 784))
    y = jnp.arange(100) % 10
    params = model.init(jax.random.key(1), x)["params"]
    apply_fn = lambda p, v: model.apply({"params": p}, v)
    base = optax.sgd(1e-3)
    key = jax.random.key(2)
    optimizers = {
        "plain sgd": base,
        "bio_optimizer, paper rules (fuzzy + rejuvenate)": bio_optimizer(BioConfig(), base, key=key, rules=PAPER_RULES),
        "bio_optimizer, all rules": bio_optimizer(BioConfig(), base, key=key),
    }
    for rule in ALL_RULES:
        optimizers[f"  only {rule}"] = bio_optimizer(BioConfig(), base, key=key, rules=(rule,))
    optimizers["  floor: fresh uniform per weight"] = optax.chain(base, fresh_noise_floor(_noise.uniform))
    optimizers["  floor: fresh normal per weight"] = optax.chain(base, fresh_noise_floor(_noise.normal))
    runs = {}
    for name, opt in optimizers.items():
        step = jax.jit(make_train_step(apply_fn, opt), donate_argnums=(0, 1))
        fresh = jax.tree.map(jnp.copy, params)
        _, p, s = time_steps(step, fresh, opt.init(fresh), x, y, 1)
        runs[name] = [step, p, s]
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seconds, run[1], run[2] = time_steps(run[0], run[1], run[2], x, y, steps)
            best[name] = min(best[name], seconds)
    return best


def anchor_times(steps, device):
    import torch
    from bio_transformations import BioConverter

    torch.manual_seed(0)
    x, y = torch.randn(100, 784, device=device), torch.arange(100, device=device) % 10
    out = {}
    for name, bio in (("torch plain sgd", False), ("torch BioConverter, all rules", True)):
        model = torch.nn.Sequential(torch.nn.Linear(784, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 10)).to(device)
        if bio:
            model = BioConverter()(model)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            if bio:
                model.volume_dependent_lr()
                model.fuzzy_learning_rates()
                model.crystallize()
            opt.step()
            if bio:
                model.rejuvenate_weights()
            if device == "cuda":
                torch.cuda.synchronize()

        step()
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best = min(best, (time.perf_counter() - start) / steps)
        out[name] = best
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="steps per timed run")
    parser.add_argument("--rounds", type=int, default=7,
                        help="timed runs per configuration, interleaved across configurations; the fastest counts")
    parser.add_argument("--anchor-python", help="interpreter with torch and bio_transformations installed")
    parser.add_argument("--anchor-device", default="cpu", help="torch device of the anchor: cpu or cuda")
    parser.add_argument("--anchor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.anchor_only:
        print(json.dumps(anchor_times(args.steps, args.anchor_device)))
        return
    import jax

    times = biojax_times(args.steps, args.rounds)
    if args.anchor_python:
        out = subprocess.run(
            [args.anchor_python, __file__, "--anchor-only", "--steps", str(max(args.steps // 4, 1)),
             "--anchor-device", args.anchor_device],
            capture_output=True, text=True, check=True,
        )
        times.update(json.loads(out.stdout.strip().splitlines()[-1]))
    plain = times["plain sgd"]
    print(f"{'configuration':50s} {'ms/step':>9s} {'vs plain':>9s}")
    for name, seconds in times.items():
        reference = times["torch plain sgd"] if name.startswith("torch") else plain
        print(f"{name:50s} {1e3 * seconds:9.3f} {seconds / reference:8.2f}x")
    print(f"jax {jax.__version__}, backend {jax.default_backend()}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
