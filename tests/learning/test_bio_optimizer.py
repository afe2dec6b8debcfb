"""BioConfig, bio_optimizer, stats, and composition with Optax wrappers, jit and vmap."""

import dataclasses
import json

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.learning import (
    ALL_RULES,
    BioConfig,
    bio_optimizer,
    crystallize,
    dale_init,
    fuzzy_learning_rates,
    kernel_mask,
    rejuvenate,
    stats,
    volume_dependent_lr,
)

KEY = jax.random.key(0)


def mlp_params(key=KEY):
    k0, k1 = jax.random.split(key)
    return {
        "Dense_0": {"kernel": jax.random.normal(k0, (8, 6)) * 0.3, "bias": jnp.zeros(6)},
        "Dense_1": {"kernel": jax.random.normal(k1, (6, 3)) * 0.3, "bias": jnp.zeros(3)},
    }


# --- BioConfig -------------------------------------------------------------------------------------


def test_defaults_match_the_anchor():
    config = BioConfig()
    assert config.to_dict() == {
        "weight_splitting_activation_function": "identity",
        "fuzzy_learning_rate_factor_nu": 0.16,
        "dampening_factor": 0.6,
        "crystal_thresh": 4.5e-05,
        "rejuvenation_parameter_dre": 8.0,
        "weight_splitting_Gamma": 0,
        "apply_dales_principle": False,
        "base_lr": 0.1,
        "stability_factor": 2.0,
        "lr_variability": 0.2,
        "fuzzy_lr_distribution": "uniform",
        "fuzzy_lr_min": 0.5,
        "fuzzy_lr_max": 2.0,
        "fuzzy_lr_dynamic": False,
        "fuzzy_lr_decay": 0.9995,
        "fuzzy_lr_update_freq": 100,
        "fuzzy_lr_layer_index": -1,
        "fuzzy_lr_total_layers": -1,
    }


def comprehensive_config():
    """The seed's "comprehensive configuration" example."""
    return BioConfig(
        fuzzy_learning_rate_factor_nu=0.2,
        fuzzy_lr_distribution="normal",
        fuzzy_lr_dynamic=True,
        fuzzy_lr_min=0.5,
        fuzzy_lr_max=1.5,
        fuzzy_lr_update_freq=5,
        fuzzy_lr_decay=0.98,
        dampening_factor=0.7,
        crystal_thresh=5e-05,
        rejuvenation_parameter_dre=10.0,
        weight_splitting_Gamma=2,
        weight_splitting_activation_function="relu",
        base_lr=0.05,
        stability_factor=2.5,
        lr_variability=0.15,
        apply_dales_principle=True,
    )


def test_json_round_trip():
    config = comprehensive_config()
    restored = BioConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert restored == config
    assert restored.weight_splitting_activation_function == "relu"


