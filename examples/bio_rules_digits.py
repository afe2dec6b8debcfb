"""Bio-inspired learning rules vs plain SGD on sklearn's digits (the paper's protocol, scaled down).

Three arms, 5 seeds each, trained in one ``jax.jit(jax.vmap(...))`` call per arm:

- ``plain``: a 64-256-10 ReLU MLP trained with SGD.
- ``paper``: the same MLP with weight splitting (``MultiSynapticDense``, gamma=2) on the hidden layer,
  fuzzy learning rates (uniform, nu=0.09) and rejuvenation (dre=14, every step) on all kernels, as in
  Hofmann et al. (Nat. Commun. 16, 2025), whose runs used SGD without momentum.
- ``paper+crystallize``: ``paper`` plus crystallization (the anchor's README loop), for the monitoring
  figure (crystallized weights, rejuvenated weights, spread of the fuzzy factors).

Prints mean ± std test accuracy and writes ``results.json``, ``learning_curves.png`` and
``monitoring.png`` to ``--out``. Differences from the paper: digits instead of MNIST (offline, 1797 8x8
images, a fixed 80/20 split), learning rate 0.05 instead of 1e-3 and 60 epochs instead of 200.

    PYTHONPATH=. python examples/bio_rules_digits.py [--fast] [--out DIR]
"""

import argparse
import json
import pathlib

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.learning import PAPER_RULES, BioConfig, bio_optimizer, stats
from biojax.nn import MultiSynapticDense
from biojax.train import TrainState, evaluate, make_epoch_fn

ARMS = {
    "plain": dict(gamma=0, rules=None),
    "paper": dict(gamma=2, rules=PAPER_RULES),
    "paper+crystallize": dict(gamma=2, rules=PAPER_RULES + ("crystallize",)),
}


class MLP(nn.Module):
    hidden: int = 256
    gamma: int = 0

    @nn.compact
    def __call__(self, x):
        h = nn.relu(MultiSynapticDense(self.hidden, gamma=self.gamma)(x))
        return nn.Dense(10)(h)


def load_digits(seed=0):
    from sklearn.datasets import load_digits as sk_load_digits

    x, y = sk_load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = (x[order] / 16.0).astype(np.float32), y[order].astype(np.int32)
    cut = int(0.8 * len(x))
    return jnp.asarray(x[:cut]), jnp.asarray(y[:cut]), jnp.asarray(x[cut:]), jnp.asarray(y[cut:])


def make_train(arm, data, epochs, lr, batch_size=100):
    x_train, y_train, x_test, y_test = data
    model = MLP(gamma=arm["gamma"])
    config = BioConfig(fuzzy_learning_rate_factor_nu=0.09, rejuvenation_parameter_dre=14.0)

    def train(key):
        init_key, opt_key, data_key = jax.random.split(key, 3)
        base = optax.sgd(lr)
        opt = base if arm["rules"] is None else bio_optimizer(config, base, key=opt_key, rules=arm["rules"])
        state = TrainState.from_variables(model.init(init_key, x_train[:1]), opt, key=data_key)
        epoch = make_epoch_fn(model.apply, opt, batch_size)

        def body(state, _):
            state, metrics = epoch(state, x_train, y_train)
            _, test_acc = evaluate(model.apply, state.variables, x_test, y_test)
            summary = stats(state.opt_state)
            monitor = {name: summary.get(name, jnp.zeros([])) for name in ("crystallized", "rejuvenated", "fuzzy_std")}
            return state, dict(loss=metrics["loss"], test_accuracy=test_acc, **monitor)

        _, history = jax.lax.scan(body, state, None, length=epochs)
        return history

    return jax.jit(jax.vmap(train))


def plot(results, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from biojax.viz import plot_bio_monitoring

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, history in results.items():
        curves = np.asarray(history["test_accuracy"])
        mean, std = curves.mean(0), curves.std(0)
        epochs = np.arange(1, mean.size + 1)
        ax.plot(epochs, mean, label=name)
        ax.fill_between(epochs, mean - std, mean + std, alpha=0.2)
    ax.set(xlabel="Epoch", ylabel="Test accuracy", title="digits, 5 seeds (mean ± std)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "learning_curves.png", dpi=120)
    monitored = results["paper+crystallize"]
    fig = plot_bio_monitoring({k: np.asarray(monitored[k]) for k in ("crystallized", "rejuvenated", "fuzzy_std")})
    fig.savefig(out / "monitoring.png", dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="3 epochs, 2 seeds (for the test suite)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("bio_rules_digits_out"))
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()
    epochs, seeds = (3, 2) if args.fast else (args.epochs, args.seeds)
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_digits()
    keys = jax.random.split(jax.random.key(0), seeds)
    results, summary = {}, {}
    for name, arm in ARMS.items():
        history = jax.device_get(make_train(arm, data, epochs, args.lr)(keys))
        results[name] = history
        final = np.asarray(history["test_accuracy"])[:, -1]
        summary[name] = dict(mean=float(final.mean()), std=float(final.std()), per_seed=final.tolist(),
                             curve_mean=np.asarray(history["test_accuracy"]).mean(0).tolist())
        print(f"{name:18s} test accuracy {final.mean():.4f} ± {final.std():.4f} over {seeds} seeds")
    summary["settings"] = dict(epochs=epochs, seeds=seeds, lr=args.lr, batch_size=100, nu=0.09, dre=14.0, gamma=2)
    (args.out / "results.json").write_text(json.dumps(summary, indent=1))
    plot(results, args.out)


if __name__ == "__main__":
    main()
