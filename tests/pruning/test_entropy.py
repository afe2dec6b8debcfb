"""head_entropy: normalisation, anchor reference values, padding and causal masks, input forms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biojax.nn import causal_attention_mask
from biojax.pruning import head_entropy


def softmax(logits):
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def random_weights(seed, shape):
    return softmax(np.random.default_rng(seed).normal(size=shape)).astype(np.float32)


JIT_ENTROPY = jax.jit(head_entropy)


def test_uniform_attention_has_entropy_one_and_one_hot_zero():
    uniform = jnp.full((2, 3, 4, 6, 6), 1 / 6)
    np.testing.assert_allclose(head_entropy(uniform), np.ones((2, 4)), rtol=1e-6)
    one_hot = jnp.broadcast_to(jax.nn.one_hot(jnp.array([2, 0, 5, 1, 1, 3]), 6), (2, 3, 4, 6, 6))
    np.testing.assert_array_equal(head_entropy(one_hot), np.zeros((2, 4)))


@pytest.mark.parametrize(
    "peak, column, expected",
    [(0.8, "diagonal", 0.408), (0.9, "first", 0.237)],
)
def test_anchor_reference_values(peak, column, expected):
    seq = 10
    rest = (1 - peak) / (seq - 1)
    targets = np.arange(seq) if column == "diagonal" else np.zeros(seq, int)
    rows = np.full((seq, seq), rest)
    rows[np.arange(seq), targets] = peak
    assert float(head_entropy(jnp.asarray(rows)[None, None, None])[0, 0]) == pytest.approx(expected, abs=5e-4)


def test_result_is_layers_by_heads_not_heads_by_seq():
    weights = random_weights(0, (3, 2, 5, 7, 7))
    assert head_entropy(weights).shape == (3, 5)


def test_sequence_of_layers_equals_stacked_array():
    weights = random_weights(1, (3, 2, 4, 5, 5))
    np.testing.assert_allclose(head_entropy(list(weights)), head_entropy(weights), rtol=1e-6)


def test_causal_uniform_attention_is_one_with_the_mask_and_below_one_without():
    seq = 6
    causal = jnp.tril(jnp.ones((seq, seq)))
    weights = (causal / causal.sum(-1, keepdims=True))[None, None, None]
    mask = causal_attention_mask(jnp.zeros((1, seq), int))
    assert float(head_entropy(weights, mask)[0, 0]) == pytest.approx(1.0, rel=1e-6)
    assert float(head_entropy(weights)[0, 0]) < 0.8  # the anchor's log(seq) normalisation


def test_key_padding_normalises_by_the_valid_keys_and_ignores_their_weights():
    seq, valid = 8, 5
    key_mask = jnp.arange(seq) < valid
    weights = jnp.where(key_mask, 1.0 / valid, 0.0) * jnp.ones((1, 2, 1, seq, seq))
    mask = jnp.broadcast_to(key_mask, (2, 1, seq, seq))
    assert float(head_entropy(weights, mask)[0, 0]) == pytest.approx(1.0)
    # Weight put on padded keys does not count: the row is renormalised over valid keys.
    noisy = weights.at[..., valid:].set(0.3)
    np.testing.assert_allclose(head_entropy(noisy, mask), head_entropy(weights, mask), rtol=1e-6)


def test_rows_without_two_valid_keys_are_left_out():
    seq = 4
    mask = jnp.ones((1, 1, seq, seq), bool).at[0, 0, 0].set(False).at[0, 0, 0, 0].set(True)
    weights = jnp.full((1, 1, 1, seq, seq), 1 / seq).at[0, 0, 0, 0].set(jax.nn.one_hot(0, seq))
    # Row 0 has one valid key (entropy 0/log 1), the other rows are uniform: the mean is 1, not 0.75.
    assert float(head_entropy(weights, mask)[0, 0]) == pytest.approx(1.0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 4), st.floats(0.1, 20.0))
def test_entropy_is_within_zero_and_one(seed, seq, temperature):
    logits = temperature * np.random.default_rng(seed).normal(size=(2, 2, 3, seq, seq))
    entropy = np.asarray(JIT_ENTROPY(softmax(logits).astype(np.float32)))
    assert np.all(entropy >= -1e-6) and np.all(entropy <= 1 + 1e-6)


def test_jit_and_bad_shapes():
    weights = jnp.full((1, 1, 2, 3, 3), 1 / 3)
    np.testing.assert_allclose(jax.jit(head_entropy)(weights), np.ones((1, 2)), rtol=1e-6)
    with pytest.raises(ValueError, match="attention_weights must be"):
        head_entropy(jnp.ones((2, 3, 3)))
    with pytest.raises(ValueError, match=r"attention_weights\[0\]"):
        head_entropy([jnp.ones((3, 3))])
    with pytest.raises(ValueError, match="at least one layer"):
        head_entropy([])
