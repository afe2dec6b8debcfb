"""DendriticLayer: semantics against a dense masked reference, strategies, init, cost."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import DendriticLayer


def _leaky(x):
    return np.where(x >= 0, x, 0.1 * x)


def _dense_reference(variables, x, n_neurons, n_dendrites, soma):
    """The anchor's formulation: dense (N_d, inputs) weights times a binary mask."""
    p, idx = variables["params"], np.asarray(variables["connectivity"]["indices"])
    n_d, n_in = idx.shape[0], x.shape[1]
    mask = np.zeros((n_d, n_in))
    mask[np.arange(n_d)[:, None], idx] = 1
    w = np.zeros((n_d, n_in))
    w[np.arange(n_d)[:, None], idx] = np.asarray(p["dendrite_kernel"])
    d = _leaky(x @ (w * mask).T + np.asarray(p["dendrite_bias"]))
    if not soma:
        return d
    soma_mask = np.kron(np.eye(n_neurons), np.ones((1, n_dendrites)))
    soma_w = np.zeros((n_neurons, n_d))
    soma_w[soma_mask.astype(bool)] = np.asarray(p["soma_kernel"]).ravel()
    return _leaky(d @ (soma_w * soma_mask).T + np.asarray(p["soma_bias"]))


@pytest.mark.parametrize("compute", ["auto", "gather", "dense"])
@pytest.mark.parametrize("soma", [True, False])
def test_forward_matches_dense_masked_reference(soma, compute):
    layer = DendriticLayer(3, 4, 5, soma_enabled=soma, compute=compute)
    x = np.random.default_rng(0).normal(size=(6, 20)).astype(np.float32)
    variables = layer.init(jax.random.key(1), x)
    params = jax.tree_util.tree_map(lambda a: a + 0.3, variables["params"])  # non-zero biases
    variables = {"params": params, "connectivity": variables["connectivity"]}
    out = layer.apply(variables, x)
    assert out.shape == (6, 3 if soma else 4)
    np.testing.assert_allclose(out, _dense_reference(variables, x, 3, 4, soma), rtol=1e-5, atol=1e-5)


def test_variables_cost_exactly_the_synapses():
    layer = DendriticLayer(10, 6, 16)
    variables = layer.init(jax.random.key(0), jnp.ones((1, 784)))
    shapes = jax.tree_util.tree_map(jnp.shape, variables["params"])
    assert shapes == {"dendrite_kernel": (60, 16), "dendrite_bias": (60,),
                      "soma_kernel": (10, 6), "soma_bias": (10,)}
    assert variables["connectivity"]["indices"].dtype == jnp.int32
    jaxpr = jax.make_jaxpr(lambda v, x: layer.apply(v, x))(variables, jnp.ones((4, 784)))
    sizes = [int(np.prod(var.aval.shape)) for eqn in jaxpr.eqns for var in eqn.outvars]
    assert max(sizes) <= 4 * 60 * 16  # the gather; never a (60, 784) dense weight matrix


def test_dense_and_gather_give_the_same_gradients():
    x = np.random.default_rng(1).normal(size=(8, 30)).astype(np.float32)
    grads = {}
    for compute in ("gather", "dense"):
        layer = DendriticLayer(2, 3, 6, compute=compute)
        variables = layer.init(jax.random.key(2), x)
        loss = lambda p: jnp.sum(layer.apply({"params": p, "connectivity": variables["connectivity"]}, x) ** 2)
        grads[compute] = jax.grad(loss)(variables["params"])
    jax.tree_util.tree_map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6),
                           grads["gather"], grads["dense"])
    with pytest.raises(ValueError, match="compute"):
        DendriticLayer(2, 3, 6, compute="sparse")


def test_random_strategy_rows_are_distinct_and_seeded():
    layer = DendriticLayer(4, 5, 12)
    x = jnp.ones((1, 50))
    idx = np.asarray(layer.init(jax.random.key(0), x)["connectivity"]["indices"])
    again = np.asarray(layer.init(jax.random.key(0), x)["connectivity"]["indices"])
    other = np.asarray(layer.init(jax.random.key(1), x)["connectivity"]["indices"])
    assert idx.shape == (20, 12) and idx.min() >= 0 and idx.max() < 50
    assert all(len(set(row)) == 12 for row in idx)
    np.testing.assert_array_equal(idx, again)
    assert not np.array_equal(idx, other)


def test_local_receptive_field_is_local():
    layer = DendriticLayer(8, 4, 9, strategy="local_receptive_field")
    idx = np.asarray(layer.init(jax.random.key(0), jnp.ones((1, 28, 28)))["connectivity"]["indices"])
    assert all(len(set(row)) == 9 for row in idx)
    r, c = np.divmod(idx, 28)
    spread = np.sqrt(r.var(axis=1) + c.var(axis=1)).mean()
    rand = np.asarray(DendriticLayer(8, 4, 9).init(jax.random.key(0), jnp.ones((1, 784)))
                      ["connectivity"]["indices"])
    rr, rc = np.divmod(rand, 28)
    assert spread < 0.25 * np.sqrt(rr.var(axis=1) + rc.var(axis=1)).mean()
    with pytest.raises(ValueError, match="image_shape"):
        DendriticLayer(2, 2, 3, strategy="local_receptive_field").init(jax.random.key(0), jnp.ones((1, 20)))


def test_fully_connected_strategy():
    layer = DendriticLayer(2, 3, 7, strategy="fully_connected")
    idx = layer.init(jax.random.key(0), jnp.ones((1, 7)))["connectivity"]["indices"]
    np.testing.assert_array_equal(idx, np.tile(np.arange(7), (6, 1)))
    with pytest.raises(ValueError, match="n_dendrite_inputs equal to the input width 8"):
        layer.init(jax.random.key(0), jnp.ones((1, 8)))


@pytest.mark.parametrize("fan_in, expected", [("input", (2 / 400) ** 0.5), ("k", (2 / 25) ** 0.5)])
def test_initialisation_options(fan_in, expected):
    layer = DendriticLayer(20, 10, 25, weight_init_fan_in=fan_in)
    params = layer.init(jax.random.key(0), jnp.ones((1, 400)))["params"]
    assert abs(float(params["dendrite_kernel"].std()) / expected - 1) < 0.05
    assert float(jnp.abs(params["dendrite_bias"]).max()) == 0.0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="strategy must be one of"):
        DendriticLayer(2, 2, 2, strategy="lrf")
    with pytest.raises(ValueError, match="n_dendrites"):
        DendriticLayer(2, 0, 2)
    with pytest.raises(TypeError, match="soma_enabled"):
        DendriticLayer(2, 2, 2, soma_enabled=1)
    with pytest.raises(ValueError, match="n_dendrite_inputs must be <= the input width 5, got 6"):
        DendriticLayer(2, 2, 6).init(jax.random.key(0), jnp.ones((1, 5)))
