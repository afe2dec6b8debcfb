import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import LTC, CfC, CfCCell, LTCCell, WiredCfCCell
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


def _has_remat(jaxpr) -> bool:
    """Whether a ``jax.checkpoint`` sits anywhere in ``jaxpr`` (its primitive's name varies by JAX version;
    its ``prevent_cse`` parameter does not)."""
    for eqn in jaxpr.eqns:
        if "prevent_cse" in eqn.params:
            return True
        for value in eqn.params.values():
            inner = getattr(value, "jaxpr", value)
            if hasattr(inner, "eqns") and _has_remat(inner):
                return True
    return False


REMAT_MODELS = {
    "ltc": lambda remat: LTC(AutoNCP(8, 2), ode_unfolds=2, remat=remat),
    "dense_cfc": lambda remat: CfC(6, backbone_units=8, remat=remat),
    "wired_cfc": lambda remat: CfC(AutoNCP(8, 2), remat=remat),
    "wired_cfc_mixed_proj": lambda remat: CfC(AutoNCP(8, 2), mixed_memory=True, proj_size=3, remat=remat),
}


@pytest.mark.parametrize("name", sorted(REMAT_MODELS))
@pytest.mark.parametrize("timespans", [None, TS], ids=["no_timespans", "timespans"])
def test_remat_changes_neither_values_nor_gradients(name, timespans):
    variables = jax.jit(REMAT_MODELS[name](None).init)(jax.random.key(1), X)
    results = {}
    for remat in (True, False):
        model = REMAT_MODELS[name](remat)

        def loss(params, model=model):
            y, final = model.apply({"params": params}, X, timespans)
            return jnp.sum(y**2) + sum(jnp.sum(jnp.sin(leaf)) for leaf in jax.tree_util.tree_leaves(final))

        jaxpr = jax.make_jaxpr(jax.grad(loss))(variables["params"]).jaxpr
        assert _has_remat(jaxpr) == remat
        results[remat] = jax.jit(jax.value_and_grad(loss))(variables["params"])
    chex.assert_trees_all_close(results[True], results[False], rtol=1e-5, atol=1e-6)


def test_remat_default_depends_on_cell_and_saved_size():
    on_cpu = jax.default_backend() == "cpu"  # the wired CfC recomputes by default only on CPU
    wired = WiredCfCCell(AutoNCP(128, 8))  # saves (16 + 72) + (72 + 48) + (48 + 8) + 128 = 392 floats a row
    assert wired.remat_by_default(100, 128, 16) == on_cpu  # 20 MB
    assert not wired.remat_by_default(100, 64, 16)  # 10 MB
    assert LTCCell(AutoNCP(8, 2)).remat_by_default(1, 1, 2)
    assert not CfCCell(8).remat_by_default(100, 4096, 16)
    x_large, x_small = jnp.zeros((128, 100, 16)), jnp.zeros((64, 100, 16))
    for model, x, expected in [
        (CfC(AutoNCP(128, 8)), x_large, on_cpu),
        (CfC(AutoNCP(128, 8)), x_small, False),
        (CfC(AutoNCP(128, 8), remat=False), x_large, False),
        (CfC(8, backbone_units=8), x_large, False),
        (CfC(8, backbone_units=8, remat=True), x_small, True),
        (LTC(AutoNCP(8, 2), ode_unfolds=1), x_small[:2, :3], True),
    ]:
        variables = jax.eval_shape(model.init, jax.random.key(0), x)
        jaxpr = jax.make_jaxpr(lambda p, x, model=model: model.apply(p, x)[0])(variables, x).jaxpr
        assert _has_remat(jaxpr) == expected, model


@pytest.mark.parametrize("remat", ["yes", 1, 0.0])
def test_remat_must_be_a_bool_or_none(remat):
    with pytest.raises(TypeError, match="remat must be True, False or None"):
        CfC(8, remat=remat)
    with pytest.raises(TypeError, match=r"got 'yes'|got 1|got 0\.0"):
        LTC(AutoNCP(8, 2), remat=remat)
