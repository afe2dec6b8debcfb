"""make_resampling_epoch_fn: resampling every n steps inside the epoch, fraction 0 switches it off."""

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax.nn import dendritic_simple
from biojax.train import make_resampling_epoch_fn


def test_epoch_fn_resamples_every_n_steps_and_fraction_zero_is_off():
    model = dendritic_simple(2, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
    x = jax.random.normal(jax.random.key(0), (40, 16))
    y = (x[:, 0] > 0).astype(jnp.int32)
    v = model.init(jax.random.key(1), x)
    opt = optax.adam(1e-2)
    epoch = jax.jit(make_resampling_epoch_fn(model.apply, opt, 8))
    state = opt.init(v["params"])
    args = (v["params"], v["connectivity"], state, x, y, jax.random.key(2))
    _, conn_off, _, step, loss = epoch(*args, 0, 0.0, 2)
    _, conn_on, _, _, _ = epoch(*args, 0, 0.5, 2)
    _, conn_late, _, _, _ = epoch(*args, 0, 0.5, 6)  # 5 steps: never reaches step 6
    base = v["connectivity"]["dendritic"]["indices"]
    assert int(step) == 5 and np.isfinite(float(loss))
    np.testing.assert_array_equal(conn_off["dendritic"]["indices"], base)
    np.testing.assert_array_equal(conn_late["dendritic"]["indices"], base)
    assert (conn_on["dendritic"]["indices"] != base).any()
