import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import SparseLinear

MASK = np.array([[1, 0, -1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])


def test_output_and_masked_kernel():
    layer = SparseLinear(3, mask=MASK)
    x = jax.random.normal(jax.random.key(1), (5, 4))
    params = layer.init(jax.random.key(0), x)["params"]
    assert np.all(np.asarray(params["kernel"])[MASK == 0] == 0)
    assert np.all(np.asarray(params["kernel"])[MASK != 0] != 0)
    dense = np.asarray(params["kernel"]) * (MASK != 0)
    expected = np.asarray(x) @ dense + np.asarray(params["bias"])
    np.testing.assert_allclose(layer.apply({"params": params}, x), expected, rtol=1e-5)


def test_masked_entries_get_exactly_zero_gradient():
    layer = SparseLinear(3, mask=MASK, use_bias=False)
    x = jax.random.normal(jax.random.key(1), (5, 4))
    params = layer.init(jax.random.key(0), x)["params"]
    # Even a kernel with nonzero masked entries (e.g. after an optimizer step) gets zero gradient there.
    params = {"kernel": params["kernel"] + 1.0}
    grad = jax.grad(lambda p: jnp.sum(layer.apply({"params": p}, x) ** 2))(params)["kernel"]
    assert np.all(np.asarray(grad)[MASK == 0] == 0.0)
    assert np.all(np.asarray(grad)[MASK != 0] != 0.0)
    assert "bias" not in params


def test_bad_mask_shapes():
    with pytest.raises(ValueError, match="mask must have shape"):
        SparseLinear(2, mask=MASK).init(jax.random.key(0), jnp.ones((1, 4)))
    with pytest.raises(ValueError, match="2-D"):
        SparseLinear(2, mask=np.ones(3)).init(jax.random.key(0), jnp.ones((1, 3)))
