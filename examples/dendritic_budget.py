"""Science check: dendritic nets with and without synaptic resampling vs a parameter-matched MLP.

At parameter budgets of about 2k/4k/8k on MNIST-1D and 1k/2k/4k on scikit-learn digits, this trains

* ``dendritic_simple`` (random inputs, k = 8 inputs per dendrite, 4 dendrites per neuron, as many
  neurons as fit the budget) with synaptic resampling (25% weakest synapses every 128 steps),
* the same net without resampling (``fraction = 0`` in the same compiled program), and
* the widest one-hidden-layer MLP that fits the same budget (``mlp_for_budget``),

for 3 seeds each (seed = initialisation, data shuffling and validation split), all seeds and both
dendritic variants vmapped in one ``jax.jit``. AdamW (lr 1e-3, weight decay 0.01), batch 100. The
epoch is chosen on validation accuracy and test accuracy at that epoch is reported as mean ±
sample std over seeds. Writes ``results.json``, ``results.md`` and ``accuracy_vs_params.png`` to
``--out``.

    python examples/dendritic_budget.py --out results/dendritic_budget
"""

import argparse
import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.data import load
from biojax.nn import count_params, dendritic_simple, mlp_for_budget
from biojax.train import TrainState, accuracy, make_epoch_fn, resampling_post_step

BUDGETS = {"mnist1d": (2000, 4000, 8000), "digits": (1000, 2000, 4000)}
K, DENDRITES = 8, 4
BATCH, LR, WEIGHT_DECAY = 100, 1e-3, 0.01
FRACTION, STEPS_TO_RESAMPLE = 0.25, 128


def dendritic_for_budget(budget: int, n_inputs: int, n_classes: int):
    """Most neurons of ``DENDRITES`` dendrites with ``K`` inputs each within ``budget``."""
    per_neuron = DENDRITES * (K + 2) + 1 + n_classes
    n_neurons = (budget - n_classes) // per_neuron
    return dendritic_simple(n_classes, n_neurons=n_neurons, n_dendrites=DENDRITES, n_dendrite_inputs=K)


def stack_splits(name: str, seeds: list[int]):
    splits = [load(name, seed=s) for s in seeds]
    fields = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")
    return splits[0], {f: jnp.stack([getattr(d, f) for d in splits]) for f in fields}


def run_dendritic(model, data, seeds, epochs, optimizer):
    """Trains (seed x {resampling, none}) trials in one vmapped jit; returns per-epoch accuracies."""
    def trial(seed, fraction, x_tr, y_tr, x_val, y_val, x_te, y_te):
        key = jax.random.key(seed)
        state = TrainState.from_variables(model.init(key, x_tr[:1]), optimizer, key=key)
        post_step = resampling_post_step(fraction, STEPS_TO_RESAMPLE, axis_name="trials")
        epoch = make_epoch_fn(model.apply, optimizer, BATCH, post_step=post_step)

        def one_epoch(state, _):
            state, _ = epoch(state, x_tr, y_tr)
            v = state.variables
            return state, (accuracy(model.apply(v, x_val), y_val), accuracy(model.apply(v, x_te), y_te))

        _, (val, test) = jax.lax.scan(one_epoch, state, None, length=epochs)
        return val, test

    n = len(seeds)
    seed_arr = jnp.array(seeds * 2)
    fractions = jnp.array([FRACTION] * n + [0.0] * n)
    tile = {k: jnp.concatenate([v, v]) for k, v in data.items()}
    val, test = jax.jit(jax.vmap(trial, axis_name="trials"))(seed_arr, fractions, tile["x_train"], tile["y_train"],
                                          tile["x_val"], tile["y_val"], tile["x_test"], tile["y_test"])
    return {"dendritic + resampling": (val[:n], test[:n]), "dendritic, no resampling": (val[n:], test[n:])}


