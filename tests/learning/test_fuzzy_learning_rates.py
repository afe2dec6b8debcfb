"""Fuzzy learning rates: every distribution's statistics, the dynamic rules against NumPy, jit/no-jit."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from absl.testing import parameterized

from biojax.learning import fuzzy_learning_rates

NU = 0.16
KEY = jax.random.key(0)


def factors(distribution, params=None, **kwargs):
    params = {"Dense_0": {"kernel": jnp.ones((100, 100))}} if params is None else params
    state = fuzzy_learning_rates(distribution, key=KEY, **kwargs).init(params)
    return state.inner_state.factors


def kernel_factors(distribution, **kwargs):
    return np.asarray(factors(distribution, **kwargs)["Dense_0"]["kernel"])


def test_baseline_is_all_ones():
    np.testing.assert_array_equal(kernel_factors("baseline"), 1.0)


def test_uniform_mean_spread_bounds():
    f = kernel_factors("uniform", nu=NU)
    assert f.min() >= 1 - NU and f.max() <= 1 + NU
    assert abs(f.mean() - 1) < 0.003
    assert abs(f.std() - NU / np.sqrt(3)) < 0.003


def test_normal_mean_and_std():
    f = kernel_factors("normal", nu=0.2)
    assert abs(f.mean() - 1) < 0.005 and abs(f.std() - 0.2) < 0.005
    assert f.min() >= 0.5 and f.max() <= 2.0


def test_lognormal_mean_one_and_positive_skew():
    f = kernel_factors("lognormal", nu=NU)
    assert abs(f.mean() - 1) < 0.005 and abs(f.std() - 0.161) < 0.006
    assert np.mean((f - f.mean()) ** 3) > 0


def test_gamma_has_mean_one_and_spread_nu_unlike_anchor():
    f = kernel_factors("gamma", nu=NU)
    assert abs(f.mean() - 1) < 0.005
    assert abs(f.std() - NU) < 0.006
    assert np.mean(f >= 2.0) < 0.001  # the anchor's mean-2 gamma has ~45% at the clamp


def test_beta_bounded_with_expected_spread():
    f = kernel_factors("beta", nu=NU)
    assert f.min() >= 1 - NU and f.max() <= 1 + NU
    assert abs(f.mean() - 1) < 0.002
    assert abs(f.std() - NU / np.sqrt(2 / NU + 1)) < 0.002


def test_clamp_bounds_hold():
    f = kernel_factors("normal", nu=1.0, min_factor=0.8, max_factor=1.3)
    assert f.min() == pytest.approx(0.8) and f.max() == pytest.approx(1.3)


def test_layer_adaptive_spread_shrinks_with_depth():
    params = {f"Dense_{i}": {"kernel": jnp.ones((100, 100))} for i in (0, 1, 2, 10)}
    out = factors("layer_adaptive", params=params, nu=NU)
    spans = [float(np.ptp(out[f"Dense_{i}"]["kernel"])) for i in (0, 1, 2, 10)]
    expected = [2 * NU * (1 - 0.5 * i / 4) for i in range(4)]  # Dense_10 is the 4th layer, not the 2nd
    np.testing.assert_allclose(spans, expected, rtol=0.01)


def test_layer_adaptive_index_can_be_overridden():
    params = {"a": {"kernel": jnp.ones((100, 100))}, "b": {"kernel": jnp.ones((100, 100))}}
    out = factors("layer_adaptive", params=params, nu=NU, layer_index=lambda name: 1 if name.startswith("a") else 0)
    assert np.ptp(out["a"]["kernel"]) < np.ptp(out["b"]["kernel"])


def test_weight_adaptive_uses_params_at_init():
    w = jnp.concatenate([jnp.full((100, 200), 0.01), jnp.full((100, 200), 1.0)])
    f = np.asarray(factors("weight_adaptive", params={"Dense_0": {"kernel": w}}, nu=NU)["Dense_0"]["kernel"])
    ratio_small, ratio_large = 0.01 / 0.505, 1.0 / 0.505
    spread = lambda r: NU * np.clip(2 - r, 0.5, 1.5)
    np.testing.assert_allclose(np.abs(f[:100] - 1).max(), spread(ratio_small), rtol=0.01)
    np.testing.assert_allclose(np.abs(f[100:] - 1).max(), spread(ratio_large), rtol=0.01)


def test_temporal_matches_numpy_reference():
    params = {"Dense_0": {"kernel": jnp.ones((20, 20))}}
    opt = fuzzy_learning_rates("temporal", nu=NU, dynamic=True, update_every=2, decay=0.5, key=KEY)
    state = opt.init(params)
    f0 = np.asarray(state.inner_state.factors["Dense_0"]["kernel"])
    ones = jax.tree.map(jnp.ones_like, params)
    _, state = opt.update(ones, state, params)
    np.testing.assert_array_equal(state.inner_state.factors["Dense_0"]["kernel"], f0)
    updates, state = opt.update(ones, state, params)
    np.testing.assert_allclose(state.inner_state.factors["Dense_0"]["kernel"], 1 + (f0 - 1) * 0.5, rtol=1e-6)
    np.testing.assert_allclose(updates["Dense_0"]["kernel"], 1 + (f0 - 1) * 0.5, rtol=1e-6)
    for _ in range(18):  # step 20 = 10 * update_every adds noise 0.1 * U(-nu, nu)
        _, state = opt.update(ones, state, params)
    decayed = 1 + (f0 - 1) * 0.5**10
    noise = np.asarray(state.inner_state.factors["Dense_0"]["kernel"]) - decayed
    assert np.abs(noise).max() <= 0.1 * NU + 1e-6 and np.abs(noise).max() > 0.05 * NU


def test_temporal_is_static_without_dynamic():
    params = {"Dense_0": {"kernel": jnp.ones((5, 5))}}
    opt = fuzzy_learning_rates("temporal", dynamic=False, update_every=1, decay=0.5, key=KEY)
    state = opt.init(params)
    _, new = opt.update(params, state, params)
    np.testing.assert_array_equal(new.inner_state.factors["Dense_0"]["kernel"], state.inner_state.factors["Dense_0"]["kernel"])


def test_activity_resamples_with_narrower_spread_for_active_units():
    params = {"Dense_0": {"kernel": jnp.ones((400, 4)), "bias": jnp.zeros(4)}}
    opt = fuzzy_learning_rates("activity", nu=NU, dynamic=True, key=KEY)
    state = opt.init(params)
    np.testing.assert_array_equal(state.inner_state.factors["Dense_0"]["kernel"], 1.0)
    acts = jnp.array([[1.0, 1.0, 0.0, 0.0]] * 8 + [[1.0, 0.0, 0.0, 0.0]] * 8)  # unit counts 16, 8, 0, 0
    activations = {"Dense_0": {"kernel": acts, "bias": jnp.zeros(4)}}
    _, state = opt.update(params, state, params, activations=activations)
    counts = np.asarray(state.inner_state.activation_counts["Dense_0"]["kernel"])
    np.testing.assert_array_equal(counts, [16, 8, 0, 0])
    f = np.asarray(state.inner_state.factors["Dense_0"]["kernel"])
    n = counts / counts.mean()
    expected = NU * (2 - np.clip(1 + 0.1 * (n - 1), 0.8, 1.2))
    np.testing.assert_allclose(np.abs(f - 1).max(axis=0), expected, rtol=0.02)


def test_activity_without_activations_changes_nothing():
    params = {"Dense_0": {"kernel": jnp.ones((3, 4))}}
    opt = fuzzy_learning_rates("activity", dynamic=True, key=KEY)
    updates, _ = opt.update(params, opt.init(params), params)
    np.testing.assert_array_equal(updates["Dense_0"]["kernel"], 1.0)


def test_only_kernels_are_scaled_by_default():
    params = {"Dense_0": {"kernel": jnp.ones((3, 4)), "bias": jnp.ones(4)}, "LayerNorm_0": {"scale": jnp.ones(4)}}
    opt = fuzzy_learning_rates("uniform", nu=0.5, key=KEY)
    updates, _ = opt.update(params, opt.init(params), params)
    assert not np.allclose(updates["Dense_0"]["kernel"], 1.0)
    np.testing.assert_array_equal(updates["Dense_0"]["bias"], 1.0)
    np.testing.assert_array_equal(updates["LayerNorm_0"]["scale"], 1.0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(distribution="cauchy"), "distribution must be one of"),
        (dict(nu=0.0), "nu must be in"),
        (dict(min_factor=2.0, max_factor=1.0), "min_factor must be <= max_factor"),
        (dict(min_factor=-1.0), "min_factor must be in"),
        (dict(update_every=0), "update_every must be an integer >= 1"),
        (dict(decay=0.0), "decay must be in"),
        (dict(decay=1.5), "decay must be in"),
    ],
)
def test_validation_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fuzzy_learning_rates(key=KEY, **kwargs)


def test_type_errors_name_the_argument():
    with pytest.raises(TypeError, match="nu must be a real number"):
        fuzzy_learning_rates(nu="big", key=KEY)
    with pytest.raises(TypeError, match="dynamic must be True or False"):
        fuzzy_learning_rates(dynamic="yes", key=KEY)


class FuzzyVariantsTest(chex.TestCase, parameterized.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    @parameterized.parameters("uniform", "temporal", "weight_adaptive")
    def test_update_multiplies_by_state_factors(self, distribution):
        params = {"Dense_0": {"kernel": jnp.linspace(-1, 1, 12).reshape(3, 4), "bias": jnp.ones(4)}}
        opt = fuzzy_learning_rates(distribution, key=KEY, dynamic=True)
        state = opt.init(params)
        updates, new_state = self.variant(opt.update)(params, state, params)
        expected = params["Dense_0"]["kernel"] * new_state.inner_state.factors["Dense_0"]["kernel"]
        chex.assert_trees_all_close(updates["Dense_0"]["kernel"], expected)
        chex.assert_trees_all_equal(updates["Dense_0"]["bias"], params["Dense_0"]["bias"])
