"""HeadMaskTransformer: attention weights, causality, head mask semantics."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import HeadMaskTransformer

MODEL = HeadMaskTransformer(vocab_size=7, num_layers=2, num_heads=2, d_model=8, mlp_dim=16)
TOKENS = jax.random.randint(jax.random.key(0), (3, 6), 0, 7)
PARAMS = MODEL.init(jax.random.key(1), TOKENS)["params"]
APPLY = jax.jit(lambda p, t, m: MODEL.apply({"params": p}, t, m, return_attention=True))


def test_attention_weights_are_causal_probabilities():
    logits, weights = APPLY(PARAMS, TOKENS, jnp.ones((2, 2)))
    assert logits.shape == (3, 6, 7) and weights.shape == (2, 3, 2, 6, 6)
    np.testing.assert_allclose(weights.sum(-1), np.ones((2, 3, 2, 6)), rtol=1e-5)
    assert np.all(np.asarray(weights)[..., np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0)


def test_future_tokens_do_not_change_earlier_logits():
    changed = TOKENS.at[:, 4:].set((TOKENS[:, 4:] + 1) % 7)
    a, _ = APPLY(PARAMS, TOKENS, jnp.ones((2, 2)))
    b, _ = APPLY(PARAMS, changed, jnp.ones((2, 2)))
    np.testing.assert_allclose(a[:, :4], b[:, :4], atol=1e-6)
    assert not np.allclose(a[:, 4:], b[:, 4:])


def test_head_mask_of_ones_is_the_unmasked_model_and_zeros_change_it():
    plain = MODEL.apply({"params": PARAMS}, TOKENS)
    # Jitted against op-by-op float32: fused and unfused rounding differ by ~1e-6 on logits of size ~1.
    np.testing.assert_allclose(APPLY(PARAMS, TOKENS, jnp.ones((2, 2)))[0], plain, rtol=1e-5, atol=1e-5)
    assert not np.allclose(APPLY(PARAMS, TOKENS, jnp.ones((2, 2)).at[1, 0].set(0.0))[0], plain)


def test_bad_shapes():
    with pytest.raises(ValueError, match="head_mask must have shape"):
        MODEL.apply({"params": PARAMS}, TOKENS, jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="d_model must be a multiple"):
        HeadMaskTransformer(vocab_size=3, num_heads=3, d_model=8).init(jax.random.key(0), TOKENS)
