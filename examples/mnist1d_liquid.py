"""Classify MNIST-1D with an NCP-wired CfC and with an LTC (biojax.nn), and report accuracy, size and time.

MNIST-1D (Greydanus 2020; the ``mnist1d`` package generates it offline) has 4000 training and 1000 test
sequences of 40 steps with one feature. Both models use an ``AutoNCP(32, 10)`` wiring with ncps's mixed
memory (LSTM) and gradient clipping, which ncps needs to train well on this task
(``/work/shared/reference/measured_anchors.md``); the CfC reads its logits through ``proj_size=10``,
the LTC from its 10 motor neurons. The paper reports GRU 91%, CNN 94%, MLP 68%.

    python examples/mnist1d_liquid.py [--epochs 60] [--out DIR] [--fast]
"""

import argparse
import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.nn import LTC, CfC
from biojax.train import TrainState, evaluate, make_epoch_fn
from biojax.wiring import AutoNCP


def load_mnist1d(fast: bool) -> tuple[np.ndarray, ...]:
    """Standardised ``(x_train, y_train, x_test, y_test)`` with ``x`` of shape (n, 40, 1)."""
    import mnist1d.data

    data = mnist1d.data.make_dataset(mnist1d.data.get_dataset_args())
    x, x_test = data["x"].astype(np.float32), data["x_test"].astype(np.float32)
    mean, std = x.mean(), x.std()
    x, x_test = (x - mean) / std, (x_test - mean) / std
    y, y_test = data["y"].astype(np.int32), data["y_test"].astype(np.int32)
    if fast:
        x, y, x_test, y_test = x[:300], y[:300], x_test[:200], y_test[:200]
    return x[..., None], y, x_test[..., None], y_test


def build(name: str):
    if name == "cfc":
        return CfC(AutoNCP(32, 10), mixed_memory=True, proj_size=10, return_sequences=False)
    return LTC(AutoNCP(32, 10), mixed_memory=True, return_sequences=False)


def train(name: str, data, epochs: int, batch_size: int, lr: float, seed: int) -> dict:
    x, y, x_test, y_test = (jnp.asarray(a) for a in data)
    model = build(name)
    variables = jax.jit(model.init)(jax.random.key(seed), x[:1])
    n_params = sum(int(np.prod(p.shape)) for p in jax.tree_util.tree_leaves(variables["params"]))
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(lr))
    state = TrainState.from_variables(variables, optimizer, key=jax.random.key(seed + 1))

    def apply_fn(variables, inputs):
        return model.apply(variables, inputs)[0]

    epoch_fn = jax.jit(make_epoch_fn(apply_fn, optimizer, batch_size))
    eval_fn = jax.jit(lambda v: evaluate(apply_fn, v, x_test, y_test))
    history, start = [], time.perf_counter()
    for epoch in range(epochs):
        state, metrics = epoch_fn(state, x, y)
        loss = metrics["loss"]
        test_loss, test_acc = eval_fn(state.variables)
        history.append({"epoch": epoch + 1, "train_loss": float(loss), "test_acc": float(test_acc)})
        print(f"{name} epoch {epoch + 1:3d}  train loss {float(loss):.4f}  test acc {float(test_acc):.4f}",
              flush=True)
    seconds = time.perf_counter() - start
    return {
        "model": name,
        "params": n_params,
        "epochs": epochs,
        "final_test_acc": history[-1]["test_acc"],
        "best_test_acc": max(h["test_acc"] for h in history),
        "seconds_total_including_compile": seconds,
        "seconds_per_epoch": seconds / epochs,
        "history": history,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for the test suite")
    parser.add_argument("--out", default="results", help="folder for results.json")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--models", default="cfc,ltc", help="comma-separated: cfc, ltc")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    epochs = 1 if args.fast else args.epochs
    data = load_mnist1d(args.fast)
    results = [train(name, data, epochs, args.batch_size, args.lr, args.seed)
               for name in args.models.split(",")]
    print("\nmodel  params  epochs  final test acc  best test acc  s/epoch (incl. compile)")
    for r in results:
        print(f"{r['model']:5s} {r['params']:7d} {r['epochs']:7d} {r['final_test_acc']:15.4f} "
              f"{r['best_test_acc']:14.4f} {r['seconds_per_epoch']:9.2f}")
    print("MNIST-1D paper: GRU 0.91, CNN 0.94, MLP 0.68")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "mnist1d_liquid.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