def run_mlp(model, data, seeds, epochs, optimizer):
    epoch = make_epoch_fn(model.apply, optimizer, BATCH)

    def trial(seed, x_tr, y_tr, x_val, y_val, x_te, y_te):
        key = jax.random.key(seed)
        state = TrainState.from_variables(model.init(key, x_tr[:1]), optimizer, key=key)

        def one_epoch(state, _):
            state, _ = epoch(state, x_tr, y_tr)
            v = state.variables
            return state, (accuracy(model.apply(v, x_val), y_val), accuracy(model.apply(v, x_te), y_te))

        _, (val, test) = jax.lax.scan(one_epoch, state, None, length=epochs)
        return val, test

    val, test = jax.jit(jax.vmap(trial))(jnp.array(seeds), data["x_train"], data["y_train"],
                                         data["x_val"], data["y_val"], data["x_test"], data["y_test"])
    return {"MLP (one hidden layer)": (val, test)}


def select_on_validation(val: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per trial: the epoch of best validation accuracy (first on ties) and its test accuracy."""
    best = np.argmax(val, axis=1)
    return best, test[np.arange(test.shape[0]), best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for the test suite")
    parser.add_argument("--out", default="results/dendritic_budget")
    parser.add_argument("--epochs-mnist1d", type=int, default=150)
    parser.add_argument("--epochs-digits", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    if args.fast:
        plan = {"digits": ((1000,), 2)}
        seeds = [0, 1]
    else:
        plan = {"mnist1d": (BUDGETS["mnist1d"], args.epochs_mnist1d),
                "digits": (BUDGETS["digits"], args.epochs_digits)}
        seeds = list(range(args.seeds))
    optimizer = optax.adamw(LR, weight_decay=WEIGHT_DECAY)
    rows = []
    for name, (budgets, epochs) in plan.items():
        first, data = stack_splits(name, seeds)
        for budget in budgets:
            dendritic = dendritic_for_budget(budget, first.input_size, first.num_classes)
            mlp = mlp_for_budget(budget, first.input_size, first.num_classes)
            start = time.perf_counter()
            results = run_dendritic(dendritic, data, seeds, epochs, optimizer)
            results |= run_mlp(mlp, data, seeds, epochs, optimizer)
            seconds = time.perf_counter() - start
            for model_name, (val, test) in results.items():
                model = mlp if model_name.startswith("MLP") else dendritic
                best, acc = select_on_validation(np.asarray(val), np.asarray(test))
                rows.append({
                    "dataset": name, "budget": budget, "model": model_name, "epochs": epochs,
                    "params": count_params(model, first.input_shape),
                    "test_acc_mean": float(acc.mean()),
                    "test_acc_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
                    "best_epochs": best.tolist(), "test_acc": acc.tolist(),
                })
            print(f"{name} budget {budget}: {seconds:.1f} s", flush=True)
            for row in rows[-3:]:
                print(f"  {row['model']:<26} {row['params']:>5} params  "
                      f"{100 * row['test_acc_mean']:.1f} ± {100 * row['test_acc_std']:.1f}", flush=True)
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    write_table(rows, out / "results.md")
    plot(rows, out / "accuracy_vs_params.png")


def write_table(rows: list[dict], path: pathlib.Path) -> None:
    lines = ["| dataset (epochs) | budget | model | params | test acc % (mean ± std) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['dataset']} ({r['epochs']}) | {r['budget']} | {r['model']} | {r['params']} | "
                     f"{100 * r['test_acc_mean']:.1f} ± {100 * r['test_acc_std']:.1f} |")
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def plot(rows: list[dict], path: pathlib.Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = sorted({r["dataset"] for r in rows})
    fig, axes = plt.subplots(1, len(datasets), figsize=(5 * len(datasets), 4), squeeze=False)
    for ax, name in zip(axes[0], datasets):
        for model in dict.fromkeys(r["model"] for r in rows):
            sel = [r for r in rows if r["dataset"] == name and r["model"] == model]
            ax.errorbar([r["params"] for r in sel], [100 * r["test_acc_mean"] for r in sel],
                        yerr=[100 * r["test_acc_std"] for r in sel], marker="o", capsize=3, label=model)
        ax.set_xscale("log")
        ax.set_xlabel("trainable parameters")
        ax.set_ylabel("test accuracy (%)")
        ax.set_title(name)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