def test_replace_validates_and_rejects_unknown_fields():
    config = BioConfig().replace(rejuvenation_parameter_dre=14.0)
    assert config.rejuvenation_parameter_dre == 14.0
    with pytest.raises(ValueError, match="unknown BioConfig field"):
        config.replace(bogus=1)
    with pytest.raises(ValueError, match="unknown BioConfig field"):
        BioConfig.from_dict({"bogus": 1})
    with pytest.raises(ValueError, match="rejuvenation_parameter_dre"):
        config.replace(rejuvenation_parameter_dre=-1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.base_lr = 0.5


def test_unnamed_activation_cannot_be_serialised():
    config = BioConfig(weight_splitting_activation_function=lambda x: 2 * x)
    with pytest.raises(ValueError, match="cannot be written"):
        config.to_dict()
    assert BioConfig(weight_splitting_activation_function=jax.nn.relu).to_dict()[
        "weight_splitting_activation_function"
    ] == "relu"


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("fuzzy_learning_rate_factor_nu", 0.0, r"fuzzy_learning_rate_factor_nu must be in \(0.0, inf\)"),
        ("dampening_factor", 1.0, r"dampening_factor must be in \(0.0, 1.0\)"),
        ("dampening_factor", 0.0, r"dampening_factor must be in \(0.0, 1.0\)"),
        ("crystal_thresh", 0.0, "crystal_thresh must be in"),
        ("rejuvenation_parameter_dre", 0.0, "rejuvenation_parameter_dre must be in"),
        ("weight_splitting_Gamma", -1, "weight_splitting_Gamma must be an integer >= 0"),
        ("weight_splitting_activation_function", "not_an_activation", "weight_splitting_activation_function"),
        ("base_lr", 1.0, r"base_lr must be in \(0.0, 1.0\)"),
        ("base_lr", 0.0, r"base_lr must be in \(0.0, 1.0\)"),
        ("stability_factor", 0.0, "stability_factor must be in"),
        ("lr_variability", 0.0, "lr_variability must be in"),
        ("fuzzy_lr_distribution", "cauchy", "fuzzy_lr_distribution must be one of"),
        ("fuzzy_lr_min", -0.1, "fuzzy_lr_min must be in"),
        ("fuzzy_lr_max", 0.1, "fuzzy_lr_min must be <= fuzzy_lr_max"),
        ("fuzzy_lr_decay", 0.0, r"fuzzy_lr_decay must be in \(0.0, 1.0\]"),
        ("fuzzy_lr_decay", 1.1, r"fuzzy_lr_decay must be in \(0.0, 1.0\]"),
        ("fuzzy_lr_update_freq", 0, "fuzzy_lr_update_freq must be an integer >= 1"),
        ("fuzzy_lr_layer_index", -2, "fuzzy_lr_layer_index must be an integer >= -1"),
        ("fuzzy_lr_total_layers", -2, "fuzzy_lr_total_layers must be an integer >= -1"),
    ],
)
def test_every_validation_error(field, value, match):
    with pytest.raises(ValueError, match=match):
        BioConfig(**{field: value})


@pytest.mark.parametrize(
    "field, value",
    [("crystal_thresh", "small"), ("apply_dales_principle", "yes"), ("fuzzy_lr_dynamic", 1), ("weight_splitting_Gamma", 2.0), ("fuzzy_lr_update_freq", 1.5)],
)
def test_wrong_types_raise_type_error(field, value):
    with pytest.raises(TypeError, match=field):
        BioConfig(**{field: value})


# --- bio_optimizer ---------------------------------------------------------------------------------


