"""Bad pruning arguments: fractions (numbers, strings, concrete and traced arrays), non-finite scores and
non-boolean prune masks."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.experimental import checkify

from biojax.checks import checked
from biojax.pruning import apply_head_mask, head_update_mask, prune_scores, pruning_mask

IMPORTANCE = jnp.array([[0.1, 0.5], [0.9, 0.2]])
PARAMS = {"attn": {"out": {"kernel": jnp.ones((2, 1, 3))}}}


@pytest.mark.parametrize("fraction", [1.5, -0.1, float("nan"), jnp.array(1.5), np.array(-0.5)])
def test_out_of_range_fractions_raise(fraction):
    with pytest.raises(ValueError, match=r"prune_fraction must be in \[0.0, 1.0\]"):
        pruning_mask(fraction, "gradient", importance=IMPORTANCE)


@pytest.mark.parametrize("fraction", ["0.5", None, True, [0.5], jnp.array(True)])
def test_fractions_of_the_wrong_type_raise(fraction):
    with pytest.raises(TypeError, match="prune_fraction must be a real number in \\[0, 1\\] or a real scalar array"):
        pruning_mask(fraction, "gradient", importance=IMPORTANCE)


def test_a_fraction_array_must_be_a_scalar():
    with pytest.raises(ValueError, match=r"prune_fraction must be a scalar \(vmap over fractions\), got shape \(2,\)"):
        pruning_mask(jnp.array([0.5, 0.5]), "gradient", importance=IMPORTANCE)


def test_a_traced_fraction_is_checked_inside_checked_only():
    masks = jax.jit(lambda f: pruning_mask(f, "gradient", importance=IMPORTANCE))
    assert bool(masks(1.5).all())  # unchecked under plain jit (documented): every head
    with pytest.raises(checkify.JaxRuntimeError, match=r"prune_fraction must be in \[0.0, 1.0\], got 1.5"):
        checked(jax.jit(lambda f: pruning_mask(f, "gradient", importance=IMPORTANCE)))(1.5)
    ok = checked(jax.jit(lambda f: pruning_mask(f, "gradient", importance=IMPORTANCE)))(0.5)
    np.testing.assert_array_equal(ok, pruning_mask(0.5, "gradient", importance=IMPORTANCE))


@pytest.mark.parametrize("name", ["entropy", "importance"])
def test_non_finite_scores_raise_and_traced_ones_inside_checked(name):
    bad = IMPORTANCE.at[0, 1].set(jnp.nan)
    strategy = {"entropy": "entropy", "importance": "gradient"}[name]
    with pytest.raises(ValueError, match=f"{name} must be finite scores, got 1 NaN or inf entries"):
        pruning_mask(0.5, strategy, **{name: bad})
    with pytest.raises(checkify.JaxRuntimeError, match=f"{name} must be finite scores, got 1 NaN or inf entries"):
        checked(jax.jit(lambda s: prune_scores(strategy, **{name: s})))(bad)


@pytest.mark.parametrize("mask", [jnp.array([[0.3, 1.0]]), jnp.array([[0, 1]]), np.array([[1.0, 0.0]])])
def test_prune_masks_must_be_boolean(mask):
    for fn in (lambda m: apply_head_mask(PARAMS, m), lambda m: head_update_mask(PARAMS, m, "compressed")):
        with pytest.raises(TypeError, match="prune_mask must be a boolean \\[layers, heads\\] array .* pass head_mask == 0"):
            fn(mask)
