"""Train an NCP-wired CfC on MNIST-1D, then sparsify its wiring gradually to 50%, 25% and 10%.

The CfC uses ``intra_layer="wiring"``, so every weight of the cell belongs to a synapse of the wiring.
After dense training, each target density gets its own run from the dense weights:
``gradual_wiring_pruning`` with a cubic schedule (Zhu & Gupta, 2017) over the first two thirds of the
pruning epochs, critical sensory-to-motor paths kept, then fine-tuning at the final density. For each
density the script reports test accuracy, synapses, FLOPs per step and the measured step time of the
wired CfC (masked dense kernels: sparsity does not make it faster) and of an LTC on the same wiring
(synapse list: it does). Densities are fractions of the starting wiring's synapses.

    python examples/wiring_sparsity.py [--dense-epochs 60] [--prune-epochs 30] [--out DIR] [--fast]
"""

import argparse
import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.data import load_mnist1d
from biojax.nn import CfC
from biojax.train import TrainState, evaluate, make_epoch_fn
from biojax.wiring import AutoNCP, mask_wiring, unreachable_motor_neurons
from biojax.rewiring import gradual_wiring_pruning, measure_step_seconds, sparsity_schedule, wiring_metrics

DENSITIES = (0.5, 0.25, 0.1)


def load_data(fast: bool) -> tuple[jax.Array, ...]:
    """Standardised ``(x_train, y_train, x_test, y_test)``, ``x`` of shape ``(n, 40, 1)``."""
    data = load_mnist1d(as_sequence=True, val_fraction=0.1, subset_size=300 if fast else None)
    mean, std = data.x_train.mean(), data.x_train.std()
    x_test, y_test = (data.x_test[:200], data.y_test[:200]) if fast else (data.x_test, data.y_test)
    return tuple(jnp.asarray(a) for a in ((data.x_train - mean) / std, data.y_train, (x_test - mean) / std, y_test))


def train(model, params, optimizer, data, epochs: int, batch_size: int, seed: int, label: str):
    """Trains for ``epochs``; returns params, optimizer state and the last test accuracy."""
    x, y, x_test, y_test = data

    def apply_fn(variables, inputs):
        return model.apply(variables, inputs)[0]

    epoch_fn = jax.jit(make_epoch_fn(apply_fn, optimizer, batch_size))
    state, accuracy = TrainState.create(params, optimizer, key=jax.random.key(seed)), float("nan")
    for epoch in range(epochs):
        state, metrics = epoch_fn(state, x, y)
        accuracy = float(evaluate(apply_fn, state.variables, x_test, y_test)[1])
        print(f"{label} epoch {epoch + 1:3d}  train loss {float(metrics['loss']):.4f}  test acc {accuracy:.4f}",
              flush=True)
    return state.params, state.opt_state, accuracy


def measure(wiring, accuracy: float, batch_size: int, fast: bool) -> dict:
    """Accuracy, synapse counts, FLOPs and step times of one wiring."""
    steps, repeats = (5, 2) if fast else (100, 20)
    cfc = wiring_metrics(wiring, cell="wired_cfc", intra_layer="wiring")
    ltc = wiring_metrics(wiring, cell="ltc")
    return {
        "test_acc": accuracy,
        "synapses": cfc["total_synapses"],
        "density_of_possible": cfc["density"],
        "cfc_flops_per_step": cfc["flops_per_step"],
        "cfc_synapse_flops_per_step": cfc["synapse_flops_per_step"],
        "ltc_flops_per_step": ltc["flops_per_step"],
        "cfc_step_us": 1e6 * measure_step_seconds(wiring, "wired_cfc", batch_size=batch_size, steps=steps,
                                                  repeats=repeats, intra_layer="wiring"),
        "ltc_step_us": 1e6 * measure_step_seconds(wiring, "ltc", batch_size=batch_size, steps=steps,
                                                  repeats=repeats),
        "unreachable_motor_neurons": unreachable_motor_neurons(wiring),
    }