def test_comprehensive_configuration_trains_and_keeps_dale():
    config = comprehensive_config()
    params, signs = dale_init(mlp_params(), jax.random.key(1))
    opt = bio_optimizer(config, optax.adam(1e-2), key=KEY, signs=signs, exclude_last=True)
    x = jax.random.normal(jax.random.key(2), (32, 8))
    y = jnp.arange(32) % 3

    def loss(p):
        h = jax.nn.relu(x @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"])
        logits = h @ p["Dense_1"]["kernel"] + p["Dense_1"]["bias"]
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    @jax.jit
    def step(p, s):
        value, grads = jax.value_and_grad(loss)(p)
        updates, s = opt.update(grads, s, p)
        return optax.apply_updates(p, updates), s, value

    state = opt.init(params)
    first = None
    for _ in range(30):
        params, state, value = step(params, state)
        first = value if first is None else first
    assert value < first
    assert bool(jnp.all(params["Dense_0"]["kernel"] * signs["Dense_0"]["kernel"] >= 0))
    summary = stats(state)
    assert "fuzzy/Dense_0/kernel/mean" in summary and "fuzzy/Dense_1/kernel/mean" not in summary
    assert set(summary) >= {"crystallized", "rejuvenated", "fuzzy_std", "fuzzy_mean"}


def test_dale_needs_signs():
    with pytest.raises(ValueError, match="signs"):
        bio_optimizer(BioConfig(apply_dales_principle=True), key=KEY)


def test_unknown_rule_and_wrong_config_type():
    with pytest.raises(ValueError, match="rules must be one of"):
        bio_optimizer(BioConfig(), key=KEY, rules=("purge",))
    with pytest.raises(TypeError, match="config must be a BioConfig"):
        bio_optimizer({"base_lr": 0.1}, key=KEY)


def test_rules_act_on_adam_update_not_raw_gradient():
    params = {"Dense_0": {"kernel": jnp.ones((50, 50)), "bias": jnp.zeros(50)}}
    config = BioConfig(fuzzy_learning_rate_factor_nu=0.5)
    opt = bio_optimizer(config, optax.adam(0.1), key=KEY, rules=("fuzzy_learning_rates",))
    grads = jax.tree.map(jnp.ones_like, params)
    updates, state = opt.update(grads, opt.init(params), params)
    factors = state.rules[0].inner_state.factors["Dense_0"]["kernel"]
    np.testing.assert_allclose(updates["Dense_0"]["kernel"], -0.1 * factors, rtol=1e-4)
    np.testing.assert_allclose(updates["Dense_0"]["bias"], -0.1, rtol=1e-4)


def test_order_matches_sequential_application():
    params = mlp_params()
    config = BioConfig(crystal_thresh=0.5)
    key = jax.random.key(7)
    opt = bio_optimizer(config, optax.sgd(0.1), key=key)
    grads = jax.tree.map(lambda w: jnp.full_like(w, 0.01), params)
    updates, _ = opt.update(grads, opt.init(params), params)
    keys = dict(zip(ALL_RULES, jax.random.split(key, len(ALL_RULES))))
    u = jax.tree.map(lambda g: -0.1 * g, grads)
    for rule in (
        volume_dependent_lr(key=keys["volume_dependent_lr"]),
        fuzzy_learning_rates(key=keys["fuzzy_learning_rates"]),
        crystallize(0.5),
        rejuvenate(key=keys["rejuvenate"]),
    ):
        u, _ = rule.update(u, rule.init(params), params, grads=grads)
    chex.assert_trees_all_close(updates, u)


def test_vmap_over_nu_and_dre_compiles_once():
    params = mlp_params()
    grads = jax.tree.map(jnp.ones_like, params)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def one_step(nu, dre):
        config = BioConfig(fuzzy_learning_rate_factor_nu=nu, rejuvenation_parameter_dre=dre)
        opt = bio_optimizer(config, key=KEY, rules=("fuzzy_learning_rates", "rejuvenate"))
        updates, state = opt.update(grads, opt.init(params), params)
        return updates, stats(state)["fuzzy_std"]

    sweep = jax.jit(jax.vmap(one_step))
    _, std_a = sweep(jnp.array([0.05, 0.3]), jnp.array([8.0, 14.0]))
    _, std_b = sweep(jnp.array([0.1, 0.2]), jnp.array([2.0, 4.0]))
    np.testing.assert_allclose(std_a, np.array([0.05, 0.3]) / np.sqrt(3), rtol=0.2)
    assert std_b[0] < std_b[1]


def test_vmap_over_rule_hyperparameters_directly():
    params = {"kernel": jax.random.uniform(KEY, (100, 100), minval=-1, maxval=1)}

    @chex.assert_max_traces(n=1)
    def replaced(dre):
        opt = rejuvenate(dre, key=KEY)
        _, state = opt.update(params, opt.init(params), params)
        return state.inner_state.replaced["kernel"]

    counts = jax.jit(jax.vmap(replaced))(jnp.array([4.0, 8.0, 16.0]))
    assert counts[0] > counts[1] > counts[2] > 0


def test_composes_with_masked_and_multi_transform():
    params = mlp_params()
    grads = jax.tree.map(jnp.ones_like, params)
    only_first = {"Dense_0": {"kernel": True, "bias": False}, "Dense_1": {"kernel": False, "bias": False}}
    opt = optax.chain(optax.sgd(1.0), optax.masked(fuzzy_learning_rates(nu=0.5, key=KEY, mask=None), only_first))
    updates, _ = jax.jit(opt.update)(grads, opt.init(params), params)
    assert not np.allclose(updates["Dense_0"]["kernel"], -1.0)
    np.testing.assert_array_equal(updates["Dense_1"]["kernel"], -1.0)

    labels = {"Dense_0": {"kernel": "bio", "bias": "plain"}, "Dense_1": {"kernel": "plain", "bias": "plain"}}
    multi = optax.multi_transform(
        {"bio": optax.chain(optax.sgd(1.0), crystallize(threshold=10.0, dampening=0.5, mask=None)), "plain": optax.sgd(1.0)},
        labels,
    )
    updates, _ = multi.update(grads, multi.init(params), params)
    np.testing.assert_allclose(updates["Dense_0"]["kernel"], -0.5)
    np.testing.assert_array_equal(updates["Dense_1"]["kernel"], -1.0)


def test_composes_with_inject_hyperparams():
    params = {"kernel": jnp.zeros((30, 30))}
    opt = optax.inject_hyperparams(volume_dependent_lr, static_args=("key",))(base_lr=0.1, lr_variability=1e-6, key=KEY)
    state = opt.init(params)
    update = jax.jit(opt.update)
    ones = {"kernel": jnp.ones((30, 30))}
    first, state = update(ones, state, params)
    state.hyperparams["base_lr"] = jnp.asarray(0.01)
    second, _ = update(ones, state, params)
    np.testing.assert_allclose(first["kernel"], 0.1, rtol=1e-4)
    np.testing.assert_allclose(second["kernel"], 0.01, rtol=1e-4)

    fuzzy = optax.inject_hyperparams(fuzzy_learning_rates, static_args=("key", "distribution"))(nu=0.3, key=KEY)
    updates, _ = jax.jit(fuzzy.update)(ones, fuzzy.init(params), params)
    assert 0.7 - 1e-6 <= float(updates["kernel"].min()) and float(updates["kernel"].max()) <= 1.3 + 1e-6


def test_exclude_and_exclude_last():
    params = mlp_params()
    assert kernel_mask(params, exclude=("Dense_0",))["Dense_0"]["kernel"] is False
    opt = bio_optimizer(BioConfig(), optax.sgd(1.0), key=KEY, exclude_last=True, rules=("fuzzy_learning_rates",))
    grads = jax.tree.map(jnp.ones_like, params)
    updates, _ = opt.update(grads, opt.init(params), params)
    np.testing.assert_array_equal(updates["Dense_1"]["kernel"], -1.0)
    assert not np.allclose(updates["Dense_0"]["kernel"], -1.0)


def test_stats_counts_match_states():
    params = mlp_params()
    opt = bio_optimizer(BioConfig(crystal_thresh=1.0), optax.sgd(0.1), key=KEY)
    grads = jax.tree.map(lambda w: 1e-3 * jnp.ones_like(w), params)
    _, state = opt.update(grads, opt.init(params), params)
    summary = jax.jit(stats)(state)
    crystal = state.rules[2].inner_state.factors
    expected = sum(int((crystal[k]["kernel"] < 1).sum()) for k in ("Dense_0", "Dense_1"))
    assert int(summary["crystallized"]) == expected > 0
    replaced = state.rules[3].inner_state.replaced
    assert int(summary["rejuvenated"]) == int(replaced["Dense_0"]["kernel"] + replaced["Dense_1"]["kernel"])


def test_activity_distribution_gets_activations_through_bio_optimizer():
    params = mlp_params()
    config = BioConfig(fuzzy_lr_distribution="activity", fuzzy_lr_dynamic=True)
    opt = bio_optimizer(config, optax.sgd(1.0), key=KEY, rules=("fuzzy_learning_rates",))
    activations = {
        "Dense_0": {"kernel": jnp.ones((4, 6)), "bias": jnp.zeros(6)},
        "Dense_1": {"kernel": jnp.ones((4, 3)), "bias": jnp.zeros(3)},
    }
    grads = jax.tree.map(jnp.ones_like, params)
    state = opt.init(params)
    plain, _ = opt.update(grads, state, params)
    np.testing.assert_array_equal(plain["Dense_0"]["kernel"], -1.0)
    updates, state = opt.update(grads, state, params, activations=activations)
    counts = state.rules[0].inner_state.activation_counts
    np.testing.assert_array_equal(counts["Dense_0"]["kernel"], 4.0)
    assert not np.allclose(updates["Dense_0"]["kernel"], -1.0)
    np.testing.assert_array_equal(updates["Dense_0"]["bias"], -1.0)
