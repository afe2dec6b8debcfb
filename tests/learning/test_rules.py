"""Crystallization, volume-dependent LR, rejuvenation and Dale's principle against NumPy references."""

import math

import chex
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings

from biojax.learning import crystallize, dale_init, dales_principle, rejuvenate, volume_dependent_lr
from biojax.learning.rejuvenate import rejuvenation_mask

KEY = jax.random.key(0)


def crystallize_reference(factors, g, w, threshold, dampening):
    g, w = np.abs(g), np.abs(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        hit = (g / w < threshold) | (g > w.mean())
    return np.where(hit, factors * dampening, factors)


class CrystallizeTest(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_matches_numpy_over_steps(self):
        rng = np.random.default_rng(0)
        w = rng.normal(0, 0.05, (30, 20)).astype(np.float32)
        w[0, 0] = 0.0  # |g|/|w| = inf: not selected by the first criterion
        params = {"Dense_0": {"kernel": jnp.asarray(w), "bias": jnp.zeros(20)}}
        opt = crystallize(threshold=1e-2, dampening=0.6)
        update = self.variant(opt.update)
        state = opt.init(params)
        expected = np.ones_like(w)
        for _ in range(3):
            g = rng.normal(0, 1e-3, w.shape).astype(np.float32) * rng.choice([1, 100], w.shape)
            grads = {"Dense_0": {"kernel": jnp.asarray(g), "bias": jnp.ones(20)}}
            updates, state = update(grads, state, params)
            expected = crystallize_reference(expected, g, w, 1e-2, 0.6)
            np.testing.assert_allclose(state.inner_state.factors["Dense_0"]["kernel"], expected, rtol=1e-6)
            np.testing.assert_allclose(updates["Dense_0"]["kernel"], g * expected, rtol=1e-6)
            np.testing.assert_array_equal(updates["Dense_0"]["bias"], 1.0)
        assert 0 < (expected < 1).mean() < 1 and expected.min() < 0.6

    def test_raw_grads_extra_arg_drive_the_criterion(self):
        params = {"kernel": jnp.ones((1, 2))}
        opt = crystallize(threshold=1e-3, dampening=0.5)
        updates = {"kernel": jnp.array([[1e-5, 1e-5]])}
        grads = {"kernel": jnp.array([[1e-4, 0.1]])}
        _, state = opt.update(updates, opt.init(params), params, grads=grads)
        np.testing.assert_array_equal(state.inner_state.factors["kernel"], [[0.5, 1.0]])

    def test_needs_params(self):
        params = {"kernel": jnp.ones((2, 2))}
        opt = crystallize()
        with pytest.raises(ValueError, match="needs params"):
            opt.update(params, opt.init(params))



class VolumeTest(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_factor_matches_numpy_mean_without_noise(self):
        w = np.linspace(-3, 3, 60, dtype=np.float32).reshape(6, 10)
        params = {"kernel": jnp.asarray(w)}
        opt = volume_dependent_lr(0.1, 2.5, 1e-6, key=KEY)
        updates, _ = self.variant(opt.update)({"kernel": jnp.ones_like(params["kernel"])}, opt.init(params), params)
        mu = 0.1 * np.exp(-2.5 * np.abs(w) / (np.abs(w) + 1))
        np.testing.assert_allclose(updates["kernel"], mu, rtol=1e-4)

    def test_noise_statistics_fresh_per_step(self):
        params = {"kernel": jnp.zeros((200, 200))}
        opt = volume_dependent_lr(0.1, 2.0, 0.2, key=KEY)
        state = opt.init(params)
        ones = {"kernel": jnp.ones((200, 200))}
        f1, state = opt.update(ones, state, params)
        f2, _ = opt.update(ones, state, params)
        f1, f2 = np.asarray(f1["kernel"]), np.asarray(f2["kernel"])
        assert abs(f1.mean() - 0.1) < 0.001 and abs(f1.std() - 0.02) < 0.001
        assert (f1 > 0).all() and not np.allclose(f1, f2)

    def test_larger_weights_get_smaller_factors(self):
        params = {"kernel": jnp.concatenate([jnp.full((100, 100), 0.01), jnp.full((100, 100), 5.0)])}
        opt = volume_dependent_lr(key=KEY)
        f, _ = opt.update({"kernel": jnp.ones((200, 100))}, opt.init(params), params)
        assert f["kernel"][:100].mean() > 2 * f["kernel"][100:].mean()



class RejuvenateTest(chex.TestCase):
    def test_probability_per_magnitude_is_erfc(self):
        w = jnp.repeat(jnp.array([0.0, 0.05, 0.1, 0.2, 1.0]), 20000)
        hits = np.asarray(rejuvenation_mask(KEY, w, 8.0)[0]).reshape(5, -1).mean(1)
        expected = [math.erfc(v / (math.sqrt(2) * 1.0 / 8.0)) for v in (0.0, 0.05, 0.1, 0.2, 1.0)]
        np.testing.assert_allclose(hits, expected, atol=0.01)

    @chex.variants(with_jit=True, without_jit=True)
    def test_replaced_weights_become_uniform_draws(self):
        w = jax.random.uniform(jax.random.key(2), (300, 300), minval=-0.5, maxval=0.5)
        params = {"Dense_0": {"kernel": w, "bias": jnp.zeros(300)}}
        opt = optax.chain(optax.sgd(1e-3), rejuvenate(dre=4.0, key=KEY))
        grads = jax.tree.map(jnp.ones_like, params)
        updates, state = self.variant(opt.update)(grads, opt.init(params), params)
        new = np.asarray(optax.apply_updates(params, updates)["Dense_0"]["kernel"])
        replaced = ~np.isclose(new, np.asarray(w) - 1e-3, atol=1e-7)
        assert int(state[1].inner_state.replaced["Dense_0"]["kernel"]) == replaced.sum()
        values = new[replaced]
        max_w = float(jnp.abs(w).max())
        assert np.abs(values).max() <= max_w and abs(values.mean()) < 0.02
        assert abs(values.std() - max_w / math.sqrt(3)) < 0.02
        np.testing.assert_allclose(updates["Dense_0"]["bias"], -1e-3)

    def test_every_skips_steps(self):
        params = {"kernel": jax.random.uniform(KEY, (50, 50), minval=-1, maxval=1)}
        opt = rejuvenate(dre=2.0, every=3, key=KEY)
        state = opt.init(params)
        zeros = {"kernel": jnp.zeros((50, 50))}
        counts = []
        update = jax.jit(opt.update)
        for _ in range(6):
            _, state = update(zeros, state, params)
            counts.append(int(state.inner_state.replaced["kernel"]))
        assert counts[0] == counts[1] == counts[3] == counts[4] == 0 and counts[2] > 0 and counts[5] > 0



def test_dale_init_signs_per_output_unit():
    params = {"Dense_0": {"kernel": jax.random.normal(KEY, (50, 40)), "bias": jnp.ones(40)}}
    new, signs = dale_init(params, jax.random.key(3))
    s = signs["Dense_0"]["kernel"]
    assert s.shape == (1, 40) and set(np.unique(s)) == {-1.0, 1.0} and signs["Dense_0"]["bias"] is None
    np.testing.assert_array_equal(new["Dense_0"]["kernel"], jnp.abs(params["Dense_0"]["kernel"]) * s)
    np.testing.assert_array_equal(new["Dense_0"]["bias"], params["Dense_0"]["bias"])


@jax.jit
def _dale_trajectory(seed_key, lr):
    key_p, key_s, key_g = jax.random.split(seed_key, 3)
    params = {"a": {"kernel": jax.random.normal(key_p, (6, 5))},
              "b": {"kernel": jnp.ones((5, 3)), "bias": jnp.zeros(20)}}
    params, signs = dale_init(params, key_s)
    opt = optax.chain(optax.sgd(lr, momentum=0.9), dales_principle(signs))

    def body(carry, k):
        p, s = carry
        grads = jax.tree.map(lambda x: jax.random.normal(k, x.shape), p)
        updates, s = opt.update(grads, s, p)
        new = optax.apply_updates(p, updates)
        return (new, s), new

    _, trajectory = jax.lax.scan(body, (params, opt.init(params)), jax.random.split(key_g, 40))
    return trajectory, signs


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), lr=st.floats(0.01, 2.0))
def test_dale_invariant_after_many_random_steps(seed, lr):
    trajectory, signs = _dale_trajectory(jax.random.key(seed), lr)
    for name in ("a", "b"):
        assert bool(jnp.all(trajectory[name]["kernel"] * signs[name]["kernel"] >= 0))
    assert bool(jnp.any(trajectory["b"]["bias"] < 0))  # biases are unconstrained


def test_dale_projection_is_relu_of_signed_weights():
    params = {"kernel": jnp.array([[0.3, -0.3], [0.1, -0.1]])}
    signs = {"kernel": jnp.array([[1.0, -1.0]])}
    step = {"kernel": jnp.array([[-0.5, 0.1], [0.2, 0.4]])}
    updates, _ = dales_principle(signs).update(step, (), params)
    expected = np.maximum((params["kernel"] + step["kernel"]) * signs["kernel"], 0) * signs["kernel"]
    np.testing.assert_allclose(optax.apply_updates(params, updates)["kernel"], expected, atol=1e-7)


def test_dale_excitatory_fraction_validated():
    with pytest.raises(ValueError, match="excitatory_fraction"):
        dale_init({"kernel": jnp.ones((2, 2))}, KEY, excitatory_fraction=1.5)


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(threshold=0.0), "threshold"), (dict(dampening=1.0), "dampening"), (dict(dampening=0.0), "dampening")],
)
def test_crystallize_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        crystallize(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(base_lr=1.0), "base_lr"), (dict(base_lr=0.0), "base_lr"),
     (dict(stability_factor=0.0), "stability_factor"), (dict(lr_variability=-0.1), "lr_variability")],
)
def test_volume_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        volume_dependent_lr(key=KEY, **kwargs)


@pytest.mark.parametrize("kwargs, match", [(dict(dre=0.0), "dre"), (dict(every=0), "every")])
def test_rejuvenate_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rejuvenate(key=KEY, **kwargs)


@pytest.mark.parametrize("dre", [8.0, 14.0])
def test_replacement_fraction_is_sqrt_2_over_pi_over_dre(dre):
    w = jax.random.uniform(jax.random.key(1), (400, 400), minval=-1.0, maxval=1.0)
    hit, _ = rejuvenation_mask(KEY, w, dre)
    assert float(hit.mean()) == pytest.approx(math.sqrt(2 / math.pi) / dre, rel=0.03)
