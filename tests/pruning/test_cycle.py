"""run_pruning_cycle under jit (and vmap) on CPU, its options, and the JSON round trip of its results."""

import functools
import json

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import HeadMaskTransformer
from biojax.pruning import PruningResults, run_pruning_cycle

MODEL = HeadMaskTransformer(vocab_size=5, num_layers=2, num_heads=4, d_model=16)
SEQS = jax.random.randint(jax.random.key(0), (48, 7), 0, 5)
DATA = (SEQS[:32, :-1], SEQS[:32, 1:])
EVAL = (SEQS[32:, :-1], SEQS[32:, 1:])
PARAMS = MODEL.init(jax.random.key(1), DATA[0])["params"]
STATIC = dict(training_steps=6, batch_size=8)


@chex.assert_max_traces(n=1)
def traced_cycle(params, train, evaluation, fraction, learning_rate, multiplier, key):
    return run_pruning_cycle(
        MODEL, params, train, evaluation, fraction, "combined", learning_rate,
        key=key, attention_lr_multiplier=multiplier, return_params=True, **STATIC,
    )


RUN = jax.jit(traced_cycle)


def test_whole_cycle_under_jit_compiles_once_for_new_numbers():
    first, params, head_mask = RUN(PARAMS, DATA, EVAL, 0.25, 1e-2, 3.0, jax.random.key(2))
    second, _, _ = RUN(PARAMS, DATA, EVAL, 0.5, 3e-3, 3.0, jax.random.key(3))
    assert len(first.pruned_heads()) == 2 and len(second.pruned_heads()) == 4
    assert first.train_loss.shape == (6,) and first.eval_steps.tolist() == [1, 2, 3, 4, 5, 6]
    for r in (first, second):
        assert r.strategy == "combined" and r.mode == "compressed"
        assert np.isfinite(r.final.loss)
        assert float(r.final.perplexity) == pytest.approx(np.exp(float(r.final.loss)), rel=1e-5)
        assert float(r.pruned.loss) != float(r.baseline.loss)
        gap = float(r.pruned.perplexity - r.baseline.perplexity)
        expected = float(r.pruned.perplexity - r.final.perplexity) / gap if gap > 0 else 0.0
        assert float(r.recovery_rate) == pytest.approx(expected, rel=1e-4, abs=1e-6)
        improvement = float((r.baseline.perplexity - r.final.perplexity) / r.baseline.perplexity)
        assert float(r.perplexity_improvement) == pytest.approx(improvement, rel=1e-4, abs=1e-7)
    # Compressed fine-tuning: the pruned heads' output slices are still exactly zero, the rest trained.
    np.testing.assert_array_equal(head_mask, np.ones((2, 4)))
    mask = np.asarray(first.prune_mask)
    for layer in range(2):
        kernel = np.asarray(params[f"block_{layer}"]["attention"]["out"]["kernel"])
        original = np.asarray(PARAMS[f"block_{layer}"]["attention"]["out"]["kernel"])
        assert np.all(kernel[mask[layer]] == 0.0)
        assert not np.allclose(kernel[~mask[layer]], original[~mask[layer]])


def test_results_json_round_trip():
    result, _, _ = RUN(PARAMS, DATA, EVAL, 0.25, 1e-3, 3.0, jax.random.key(5))
    text = result.to_json()
    data = json.loads(text)
    assert data["strategy"] == "combined" and data["mode"] == "compressed"
    assert data["pruned_heads"] == [list(p) for p in result.pruned_heads()]
    back = PruningResults.from_json(text)
    assert back.strategy == result.strategy and back.mode == result.mode
    for a, b in zip(jax.tree.leaves(result), jax.tree.leaves(back)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        assert np.asarray(a).dtype == np.asarray(b).dtype


def test_attention_lr_multiplier_scales_only_attention_of_pruned_layers():
    result, frozen, _ = RUN(PARAMS, DATA, EVAL, 0.125, 1e-2, 0.0, jax.random.key(7))
    (pruned_layer,) = {layer for layer, _ in result.pruned_heads()}
    other = 1 - pruned_layer
    for name in ("query", "key", "value", "out"):
        attention = frozen[f"block_{pruned_layer}"]["attention"][name]
        np.testing.assert_array_equal(attention["bias"], PARAMS[f"block_{pruned_layer}"]["attention"][name]["bias"])
        assert not np.array_equal(
            frozen[f"block_{other}"]["attention"][name]["kernel"],
            PARAMS[f"block_{other}"]["attention"][name]["kernel"],
        )
    assert not np.array_equal(frozen["embed"]["embedding"], PARAMS["embed"]["embedding"])


def test_zero_fraction_prunes_nothing_and_vmaps_over_fractions_in_adaptive_mode():
    small = HeadMaskTransformer(vocab_size=5, num_layers=1, num_heads=4, d_model=8)
    params = small.init(jax.random.key(1), DATA[0])["params"]
    run = functools.partial(
        run_pruning_cycle, small, strategy="gradient", mode="adaptive", training_steps=2, batch_size=8
    )
    fractions = jnp.array([0.0, 0.25, 0.5])
    results = jax.jit(jax.vmap(lambda f: run(params, DATA, EVAL, f, learning_rate=1e-2, key=jax.random.key(4))))(
        fractions
    )
    assert results.prune_mask.sum(axis=(1, 2)).tolist() == [0, 1, 2]
    assert results.mode == "adaptive" and results.strategy == "gradient"
    assert float(results.pruned.loss[0]) == pytest.approx(float(results.baseline.loss[0]), rel=1e-6)
    assert float(results.recovery_rate[0]) == 0.0
    back = PruningResults.from_json(results.to_json())
    np.testing.assert_array_equal(back.final.loss, results.final.loss)
    assert "pruned_heads" not in json.loads(results.to_json())


def test_argument_errors():
    with pytest.raises(ValueError, match="strategy must be one of"):
        run_pruning_cycle(MODEL, PARAMS, DATA, EVAL, 0.2, "taylor", key=jax.random.key(0))
    with pytest.raises(ValueError, match="prune_fraction must be in"):
        run_pruning_cycle(MODEL, PARAMS, DATA, EVAL, 1.2, key=jax.random.key(0))
    with pytest.raises(ValueError, match="batch_size=64 is larger"):
        run_pruning_cycle(MODEL, PARAMS, DATA, EVAL, key=jax.random.key(0), batch_size=64)
    with pytest.raises(ValueError, match="training_steps must be an integer >= 1"):
        run_pruning_cycle(MODEL, PARAMS, DATA, EVAL, training_steps=0, key=jax.random.key(0))
