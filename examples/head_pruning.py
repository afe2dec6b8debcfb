"""Attention-head pruning on an induction task: accuracy and perplexity against the fraction pruned.

A small causal transformer (2 layers x 8 heads) learns in-context copying: a random segment of a random
token sequence appears a second time, and the model must continue the repeat, which needs induction
heads (see :func:`induction_task`). It is trained with the shared loop (:mod:`biojax.train`). Then, for each strategy (entropy,
gradient, combined, random) and each prune fraction 0-80%, :func:`biojax.pruning.run_pruning_cycle`
scores the heads, prunes them ("compressed": pruned heads stay at zero) and fine-tunes; the fractions are
one ``jax.vmap``, so every strategy compiles once. Three seeds, each with its own trained model.

Run ``python examples/head_pruning.py --out results/`` (full) or ``--fast`` (seconds). Writes
``head_pruning.json`` (every number), ``head_pruning_table.md`` and ``head_pruning.png``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.nn import HeadMaskTransformer
from biojax.pruning import run_pruning_cycle, sequence_accuracy, sequence_cross_entropy
from biojax.train import TrainState, make_epoch_fn

STRATEGIES = ("random", "entropy", "gradient", "combined")
FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def induction_task(
    key: jax.Array, rows: int, length: int, segment: int, vocab: int
) -> tuple[jax.Array, jax.Array]:
    """Inputs ``[rows, length]`` of random tokens in which a random segment appears twice.

    The segment of ``segment`` tokens starts at a random position and is repeated later at a random
    position. Only tokens 2..segment of the repeat are scored (label -1 elsewhere): predicting them
    needs an induction circuit (find the earlier occurrence of the current token, copy its successor),
    which a causal transformer builds from a previous-token head in layer 0 and an induction head in
    layer 1. Offsets vary, so position alone cannot solve it.
    """
    k_tokens, k_first, k_gap = jax.random.split(key, 3)
    tokens = jax.random.randint(k_tokens, (rows, length + 1), 0, vocab)
    first = jax.random.randint(k_first, (rows,), 0, length + 2 - 2 * segment)
    second = first + segment + jax.random.randint(k_gap, (rows,), 0, length + 2 - 2 * segment - first)
    offset = jnp.arange(length + 1)[None] - second[:, None]
    inside = (offset >= 0) & (offset < segment)
    source = jnp.clip(first[:, None] + offset, 0, length)
    tokens = jnp.where(inside, jnp.take_along_axis(tokens, source, axis=1), tokens)
    scored = (offset[:, 1:] >= 1) & (offset[:, 1:] < segment)
    return tokens[:, :-1], jnp.where(scored, tokens[:, 1:], -1)


def train_base_model(model, key, train, eval_data, epochs, batch_size, learning_rate):
    init_key, shuffle_key = jax.random.split(key)
    optimizer = optax.adamw(learning_rate, weight_decay=0.01)
    state = TrainState.from_variables(model.init(init_key, train[0][:1]), optimizer, key=shuffle_key)
    epoch = jax.jit(make_epoch_fn(model.apply, optimizer, batch_size, sequence_cross_entropy))
    for _ in range(epochs):
        state, metrics = epoch(state, *train)
    logits = model.apply(state.variables, eval_data[0])
    return state.params, float(metrics["loss"]), float(sequence_accuracy(logits, eval_data[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="tiny run for tests (seconds)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="output folder")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--keep-one-per-layer", action="store_true",
                        help="never prune the last head of a layer (default: plain global top-k, as sentinel-ai)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    if args.fast:
        config = dict(length=12, segment=4, vocab=8, rows=512, layers=2, heads=4, d_model=16, epochs=2,
                      steps=4, seeds=1)
    else:
        config = dict(length=32, segment=8, vocab=32, rows=16384, layers=2, heads=8, d_model=64, epochs=6,
                      steps=100, seeds=args.seeds)
    config["keep_one_per_layer"] = args.keep_one_per_layer
    model = HeadMaskTransformer(
        vocab_size=config["vocab"], num_layers=config["layers"], num_heads=config["heads"],
        d_model=config["d_model"], max_len=config["length"],
    )
    strategies = ("random", "combined") if args.fast else STRATEGIES
    fractions_used = (0.0, 0.5) if args.fast else FRACTIONS
    fractions = jnp.asarray(fractions_used)

    def sweep(strategy):
        def one(params, train, eval_data, fraction, key):
            return run_pruning_cycle(
                model, params, train, eval_data, fraction, strategy, 1e-3, config["steps"],
                key=key, batch_size=32, mode="compressed", keep_one_per_layer=config["keep_one_per_layer"],
            )

        return jax.jit(jax.vmap(one, in_axes=(None, None, None, 0, None)))

    cycle = {strategy: sweep(strategy) for strategy in strategies}
    start = time.perf_counter()
    runs = []
    for seed in range(config["seeds"]):
        key = jax.random.key(seed)
        data_key, eval_key, model_key, prune_key = jax.random.split(key, 4)
        task = (config["length"], config["segment"], config["vocab"])
        train = induction_task(data_key, config["rows"], *task)
        eval_data = induction_task(eval_key, 512, *task)
        params, train_loss, base_accuracy = train_base_model(
            model, model_key, train, eval_data, config["epochs"], 64, 3e-3
        )
        print(f"seed {seed}: trained, loss {train_loss:.3f}, induction accuracy {base_accuracy:.3f} "
              f"({time.perf_counter() - start:.0f} s)", flush=True)
        for strategy in strategies:
            results = cycle[strategy](params, train, eval_data, fractions, prune_key)
            runs.append({"seed": seed, "strategy": strategy, "results": results.to_dict()})
            accuracy = np.asarray(results.final.accuracy)
            print(f"  {strategy:9s} fine-tuned accuracy by fraction: " + " ".join(f"{a:.3f}" for a in accuracy),
                  flush=True)
    elapsed = time.perf_counter() - start

    table = summarise(runs, config["seeds"], strategies, fractions_used)
    (args.out / "head_pruning.json").write_text(
        json.dumps({"config": config, "fractions": list(fractions_used), "seconds": elapsed, "runs": runs})
    )
    (args.out / "head_pruning_table.md").write_text(table)
    print(table)
    print(f"total {elapsed:.0f} s on {jax.default_backend()}")
    plot(runs, strategies, fractions_used, args.out / "head_pruning.png")


def stage(runs, strategy, stage_name, metric):
    return np.array(
        [r["results"][stage_name][metric] for r in runs if r["strategy"] == strategy], dtype=float
    )


def summarise(runs, seeds, strategies, fractions) -> str:
    heads = np.asarray(runs[0]["results"]["prune_mask"]).shape
    total = heads[1] * heads[2]
    counts = [int(total * f) for f in fractions]
    lines = [
        f"Induction accuracy (mean over {seeds} seed(s)), heads pruned of {total}: "
        "after pruning -> after fine-tuning",
        "",
        "| strategy | " + " | ".join(f"{f:.0%} ({c})" for f, c in zip(fractions, counts)) + " |",
        "|---" * (len(fractions) + 1) + "|",
    ]
    for strategy in strategies:
        pruned = stage(runs, strategy, "pruned", "accuracy")
        final = stage(runs, strategy, "final", "accuracy")
        cells = [f"{p:.3f} -> {f:.3f}" for p, f in zip(pruned.mean(0), final.mean(0))]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    lines += ["", "Perplexity on the scored tokens (mean over seeds): after pruning -> after fine-tuning", ""]
    lines.append("| strategy | " + " | ".join(f"{f:.0%}" for f in fractions) + " |")
    lines.append("|---" * (len(fractions) + 1) + "|")
    for strategy in strategies:
        pruned = stage(runs, strategy, "pruned", "perplexity")
        final = stage(runs, strategy, "final", "perplexity")
        cells = [f"{p:.2f} -> {f:.2f}" for p, f in zip(pruned.mean(0), final.mean(0))]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(runs, strategies, fractions, path: pathlib.Path) -> None:
    from biojax.viz import plot_recovery_curve

    curves = {
        strategy: {name: stage(runs, strategy, name, "accuracy") for name in ("pruned", "final")}
        for strategy in strategies
    }
    figure = plot_recovery_curve(fractions, curves, metric="induction accuracy",
                                 title="Head pruning on an induction task (2 layers x 8 heads)")
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
