"""resampling_post_step in the epoch loop: resampling every n steps, fraction 0 switches it off, and under
vmap with an axis name the rewiring runs only where some trial is due."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.nn import dendritic_simple
from biojax.train import TrainState, make_epoch_fn, resampling_post_step


def _setup():
    model = dendritic_simple(2, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
    x = jax.random.normal(jax.random.key(0), (40, 16))
    y = (x[:, 0] > 0).astype(jnp.int32)
    opt = optax.adam(1e-2)
    state = TrainState.from_variables(model.init(jax.random.key(1), x), opt, key=jax.random.key(2))
    return model, opt, state, x, y


def test_epoch_resamples_every_n_steps_and_fraction_zero_is_off():
    model, opt, state, x, y = _setup()

    def run(fraction, period):
        epoch = jax.jit(make_epoch_fn(model.apply, opt, 8, post_step=resampling_post_step(fraction, period)))
        return epoch(state, x, y)

    off, metrics = run(0.0, 2)
    on, _ = run(0.5, 2)
    late, _ = run(0.5, 6)  # 5 steps: never reaches step 6
    base = state.model_state["connectivity"]["dendritic"]["indices"]
    assert int(off.step) == 5 and np.isfinite(float(metrics["loss"]))
    np.testing.assert_array_equal(off.model_state["connectivity"]["dendritic"]["indices"], base)
    np.testing.assert_array_equal(late.model_state["connectivity"]["dendritic"]["indices"], base)
    assert (on.model_state["connectivity"]["dendritic"]["indices"] != base).any()


def test_vmapped_trials_with_an_axis_name_match_each_trial_alone():
    model, opt, state, x, y = _setup()
    fractions, periods = jnp.array([0.0, 0.5, 0.25]), jnp.array([2, 2, 3])

    def train(fraction, period, axis_name=None):
        post = resampling_post_step(fraction, period, axis_name=axis_name)
        return make_epoch_fn(model.apply, opt, 8, post_step=post)(state, x, y)[0]

    batched = jax.jit(jax.vmap(lambda f, p: train(f, p, "trials"), axis_name="trials"))(fractions, periods)
    for i in range(3):
        alone = jax.jit(train)(fractions[i], periods[i])
        np.testing.assert_array_equal(batched.model_state["connectivity"]["dendritic"]["indices"][i],
                                      alone.model_state["connectivity"]["dendritic"]["indices"])
        np.testing.assert_allclose(batched.params["dendritic"]["dendrite_kernel"][i],
                                   alone.params["dendritic"]["dendrite_kernel"], rtol=1e-5, atol=1e-6)


def test_with_an_axis_name_the_rewiring_stays_a_real_branch_under_vmap():
    model, opt, state, x, y = _setup()

    def train(fraction):
        post = resampling_post_step(fraction, 2, axis_name="trials")
        return make_epoch_fn(model.apply, opt, 8, post_step=post)(state, x, y)[0]

    jaxpr = jax.make_jaxpr(jax.vmap(train, axis_name="trials"))(jnp.zeros(3))
    text = str(jaxpr)
    assert " cond[" in text and "psum" in text


def test_missing_connectivity_is_named():
    opt = optax.sgd(0.1)
    state = TrainState.create({"w": jnp.zeros((3, 2))}, opt, key=jax.random.key(0))
    epoch = make_epoch_fn(lambda v, xb: xb @ v["params"]["w"], opt, 4, post_step=resampling_post_step(0.5, 1))
    with pytest.raises(ValueError, match="needs the model's 'connectivity' collection"):
        epoch(state, jnp.ones((8, 3)), jnp.zeros(8, int))
