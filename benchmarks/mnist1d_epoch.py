"""Seconds per MNIST-1D training epoch: biojax's NCP-wired CfC and LTC against a torch GRU-64, one run.

4,000 training sequences of 40 steps x 1 channel, batch 100 (40 steps per epoch), Adam, cross-entropy on
the last step's logits; compile excluded (the first epoch is a warm-up). biojax: ``CfC(AutoNCP(32, 10),
mixed_memory=True, proj_size=10)`` and ``LTC(AutoNCP(32, 10), mixed_memory=True)`` (ncps's MNIST-1D recipe,
6,854 and 8,694 parameters) through :func:`biojax.train.make_epoch_fn`; torch: ``nn.GRU(1, 64)`` and a
linear read-out (13.5k parameters), a plain PyTorch training loop.

    PYTHONPATH=. python benchmarks/mnist1d_epoch.py [--threads 1] [--epochs 5]
"""

import argparse
import importlib.util
import os
import time

from _timing import limit_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="CPU threads for XLA and torch (0: default)")
parser.add_argument("--epochs", type=int, default=5, help="timed epochs per model (after one warm-up)")
parser.add_argument("--only", default="", help="comma-separated: cfc, ltc, gru")
ARGS = parser.parse_args()
limit_threads(ARGS.threads)

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from biojax.data import load_mnist1d  # noqa: E402
from biojax.nn import LTC, CfC, count_params  # noqa: E402
from biojax.train import TrainState, make_epoch_fn  # noqa: E402
from biojax.wiring import AutoNCP  # noqa: E402

BATCH = 100


def training_rows():
    d = load_mnist1d(as_sequence=True)
    x = np.concatenate([d.x_train, d.x_val]).astype(np.float32)
    return (x - x.mean()) / x.std(), np.concatenate([d.y_train, d.y_val]).astype(np.int32)


def time_biojax(name, x, y):
    rnn = (CfC(AutoNCP(32, 10), mixed_memory=True, proj_size=10, return_sequences=False) if name == "cfc"
           else LTC(AutoNCP(32, 10), mixed_memory=True, return_sequences=False))
    optimizer = optax.adam(3e-3)
    state = TrainState.from_variables(jax.jit(rnn.init)(jax.random.key(0), x[:1]), optimizer, key=jax.random.key(1))
    epoch = jax.jit(make_epoch_fn(lambda v, xb: rnn.apply(v, xb)[0], optimizer, BATCH))
    x, y = jnp.asarray(x), jnp.asarray(y)
    state, _ = epoch(state, x, y)
    jax.block_until_ready(state)
    times = []
    for _ in range(ARGS.epochs):
        start = time.perf_counter()
        state, metrics = epoch(state, x, y)
        jax.block_until_ready(metrics)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), count_params(rnn, x.shape[1:])


def time_gru(x, y):
    import torch

    if ARGS.threads > 0:
        torch.set_num_threads(ARGS.threads)
    torch.manual_seed(0)

    class GRU(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gru, self.out = torch.nn.GRU(1, 64, batch_first=True), torch.nn.Linear(64, 10)

        def forward(self, xb):
            return self.out(self.gru(xb)[0][:, -1])

    model = GRU()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()

    def epoch():
        order = torch.randperm(len(xt))
        for start in range(0, len(xt) - BATCH + 1, BATCH):
            idx = order[start:start + BATCH]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()

    epoch()
    times = []
    for _ in range(ARGS.epochs):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), sum(p.numel() for p in model.parameters())


def main() -> None:
    only = set(filter(None, ARGS.only.split(","))) or {"cfc", "ltc", "gru"}
    x, y = training_rows()
    print(f"jax {jax.__version__}, threads={ARGS.threads or 'default'}, {len(x)} rows x {x.shape[1]} steps, "
          f"batch {BATCH}, load average {os.getloadavg()[0]:.2f}", flush=True)
    rows = [(name, *time_biojax(name, x, y)) for name in ("cfc", "ltc") if name in only]
    if "gru" in only and importlib.util.find_spec("torch") is not None:
        rows.append(("torch GRU-64", *time_gru(x, y)))
    print(f"load average after the runs {os.getloadavg()[0]:.2f}")
    print(f"{'model':14s} {'params':>7s} {'s/epoch':>8s}")
    for name, seconds, params in rows:
        print(f"{name:14s} {params:7d} {seconds:8.3f}", flush=True)


if __name__ == "__main__":
    main()
