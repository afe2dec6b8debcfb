"""Deterministic mechanisms against pytorch_bio_transformations 0.0.5 (golden file made by
tests/golden/make_bio_transformations_golden.py). Torch kernels are (out, in); Flax's are (in, out)."""

import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.learning import crystallize, dales_principle, fuzzy_learning_rates
from biojax.nn import MultiSynapticDense

GOLDEN = np.load(pathlib.Path(__file__).parents[1] / "golden" / "bio_transformations.npz")


def test_crystallize_then_fuzzy_matches_anchor():
    params = {"kernel": jnp.asarray(GOLDEN["crystal_weight"].T)}
    opt = crystallize(threshold=1e-2, dampening=0.6, mask=None)
    state = opt.init(params)
    for step in range(3):
        grads = {"kernel": jnp.asarray(GOLDEN[f"crystal_grad_{step}"].T)}
        updates, state = opt.update(grads, state, params)
        np.testing.assert_allclose(state.factors["kernel"], GOLDEN[f"crystal_factors_{step}"].T, rtol=1e-6)
        np.testing.assert_allclose(updates["kernel"], GOLDEN[f"crystal_scaled_grad_{step}"].T, rtol=1e-6)
    assert (GOLDEN["crystal_factors_2"] < 1).any()


def test_weight_splitting_matches_anchor():
    layer = MultiSynapticDense(6, gamma=2, activation=jax.nn.relu)
    variables = {"params": {"Dense_0": {"kernel": jnp.asarray(GOLDEN["split_weight"].T),
                                        "bias": jnp.asarray(GOLDEN["split_bias"])}}}
    y = layer.apply(variables, jnp.asarray(GOLDEN["split_x"]))
    np.testing.assert_allclose(y, GOLDEN["split_y"], rtol=1e-5, atol=1e-6)


def test_dale_projection_matches_anchor():
    signs = {"kernel": jnp.asarray(GOLDEN["dale_sign"].T)}  # (out, 1) -> (1, out): one sign per output unit
    assert np.all(GOLDEN["dale_init_weight"] * GOLDEN["dale_sign"] >= 0)
    w = jnp.asarray(GOLDEN["dale_init_weight"].T)
    step = jnp.asarray((GOLDEN["dale_perturbed"] - GOLDEN["dale_init_weight"]).T)
    updates, _ = dales_principle(signs).update({"kernel": step}, (), {"kernel": w})
    projected = optax.apply_updates({"kernel": w}, updates)["kernel"]
    np.testing.assert_allclose(projected, GOLDEN["dale_projected"].T, atol=1e-6)


def test_temporal_decay_matches_anchor():
    params = {"kernel": jnp.ones((4, 3))}
    opt = fuzzy_learning_rates("temporal", dynamic=True, update_every=2, decay=0.5, key=jax.random.key(0), mask=None)
    state = opt.init(params)._replace(factors={"kernel": jnp.asarray(GOLDEN["temporal_initial"].T)})
    for _ in range(4):
        _, state = opt.update(params, state, params)
    np.testing.assert_allclose(state.factors["kernel"], GOLDEN["temporal_after_4"].T, rtol=1e-6)
