"""biojax.nnx: the six modules of issue 18 as NNX modules give the Linen numbers for the same weights:
outputs, ``nnx.grad``/``nnx.value_and_grad`` gradients and one ``nnx.Optimizer`` step over a
``bio_optimizer`` chain; the dendritic connectivity is neither differentiated nor trained."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

from biojax.learning import BioConfig, bio_optimizer, dale_init
from biojax.nn import CfC, LTC, DendriticLayer, HeadMaskTransformer, MultiSynapticDense, WiredCfCCell
from biojax.nnx import Connectivity, from_linen, linen_variables, on_pure_dicts, optimizer, to_nnx
from biojax.wiring import AutoNCP

X_SEQ = jax.random.normal(jax.random.key(10), (3, 6, 2))
X_FLAT = jax.random.normal(jax.random.key(11), (4, 12))
TOKENS = jax.random.randint(jax.random.key(12), (2, 5), 0, 7)

CASES = {
    "CfC": (lambda: CfC(AutoNCP(8, 2), return_sequences=False), (X_SEQ,)),
    "LTC": (lambda: LTC(AutoNCP(8, 2)), (X_SEQ,)),
    "WiredCfCCell": (lambda: WiredCfCCell(AutoNCP(8, 2)), (X_SEQ[:, 0], jnp.full((3, 8), 0.1))),
    "DendriticLayer": (lambda: DendriticLayer(n_neurons=3, n_dendrites=2, n_dendrite_inputs=4), (X_FLAT,)),
    "MultiSynapticDense": (lambda: MultiSynapticDense(6, gamma=2), (X_FLAT,)),
    "HeadMaskTransformer": (lambda: HeadMaskTransformer(vocab_size=7, num_layers=2, num_heads=2, d_model=8),
                            (TOKENS,)),
}


def _scalar(out):
    """A loss that reads every output (the first of a tuple output)."""
    first = out[0] if isinstance(out, tuple) else out
    return jnp.sum(jnp.sin(first.astype(jnp.float32)))


def _close(a, b):
    jax.tree.map(lambda u, v: np.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7), a, b)


@pytest.fixture(params=sorted(CASES))
def case(request):
    make, args = CASES[request.param]
    module = make()
    variables = module.init(jax.random.key(0), *args)
    return module, variables, args


def test_outputs_equal_linen_for_the_same_weights(case):
    module, variables, args = case
    _close(from_linen(module, variables)(*args), module.apply(variables, *args))


def test_nnx_grad_and_value_and_grad_equal_jax_grad_of_linen(case):
    module, variables, args = case
    rest = {name: value for name, value in variables.items() if name != "params"}
    linen_value, linen_grads = jax.value_and_grad(
        lambda p: _scalar(module.apply({**rest, "params": p}, *args)))(variables["params"])
    model = from_linen(module, variables)
    grads = nnx.grad(lambda m: _scalar(m(*args)))(model)
    value, grads_too = nnx.value_and_grad(lambda m: _scalar(m(*args)))(model)
    _close(nnx.to_pure_dict(grads), linen_grads)
    _close(nnx.to_pure_dict(grads_too), linen_grads)
    np.testing.assert_allclose(value, linen_value, rtol=1e-6)


def test_an_nnx_optimizer_step_over_bio_optimizer_equals_the_linen_step(case):
    module, variables, args = case
    config = BioConfig(fuzzy_learning_rate_factor_nu=0.2, rejuvenation_parameter_dre=5.0)
    make_tx = lambda: bio_optimizer(config, optax.adam(1e-2), key=jax.random.key(3))
    rest = {name: value for name, value in variables.items() if name != "params"}
    loss = lambda p: _scalar(module.apply({**rest, "params": p}, *args))
    params, tx = variables["params"], make_tx()
    state = tx.init(params)
    for _ in range(2):
        updates, state = tx.update(jax.grad(loss)(params), state, params)
        params = optax.apply_updates(params, updates)
    model = from_linen(module, variables)
    opt = optimizer(model, make_tx())
    for _ in range(2):
        opt.update(model, nnx.grad(lambda m: _scalar(m(*args)))(model))
    assert not all(jax.tree.leaves(jax.tree.map(jnp.array_equal, params, variables["params"])))
    _close(linen_variables(model)["params"], params)
    _close({k: v for k, v in linen_variables(model).items() if k != "params"}, rest)


def test_dale_signs_from_linen_params_constrain_the_nnx_model():
    module = MultiSynapticDense(6, gamma=2)
    variables = module.init(jax.random.key(0), X_FLAT)
    params, signs = dale_init(variables["params"], jax.random.key(1))
    model = from_linen(module, {"params": params})
    config = BioConfig(apply_dales_principle=True)
    opt = optimizer(model, bio_optimizer(config, optax.sgd(1.0), key=jax.random.key(2), signs=signs))
    for _ in range(3):
        opt.update(model, nnx.grad(lambda m: -jnp.sum(m(X_FLAT)))(model))
    trained = linen_variables(model)["params"]
    kernels = [(w, s) for w, s in zip(jax.tree.leaves(trained), jax.tree.leaves(signs, is_leaf=lambda x: x is None))
               if s is not None]
    assert kernels and all(bool(jnp.all(w * s >= 0)) for w, s in kernels)
    assert not all(jax.tree.leaves(jax.tree.map(jnp.array_equal, trained, params)))


def test_dendritic_connectivity_is_neither_differentiated_nor_trained():
    module = DendriticLayer(n_neurons=3, n_dendrites=2, n_dendrite_inputs=4)
    model = to_nnx(module, X_FLAT, rngs=nnx.Rngs(0))
    connectivity = nnx.state(model, Connectivity)
    indices = np.asarray(connectivity["indices"][...])
    assert indices.dtype == np.int32 and indices.shape == (6, 4)
    grads = nnx.grad(lambda m: _scalar(m(X_FLAT)))(model)
    assert set(nnx.to_pure_dict(grads)) == {"dendrite_kernel", "dendrite_bias", "soma_kernel", "soma_bias"}
    opt = optimizer(model, optax.sgd(10.0))
    kernel_before = np.asarray(linen_variables(model)["params"]["dendrite_kernel"])
    opt.update(model, grads)
    after = linen_variables(model)
    np.testing.assert_array_equal(after["connectivity"]["indices"], indices)
    assert not np.array_equal(after["params"]["dendrite_kernel"], kernel_before)


def test_to_nnx_initialises_from_rngs_and_trains_under_nnx_jit():
    module = CfC(AutoNCP(8, 2), return_sequences=False)
    model = to_nnx(module, X_SEQ, rngs=nnx.Rngs(0))
    again = to_nnx(module, X_SEQ, rngs=nnx.Rngs(0))
    _close(linen_variables(model), linen_variables(again))
    target = jnp.ones((3, 2))
    opt = optimizer(model, optax.adam(1e-2))

    @nnx.jit
    def step(model, opt):
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(X_SEQ)[0] - target) ** 2))(model)
        opt.update(model, grads)
        return loss

    losses = [float(step(model, opt)) for _ in range(15)]
    assert losses[-1] < losses[0]


def test_on_pure_dicts_leaves_linen_params_as_they_are():
    params = {"Dense_0": {"kernel": jnp.ones((2, 2)), "bias": jnp.ones(2)}}
    tx = on_pure_dicts(optax.sgd(0.5))
    updates, _ = tx.update(params, tx.init(params), params)
    _close(updates, jax.tree.map(lambda p: -0.5 * p, params))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: to_nnx(object(), rngs=nnx.Rngs(0)), "module must be a flax.linen.Module"),
        (lambda: to_nnx(MultiSynapticDense(4), X_FLAT, rngs=0), "rngs must be a flax.nnx.Rngs"),
        (lambda: from_linen(MultiSynapticDense(4), {"kernel": 1}), "with keys ['kernel']"),
        (lambda: from_linen(MultiSynapticDense(4), {"params": {}}, rngs=1), "rngs must be a flax.nnx.Rngs or None"),
        (lambda: linen_variables(nnx.Linear(2, 2, rngs=nnx.Rngs(0))), "got Linear"),
        (lambda: on_pure_dicts("adam"), "tx must be an optax.GradientTransformation, got str"),
        (lambda: optimizer({"a": 1}, optax.sgd(0.1)), "model must be a flax.nnx.Module, got dict"),
    ],
)
def test_wrong_arguments_raise_type_errors_naming_them(call, message):
    with pytest.raises(TypeError) as info:
        call()
    assert message in str(info.value)


def test_random_streams_feed_dropout_and_are_not_linen_variables():
    module = CfC(8, backbone_units=16, backbone_dropout=0.5)
    model = to_nnx(module, X_SEQ, rngs=nnx.Rngs(params=0, dropout=1))
    assert sorted(linen_variables(model)) == ["params"]
    first, second = model(X_SEQ, deterministic=False)[0], model(X_SEQ, deterministic=False)[0]
    assert not np.allclose(first, second)
    np.testing.assert_array_equal(model(X_SEQ)[0], module.apply(linen_variables(model), X_SEQ)[0])
