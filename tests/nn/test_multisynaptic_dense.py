"""MultiSynapticDense: grouping against a NumPy reference, activation order, validation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import MultiSynapticDense


def reference(x, kernel, bias, gamma, activation=lambda v: v):
    y = activation(x @ kernel + bias)
    grouped = y.reshape(*y.shape[:-1], -1, gamma).sum(-1)
    return np.repeat(grouped, gamma, axis=-1)


@pytest.mark.parametrize("gamma", [2, 3])
def test_matches_numpy_reference(gamma):
    layer = MultiSynapticDense(6, gamma=gamma, activation=jax.nn.relu)
    x = jax.random.normal(jax.random.key(0), (5, 4))
    params = layer.init(jax.random.key(1), x)
    dense = params["params"]["Dense_0"]
    dense = {"kernel": dense["kernel"], "bias": dense["bias"] + 0.1}
    y = layer.apply({"params": {"Dense_0": dense}}, x)
    expected = reference(np.asarray(x), np.asarray(dense["kernel"]), np.asarray(dense["bias"]), gamma,
                         lambda v: np.maximum(v, 0))
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_leading_axes_and_no_split():
    x = jnp.ones((2, 3, 4))
    layer = MultiSynapticDense(4, gamma=2)
    assert layer.apply(layer.init(jax.random.key(0), x), x).shape == (2, 3, 4)
    plain = MultiSynapticDense(5, gamma=1)
    params = plain.init(jax.random.key(0), x)
    np.testing.assert_allclose(plain.apply(params, x), x @ params["params"]["Dense_0"]["kernel"])


def test_output_features_checked_not_input_features():
    layer = MultiSynapticDense(10, gamma=2)  # the anchor rejects Linear(15, 10) because 15 is odd
    assert layer.apply(layer.init(jax.random.key(0), jnp.ones((1, 15))), jnp.ones((1, 15))).shape == (1, 10)
    with pytest.raises(ValueError, match="features must be divisible by gamma=2, got features=15"):
        MultiSynapticDense(15, gamma=2)  # the anchor accepts Linear(10, 15) and crashes in forward


@pytest.mark.parametrize(
    "kwargs, error",
    [(dict(features=0), ValueError), (dict(features=4, gamma=-1), ValueError), (dict(features=4.0), TypeError),
     (dict(features=4, activation="relu"), TypeError)],
)
def test_validation(kwargs, error):
    with pytest.raises(error):
        MultiSynapticDense(**kwargs)
