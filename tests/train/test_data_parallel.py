import pathlib
import sys

import jax
import jax.numpy as jnp
import pytest

from biojax.train import data_parallel_value_and_grad

sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "search"))
from search_testkit import fresh_python  # noqa: E402

TWO_DEVICES = """
    import jax, jax.numpy as jnp, numpy as np
    from biojax.nn import LTC, CfC
    from biojax.train import data_parallel_value_and_grad
    from biojax.wiring import AutoNCP

    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(6, 7, 3)).astype(np.float32))
    y = jnp.asarray(rng.normal(size=(6, 7, 2)).astype(np.float32))
    for model in (CfC(AutoNCP(10, 2)), LTC(AutoNCP(10, 2), ode_unfolds=2)):
        params = model.init(jax.random.key(0), x)["params"]

        def mse(p, x, y):
            return jnp.mean((model.apply({"params": p}, x)[0] - y) ** 2)

        one_value, one_grads = jax.jit(jax.value_and_grad(mse))(params, x, y)
        value, grads = jax.jit(data_parallel_value_and_grad(mse))(params, x, y)
        errors = jax.tree_util.tree_leaves(jax.tree_util.tree_map(
            lambda a, b: float(jnp.max(jnp.abs(a - b)) / (jnp.max(jnp.abs(b)) + 1e-12)), grads, one_grads))
        on_devices = {len(g.devices()) for g in jax.tree_util.tree_leaves(grads)}
        print(len(jax.devices()), abs(float(value) - float(one_value)), max(errors), sorted(on_devices))
    try:
        data_parallel_value_and_grad(mse)(params, x[:5], y[:5])
        print("no-error")
    except ValueError as error:
        print("divisible" if "batch argument 0 must have a leading axis divisible by the 2" in str(error) else "?")
"""


def test_split_over_two_devices_equals_one_device():
    out = fresh_python(TWO_DEVICES, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    for model in range(2):  # CfC, LTC
        devices, value_error, grad_error, placement = out[4 * model : 4 * model + 4]
        assert devices == "2"
        assert float(value_error) < 1e-6
        assert float(grad_error) < 1e-5
        assert placement == "[2]"  # the gradients are replicated on both devices
    assert out[-1] == "divisible"  # 5 rows on 2 devices is refused with a clear error


def test_one_device_equals_value_and_grad_and_errors():
    def mse(w, x, y):
        return jnp.mean((x @ w - y) ** 2)

    x, y = jnp.arange(12.0).reshape(4, 3), jnp.arange(4.0)
    value, grad = data_parallel_value_and_grad(mse)(jnp.ones(3), x, y)
    expected_value, expected_grad = jax.value_and_grad(mse)(jnp.ones(3), x, y)
    assert jnp.allclose(value, expected_value) and jnp.allclose(grad, expected_grad)
    with pytest.raises(ValueError, match="devices must name at least one device"):
        data_parallel_value_and_grad(mse, devices=[])
    with pytest.raises(ValueError, match=r"batch argument 1 must have a leading axis divisible by the 1"):
        data_parallel_value_and_grad(mse)(jnp.ones(3), x, jnp.float32(2.0))
