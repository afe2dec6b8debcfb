import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import LTC, CfC
from biojax.wiring import AutoNCP

X = jax.random.normal(jax.random.key(0), (3, 5, 2))
TS = jnp.asarray(np.random.default_rng(0).uniform(0.2, 2.0, (3, 5)).astype(np.float32))

MODELS = {
    "ltc": LTC(AutoNCP(8, 2), ode_unfolds=2),
    "cfc": CfC(6, backbone_units=8, mode="no_gate"),
    "wired_cfc_mixed": CfC(AutoNCP(8, 2), mixed_memory=True),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_per_sample_timespans_equal_a_per_sample_loop(name):
    model = MODELS[name]
    variables = jax.jit(model.init)(jax.random.key(1), X)
    apply = jax.jit(model.apply)
    y, state = apply(variables, X, TS)
    for i in range(3):
        y_i, state_i = apply(variables, X[i : i + 1], TS[i : i + 1])
        np.testing.assert_allclose(y[i], y_i[0], rtol=1e-5, atol=1e-6)
        chex.assert_trees_all_close(jax.tree_util.tree_map(lambda a: a[i], state),
                                    jax.tree_util.tree_map(lambda a: a[0], state_i), rtol=1e-5)
    y_unit, _ = apply(variables, X, jnp.ones((3, 5)))
    y_none, _ = apply(variables, X, None)  # CfC folds its gate heads when there are no timespans
    np.testing.assert_allclose(y_unit, y_none, rtol=1e-5, atol=1e-6)
    assert not np.allclose(y, y_none)


def test_layouts_unbatched_last_step_and_initial_state():
    model = LTC(AutoNCP(8, 2), ode_unfolds=2)
    variables = jax.jit(model.init)(jax.random.key(1), X)
    y, h = jax.jit(model.apply)(variables, X, TS)
    tm = LTC(AutoNCP(8, 2), ode_unfolds=2, time_major=True, return_sequences=False)
    y_tm, h_tm = tm.apply(variables, jnp.swapaxes(X, 0, 1), TS.T)
    np.testing.assert_allclose(y_tm, y[:, -1], rtol=1e-5)
    np.testing.assert_allclose(h_tm, h, rtol=1e-5)
    y_one, h_one = model.apply(variables, X[0], TS[0])
    np.testing.assert_allclose(y_one, y[0], rtol=1e-5)
    assert h_one.shape == (8,)
    # Continuing from a final state equals running the concatenated sequence.
    y_a, h_a = model.apply(variables, X[:, :2], TS[:, :2])
    y_b, h_b = model.apply(variables, X[:, 2:], TS[:, 2:], initial_state=h_a)
    np.testing.assert_allclose(jnp.concatenate([y_a, y_b], 1), y, rtol=1e-5)
    np.testing.assert_allclose(h_b, h, rtol=1e-5)


def test_train_step_compiles_once_and_grads_are_finite():
    model = CfC(AutoNCP(8, 2), return_sequences=False, proj_size=3)
    variables = jax.jit(model.init)(jax.random.key(1), X)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def loss_grad(params, x, ts):
        return jax.value_and_grad(lambda p: jnp.sum(model.apply({"params": p}, x, ts)[0] ** 2))(params)

    l1, g1 = loss_grad(variables["params"], X, TS)
    l2, g2 = loss_grad(variables["params"], X * 0.5, TS * 2)
    assert float(l1) != float(l2)
    assert all(np.isfinite(g).all() for g in jax.tree_util.tree_leaves(g1))
    assert sorted(variables["params"]) == ["fc", "rnn_cell"]


def test_dropout_rng_and_errors():
    model = CfC(4, backbone_units=8, backbone_layers=2, backbone_dropout=0.3)
    variables = jax.jit(model.init)(jax.random.key(1), X)
    a = model.apply(variables, X, deterministic=False, rngs={"dropout": jax.random.key(0)})[0]
    b = model.apply(variables, X, deterministic=False, rngs={"dropout": jax.random.key(1)})[0]
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match="backbone_units must be None with a wiring"):
        CfC(AutoNCP(8, 2), backbone_units=16)
    with pytest.raises(ValueError, match="timespans must have shape"):
        model.apply(variables, X, timespans=jnp.ones((3,)))
    mixed = CfC(4, backbone_units=8, mixed_memory=True)
    mixed_vars = jax.eval_shape(mixed.init, jax.random.key(1), X)
    with pytest.raises(TypeError, match="tuple"):
        mixed.apply(mixed_vars, X, initial_state=jnp.zeros((3, 4)))
