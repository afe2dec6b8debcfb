"""Bad settings of the learning rules: infinite numbers, concrete arrays out of range, traced ones inside
``checked``, and Dale sign trees of the wrong values or structure."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.experimental import checkify

from biojax.checks import checked
from biojax.learning import BioConfig, check_signs, crystallize, dale_init, dales_principle, rejuvenate

PARAMS = {"dense": {"kernel": jnp.array([[0.5, -0.5], [0.2, 0.1]]), "bias": jnp.zeros(2)}}


@pytest.mark.parametrize("field", ["crystal_thresh", "rejuvenation_parameter_dre", "fuzzy_learning_rate_factor_nu",
                                   "stability_factor", "lr_variability", "fuzzy_lr_max"])
@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_bio_config_rejects_non_finite_numbers(field, value):
    with pytest.raises(ValueError, match=field):
        BioConfig(**{field: value})


def test_concrete_arrays_are_range_checked_and_tracers_only_inside_checked():
    with pytest.raises(ValueError, match=r"dampening_factor must be in \(0.0, 1.0\), got 1.5"):
        BioConfig(dampening_factor=jnp.array(1.5))
    with pytest.raises(ValueError, match="crystal_thresh must be finite, got 1 NaN or inf entries"):
        BioConfig(crystal_thresh=np.array([1e-5, np.inf]))
    with pytest.raises(TypeError, match="dre must be a real number or a real array, got an array of dtype bool"):
        rejuvenate(jnp.array(True), key=jax.random.key(0))
    build = lambda dre: rejuvenate(dre, key=jax.random.key(0)).init(PARAMS)  # noqa: E731
    jax.jit(build)(jnp.array(-1.0))  # traced: not checked under plain jit
    with pytest.raises(checkify.JaxRuntimeError, match=r"dre must be finite and in \(0.0, inf\), got values in \[-1.0, -1.0\]"):
        checked(jax.jit(build))(jnp.array(-1.0))
    checked(jax.jit(build))(jnp.array(8.0))
    with pytest.raises(ValueError, match="threshold must be a finite number, got inf"):
        crystallize(float("inf"))


@pytest.mark.parametrize("bad", [0.0, 2.0, 0.5])
def test_dale_signs_must_be_plus_or_minus_one(bad):
    signs = {"dense": {"kernel": jnp.array([[1.0, bad]]), "bias": None}}
    with pytest.raises(ValueError, match=rf"signs\['dense'\]\['kernel'\] must hold only \+1 and -1 .* e.g. {bad}"):
        dales_principle(signs)
    with pytest.raises(TypeError, match=r"signs\['dense'\]\['kernel'\] must be None or a real array"):
        check_signs({"dense": {"kernel": "+-", "bias": None}})


def test_dale_signs_of_another_structure_or_shape_fail_naming_signs():
    _, signs = dale_init(PARAMS, jax.random.key(0))
    other = {"other": signs["dense"]}
    opt = optax.chain(optax.sgd(0.1), dales_principle(other))
    with pytest.raises(ValueError, match=r"signs must have the tree structure of the params .* "
                                         r"params leaves without a sign: \[\"\['dense'\]\['bias'\]\""):
        opt.init(PARAMS)
    wide = {"dense": {"kernel": jnp.ones((1, 3)), "bias": None}}
    with pytest.raises(ValueError, match=r"signs\['dense'\]\['kernel'\] of shape \(1, 3\) does not broadcast"):
        dales_principle(wide).init(PARAMS)
    rule = dales_principle(signs)
    state = rule.init(PARAMS)
    with pytest.raises(ValueError, match="signs must have the tree structure"):
        rule.update({"x": jnp.ones(2)}, state, {"x": jnp.ones(2)})


def test_traced_signs_are_checked_inside_checked():
    _, signs = dale_init(PARAMS, jax.random.key(0))
    build = lambda s: dales_principle({"dense": {"kernel": s, "bias": None}}).init(PARAMS)  # noqa: E731
    jax.jit(build)(signs["dense"]["kernel"] * 0)
    with pytest.raises(checkify.JaxRuntimeError, match=r"signs\['dense'\]\['kernel'\] must hold only \+1 and -1, got 2 other"):
        checked(jax.jit(build))(signs["dense"]["kernel"] * 0)
