"""pruning_mask: each strategy on hand-built scores, the anchor's fixture, k, options and errors."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biojax.pruning import prune_scores, pruning_mask

# sentinel-ai tests/unit/utils/test_neural_plasticity.py fixture (reference notes A.5).
GRAD = jnp.array([[0.1, 0.5, 0.2, 0.8], [0.3, 0.1, 0.7, 0.2], [0.9, 0.4, 0.1, 0.6]])
ENT = jnp.array([[0.8, 0.3, 0.7, 0.2], [0.5, 0.9, 0.1, 0.6], [0.2, 0.4, 0.8, 0.3]])
ANCHOR_COMBINED = [0.925, 0.35, 0.8, 0.125, 0.6, 1.0, 0.1, 0.725, 0.075, 0.475, 0.925, 0.3]


def pruned(mask):
    return [tuple(int(i) for i in pair) for pair in np.argwhere(np.asarray(mask))]


@pytest.mark.parametrize("strategy", ["gradient", "entropy", "combined"])
def test_anchor_fixture_prunes_the_diagonal(strategy):
    mask = pruning_mask(0.25, strategy, entropy=ENT, importance=GRAD)
    assert pruned(mask) == [(0, 0), (1, 1), (2, 2)]


def test_combined_scores_match_the_anchor():
    scores = prune_scores("combined", entropy=ENT, importance=GRAD)
    np.testing.assert_allclose(scores.reshape(-1), ANCHOR_COMBINED, atol=1e-6)


def test_each_strategy_on_hand_built_scores():
    importance = jnp.array([[5.0, 1.0, 3.0], [0.5, 4.0, 2.0]])
    entropy = jnp.array([[0.1, 0.2, 0.95], [0.3, 0.9, 0.4]])
    assert pruned(pruning_mask(2 / 6, "gradient", importance=importance)) == [(0, 1), (1, 0)]
    assert pruned(pruning_mask(2 / 6, "entropy", entropy=entropy)) == [(0, 2), (1, 1)]
    # combined: (0,2) is diffuse and mid-importance, (1,0) is the least important.
    combined = 0.6 * (entropy - 0.1) / 0.85 + 0.4 * (1 - (importance - 0.5) / 4.5)
    top = np.argsort(-np.asarray(combined).reshape(-1), kind="stable")[:2]
    expected = sorted((int(i) // 3, int(i) % 3) for i in top)
    assert pruned(pruning_mask(2 / 6, "combined", entropy=entropy, importance=importance)) == expected


@pytest.mark.parametrize("fraction, count", [(0.0, 0), (0.1, 1), (0.25, 3), (0.5, 6), (0.99, 11), (1.0, 12)])
def test_k_is_floor_of_total_times_fraction(fraction, count):
    assert int(pruning_mask(fraction, "gradient", importance=GRAD).sum()) == count


def test_random_needs_a_key_and_is_reproducible():
    with pytest.raises(ValueError, match="needs a jax.random key"):
        pruning_mask(0.5, "random", shape=(3, 4))
    a = pruning_mask(0.5, "random", key=jax.random.key(0), shape=(3, 4))
    b = pruning_mask(0.5, "random", key=jax.random.key(0), importance=GRAD)
    c = pruning_mask(0.5, "random", key=jax.random.key(1), shape=(3, 4))
    assert int(a.sum()) == 6 and bool(jnp.all(a == b)) and not bool(jnp.all(a == c))


def test_keep_one_per_layer_keeps_the_best_head_of_every_layer():
    mask = pruning_mask(1.0, "gradient", importance=GRAD, keep_one_per_layer=True)
    kept = np.argwhere(~np.asarray(mask))
    assert kept.tolist() == [[0, 3], [1, 2], [2, 0]]  # the most important head of each layer
    # Below the cap the option changes nothing when no layer would be emptied.
    np.testing.assert_array_equal(
        pruning_mask(0.25, "gradient", importance=GRAD, keep_one_per_layer=True),
        pruning_mask(0.25, "gradient", importance=GRAD),
    )


def test_keep_one_per_layer_moves_the_choice_to_other_layers():
    importance = jnp.array([[0.0, 0.1], [5.0, 6.0]])
    assert pruned(pruning_mask(0.5, "gradient", importance=importance)) == [(0, 0), (0, 1)]
    assert pruned(pruning_mask(0.5, "gradient", importance=importance, keep_one_per_layer=True)) == [
        (0, 0),
        (1, 0),
    ]


def test_traced_fraction_compiles_once_and_matches_python_fractions():
    @jax.jit
    @chex.assert_max_traces(n=1)
    def masks(fraction):
        return pruning_mask(fraction, "combined", entropy=ENT, importance=GRAD)

    fractions = [0.0, 0.1, 0.25, 0.5, 0.7, 1.0]
    batched = jax.vmap(masks)(jnp.array(fractions))
    for row, fraction in zip(batched, fractions):
        np.testing.assert_array_equal(row, pruning_mask(fraction, "combined", entropy=ENT, importance=GRAD))
    masks(jnp.float32(0.3))  # a new value, no new trace


@settings(max_examples=8, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.floats(0.0, 1.0), st.integers(0, 1000))
def test_count_matches_int_total_fraction(layers, heads, fraction, seed):
    scores = jnp.asarray(np.random.default_rng(seed).normal(size=(layers, heads)))
    mask = pruning_mask(fraction, "entropy", entropy=scores)
    assert int(mask.sum()) == int(layers * heads * fraction)
    protected = pruning_mask(fraction, "entropy", entropy=scores, keep_one_per_layer=True)
    assert np.all(np.asarray(~protected).sum(axis=1) >= 1)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="same"):
        pruning_mask(0.2, "combined", entropy=ENT, importance=GRAD[:, :3])
    with pytest.raises(ValueError, match="needs entropy"):
        pruning_mask(0.2, "entropy", importance=GRAD)
    with pytest.raises(ValueError, match="needs importance"):
        pruning_mask(0.2, "combined", entropy=ENT)
    with pytest.raises(ValueError, match="importance must be a \\[layers, heads\\]"):
        pruning_mask(0.2, "gradient", importance=GRAD.reshape(-1))
    with pytest.raises(ValueError, match="strategy must be one of"):
        pruning_mask(0.2, "magnitude", importance=GRAD)
    with pytest.raises(ValueError, match="prune_fraction must be in"):
        pruning_mask(1.5, "gradient", importance=GRAD)
    with pytest.raises(ValueError, match="shape"):
        pruning_mask(0.2, "random", key=jax.random.key(0))
