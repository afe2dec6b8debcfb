"""MNIST-1D accuracy of the anchors beside biojax's liquid search: a torch GRU-64 and ncps's NCP-wired CfC.

Same protocol as ``biojax search``: the 4,000 training sequences split into 3,600 for training and 400 for
validation (seeded), test accuracy taken at the epoch with the best validation accuracy, several seeds.
Also printed: the best test accuracy over all epochs (how ``reference/measured_anchors.md`` counts, an
optimistic number). Models:

- ``gru``: ``torch.nn.GRU(1, 64)`` and a linear read-out of the last step (13,514 parameters), Adam;
- ``ncps``: ncps's ``CfC(1, AutoNCP(32, 10), proj_size=10, mixed_memory=True)`` (6,854 parameters), Adam with
  gradient-norm clipping at 1.0, ncps's recipe that learns MNIST-1D.

Needs torch, ncps and mnist1d (``pip install torch==2.13.0 ncps mnist1d``), never biojax itself:

    python benchmarks/mnist1d_anchors.py [--models gru,ncps] [--seeds 0 1 2] [--epochs 100] [--threads 1]
"""

import argparse
import time

import mnist1d.data
import numpy as np
import torch
from ncps.torch import CfC
from ncps.wirings import AutoNCP

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--models", default="gru,ncps", help="comma-separated: gru, ncps")
parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--batch", type=int, default=100)
parser.add_argument("--lr", type=float, default=5e-3)
parser.add_argument("--threads", type=int, default=1)
ARGS = parser.parse_args()


def splits(seed: int):
    """Standardised train / validation / test tensors, ``x`` of shape (n, 40, 1)."""
    data = mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())
    x, x_test = data["x"].astype(np.float32), data["x_test"].astype(np.float32)
    mean, std = x.mean(), x.std()
    x, x_test = (x - mean) / std, (x_test - mean) / std
    y, y_test = data["y"].astype(np.int64), data["y_test"].astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = len(x) // 10
    val, train = order[:n_val], order[n_val:]
    as_tensors = [torch.from_numpy(a) for a in (x[train, :, None], y[train], x[val, :, None], y[val],
                                                 x_test[..., None], y_test)]
    return as_tensors


class GRUClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(1, 64, batch_first=True)
        self.head = torch.nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


class NcpsClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = CfC(1, AutoNCP(32, 10), proj_size=10, mixed_memory=True, batch_first=True)

    def forward(self, x):
        return self.rnn(x)[0][:, -1]


def accuracy(model, x, y) -> float:
    with torch.no_grad():
        return float((model(x).argmax(-1) == y).float().mean())


def run(name: str, seed: int) -> dict:
    torch.manual_seed(seed)
    x, y, x_val, y_val, x_test, y_test = splits(seed)
    model = GRUClassifier() if name == "gru" else NcpsClassifier()
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.Adam(model.parameters(), lr=ARGS.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    best_val, test_at_best, best_test, start = -1.0, 0.0, 0.0, time.perf_counter()
    for _ in range(ARGS.epochs):
        model.train()
        for batch in torch.randperm(len(x)).split(ARGS.batch):
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            if name == "ncps":
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        model.eval()
        val, test = accuracy(model, x_val, y_val), accuracy(model, x_test, y_test)
        if val > best_val:
            best_val, test_at_best = val, test
        best_test = max(best_test, test)
    return {"params": n_params, "val": best_val, "test": test_at_best, "best_test": best_test,
            "s_per_epoch": (time.perf_counter() - start) / ARGS.epochs}


def main() -> None:
    torch.set_num_threads(ARGS.threads)
    print(f"torch {torch.__version__}, {ARGS.threads} thread(s), {ARGS.epochs} epochs, batch {ARGS.batch}, "
          f"Adam lr {ARGS.lr}")
    for name in ARGS.models.split(","):
        rows = []
        for seed in ARGS.seeds:
            row = run(name, seed)
            rows.append(row)
            print(f"{name} seed {seed}: {row['params']} params, val {row['val']:.3f}, test at best val "
                  f"{row['test']:.3f}, best test {row['best_test']:.3f}, {row['s_per_epoch']:.2f} s/epoch", flush=True)
        tests = np.array([r["test"] for r in rows])
        std = tests.std(ddof=1) if len(tests) > 1 else 0.0
        print(f"{name}: test at best val {100 * tests.mean():.1f} +- {100 * std:.1f} % over {len(tests)} seeds")


if __name__ == "__main__":
    main()