def plot(rows: list[dict], path: pathlib.Path) -> None:
    """Accuracy and step time against the number of synapses."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    synapses = [r["synapses"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    left.plot(synapses, [r["test_acc"] for r in rows], "o-")
    for r in rows:
        left.annotate(f"{r['target_density']:.0%}", (r["synapses"], r["test_acc"]), textcoords="offset points",
                      xytext=(4, 4))
    left.set_xlabel("synapses")
    left.set_ylabel("MNIST-1D test accuracy")
    left.set_title("NCP-wired CfC, gradual pruning")
    right.plot(synapses, [r["cfc_step_us"] for r in rows], "o-", label="wired CfC (masked dense)")
    right.plot(synapses, [r["ltc_step_us"] for r in rows], "s-", label="LTC (synapse list), same wiring")
    right.set_xlabel("synapses")
    right.set_ylabel("cell step time, batch 100 (us)")
    right.set_title("step time vs synapses (CPU)")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for the test suite")
    parser.add_argument("--out", default="results", help="folder for wiring_sparsity.json and .png")
    parser.add_argument("--dense-epochs", type=int, default=60)
    parser.add_argument("--prune-epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--prune-lr", type=float, default=3e-3, help="learning rate while pruning")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dense_epochs, prune_epochs = (1, 3) if args.fast else (args.dense_epochs, args.prune_epochs)
    data = load_data(args.fast)
    wiring = AutoNCP(32, 10, sparsity_level=0.1, seed=args.seed).build(1)
    model = CfC(wiring, intra_layer="wiring", mixed_memory=True, proj_size=10, return_sequences=False)
    params = jax.jit(model.init)(jax.random.key(args.seed), data[0][:1])["params"]

    def optimizer(lr, *extra):
        return optax.chain(optax.clip_by_global_norm(1.0), optax.adam(lr), *extra)

    start = time.perf_counter()
    dense, _, dense_acc = train(model, params, optimizer(args.lr), data, dense_epochs, args.batch_size, args.seed, "dense")
    rows = [{"target_density": 1.0, **measure(wiring, dense_acc, args.batch_size, args.fast)}]
    steps_per_epoch = data[0].shape[0] // args.batch_size
    end_step = max(1, (2 * prune_epochs * steps_per_epoch) // 3)
    for density in DENSITIES:
        schedule = sparsity_schedule(1.0, density, begin_step=0, end_step=end_step)
        try:
            pruner = gradual_wiring_pruning(wiring, dense, schedule, intra_layer="wiring",
                                            update_every=1 if args.fast else 10)
        except ValueError as error:
            print(f"density {density:.2f} skipped: {error}", flush=True)
            continue
        _, state, accuracy = train(model, dense, optimizer(args.prune_lr, pruner), data, prune_epochs, args.batch_size,
                                   args.seed + 1, f"density {density:.2f}")
        pruned = mask_wiring(wiring, optax.tree_utils.tree_get(state, "keep"))
        rows.append({"target_density": density, **measure(pruned, accuracy, args.batch_size, args.fast)})
    seconds = time.perf_counter() - start

    print("\ntarget  synapses  test acc  CfC FLOPs  CfC synapse FLOPs  LTC FLOPs  CfC step us  LTC step us")
    for r in rows:
        print(f"{r['target_density']:6.2f} {r['synapses']:9d} {r['test_acc']:9.4f} {r['cfc_flops_per_step']:10d} "
              f"{r['cfc_synapse_flops_per_step']:18d} {r['ltc_flops_per_step']:10d} {r['cfc_step_us']:12.1f} "
              f"{r['ltc_step_us']:12.1f}")
    print(f"total {seconds:.0f} s (training and measuring, CPU)")
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "wiring_sparsity.json").write_text(json.dumps(
        {"dense_epochs": dense_epochs, "prune_epochs": prune_epochs, "rows": rows}, indent=1))
    plot(rows, out / "wiring_sparsity.png")


if __name__ == "__main__":
    main()
