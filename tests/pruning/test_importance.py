"""head_importance: Michel et al.'s |dL/d head_mask| against finite differences, and W_O gradient norms."""

import contextlib
import functools
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import HeadMaskTransformer
from biojax.pruning import head_importance, normalize_per_layer
from biojax.pruning.cycle import sequence_cross_entropy

MODEL = HeadMaskTransformer(vocab_size=5, num_layers=2, num_heads=3, d_model=12, mlp_dim=8)
TOKENS = jax.random.randint(jax.random.key(0), (3, 4, 6), 0, 5)  # 3 batches of 4 sequences
PARAMS = MODEL.init(jax.random.key(1), TOKENS[0])["params"]


def loss_fn(params, head_mask, batch):
    logits = MODEL.apply({"params": params}, batch[:, :-1], head_mask)
    return sequence_cross_entropy(logits, batch[:, 1:])


@contextlib.contextmanager
def float64():
    """64-bit floats inside the block (``jax.enable_x64`` exists only from jax 0.8, the lower bound is older)."""
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


@functools.partial(jax.jit, static_argnames=("method", "normalize"))
def importance_at(head_mask, method="head_mask", normalize=False):
    return head_importance(loss_fn, PARAMS, TOKENS, head_mask, method=method, normalize=normalize)


ONES = jnp.ones((2, 3))


def test_importance_equals_finite_differences_of_the_head_mask():
    importance = importance_at(ONES)
    with float64():
        params64 = jax.tree.map(lambda p: p.astype(jnp.float64), PARAMS)
        eps = 1e-5
        loss64 = jax.jit(loss_fn)
        estimate = np.zeros((2, 3))
        for batch in TOKENS:
            for layer in range(2):
                for head in range(3):
                    bump = jnp.zeros((2, 3), jnp.float64).at[layer, head].set(eps)
                    up = loss64(params64, 1.0 + bump, batch)
                    down = loss64(params64, 1.0 - bump, batch)
                    estimate[layer, head] += abs(float(up - down) / (2 * eps)) / len(TOKENS)
    np.testing.assert_allclose(importance, estimate, rtol=2e-3, atol=1e-6)
    assert np.all(estimate > 0)


def test_w_o_grad_norm_is_the_norm_of_each_heads_output_projection_gradient():
    importance = importance_at(ONES, method="w_o_grad_norm")
    expected = np.zeros((2, 3))
    grad_fn = jax.jit(jax.grad(loss_fn))
    for batch in TOKENS:
        grads = grad_fn(PARAMS, jnp.ones((2, 3)), batch)
        for layer in range(2):
            kernel = np.asarray(grads[f"block_{layer}"]["attention"]["out"]["kernel"])
            expected[layer] += np.linalg.norm(kernel.reshape(3, -1), axis=1) / len(TOKENS)
    np.testing.assert_allclose(importance, expected, rtol=1e-5)


def test_per_layer_normalisation_and_mask_argument():
    normalised = importance_at(ONES, normalize=True)
    np.testing.assert_allclose(np.linalg.norm(normalised, axis=1), np.ones(2), rtol=1e-5)
    raw = importance_at(ONES)
    np.testing.assert_allclose(normalised, normalize_per_layer(raw), rtol=1e-5)
    # Scoring at a mask with one head removed changes the other heads' scores.
    masked = importance_at(ONES.at[0, 0].set(0.0))
    assert not np.allclose(masked, raw)


def test_errors():
    with pytest.raises(ValueError, match="head_mask must have shape"):
        head_importance(loss_fn, PARAMS, TOKENS, jnp.ones((3, 2)))
    with pytest.raises(ValueError, match="method must be one of"):
        head_importance(loss_fn, PARAMS, TOKENS, method="taylor")
    with pytest.raises(ValueError, match="leading axis"):
        head_importance(loss_fn, PARAMS, (TOKENS, TOKENS[:2]))
    with pytest.raises(ValueError, match="no attention output kernel"):
        head_importance(loss_fn, {"dense": {"kernel": jnp.ones((2, 2))}}, TOKENS)
