import importlib.util
import pathlib

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import LTCCell
from biojax.wiring import NCP, AutoNCP, FullyConnected, Random

_spec = importlib.util.spec_from_file_location("_ncps_reference", pathlib.Path(__file__).with_name("_ncps_reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

WIRINGS = [
    AutoNCP(16, 4),
    FullyConnected(5, 2),
    Random(9, 3, sparsity_level=0.6),
    NCP(4, 3, 2, 2, 2, 2, 2, seed=1),
]


def _init(cell, batch=3, inputs=4, seed=0):
    x = jax.random.normal(jax.random.key(seed), (batch, inputs))
    h = jax.random.normal(jax.random.key(seed + 1), (batch, cell.built_wiring(inputs).units))
    params = jax.jit(cell.init)(jax.random.key(seed + 2), x, h)["params"]
    # Random, non-constant values everywhere (erev and the mappings start at constants).
    leaves, tree = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(jax.random.key(seed + 3), len(leaves))
    params = tree.unflatten([p + 0.2 * jax.random.normal(k, p.shape) for p, k in zip(leaves, keys)])
    return params, x, h


@pytest.mark.parametrize(("wiring", "implicit"), list(zip(WIRINGS, [True, False, True, False])),
                         ids=lambda v: type(v).__name__)
def test_matches_dense_reference(wiring, implicit):
    cell = LTCCell(wiring, ode_unfolds=4, implicit_param_constraints=implicit)
    params, x, h = _init(cell)
    if not implicit:
        params = LTCCell.apply_weight_constraints(params)
    dt = jnp.array([1.0, 0.5, 2.0])
    out, v = jax.jit(cell.apply)({"params": params}, x, h, dt)
    p64 = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), params)
    ref_out, ref_v = ref.ltc_step(p64, cell.built_wiring(4), np.asarray(x, np.float64),
                                  np.asarray(h, np.float64), np.asarray(dt), 4, implicit=implicit)
    np.testing.assert_allclose(out, ref_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(v, ref_v, rtol=1e-5, atol=1e-5)


def test_init_ranges_and_names():
    cell = LTCCell(AutoNCP(16, 4))
    wiring = cell.built_wiring(3)
    params = jax.jit(cell.init)(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 16)))["params"]
    ranges = {"gleak": (0.001, 1.0), "vleak": (-0.2, 0.2), "cm": (0.4, 0.6), "sigma": (3, 8),
              "mu": (0.3, 0.8), "w": (0.001, 1.0), "sensory_sigma": (3, 8),
              "sensory_mu": (0.3, 0.8), "sensory_w": (0.001, 1.0)}
    for name, (low, high) in ranges.items():
        assert float(params[name].min()) >= low and float(params[name].max()) <= high, name
    np.testing.assert_array_equal(params["erev"], wiring.erev_initializer())
    np.testing.assert_array_equal(params["sensory_erev"], wiring.sensory_erev_initializer())
    assert sorted(params) == sorted([*ranges, "erev", "sensory_erev", "input_w", "input_b",
                                     "output_w", "output_b"])


def test_masked_synapses_get_exactly_zero_gradient():
    cell = LTCCell(AutoNCP(16, 4))
    params, x, h = _init(cell, inputs=3)
    wiring = cell.built_wiring(3)
    grads = jax.jit(jax.grad(lambda p: jnp.sum(cell.apply({"params": p}, x, h)[1] ** 2)))(params)
    for names, adjacency in ((("sigma", "mu", "w", "erev"), wiring.adjacency_matrix),
                             (("sensory_sigma", "sensory_mu", "sensory_w", "sensory_erev"),
                              wiring.sensory_adjacency_matrix)):
        for name in names:
            g = np.asarray(grads[name])
            assert np.all(g[adjacency == 0] == 0.0), name
            assert np.count_nonzero(g[adjacency != 0]) > 0.9 * np.count_nonzero(adjacency), name


def test_jit_vmap_over_parameter_sets_and_no_retrace():
    cell = LTCCell(AutoNCP(12, 3))
    params, x, h = _init(cell, inputs=3)
    stacked = jax.tree_util.tree_map(lambda a: jnp.stack([a, a * 1.1]), params)
    outs = jax.jit(jax.vmap(lambda p: cell.apply({"params": p}, x, h)[0]))(stacked)
    np.testing.assert_allclose(outs[0], jax.jit(cell.apply)({"params": params}, x, h)[0], rtol=1e-5)
    assert not np.allclose(outs[0], outs[1])

    @jax.jit
    @chex.assert_max_traces(n=1)
    def grad_fn(p, x, h, dt):
        return jax.grad(lambda q: jnp.sum(cell.apply({"params": q}, x, h, dt)[0]))(p)

    g1 = grad_fn(params, x, h, jnp.ones(3))
    g2 = grad_fn(stacked_first(stacked), x + 1.0, h * 2.0, jnp.asarray(np.full(3, 0.3, np.float32)))
    assert all(np.isfinite(a).all() for a in jax.tree_util.tree_leaves(g1))
    assert not np.allclose(g1["w"], g2["w"])


def stacked_first(tree):
    return jax.tree_util.tree_map(lambda a: a[1], tree)


def test_per_sample_elapsed_time_equals_one_sample_at_a_time():
    cell = LTCCell(FullyConnected(6, 2))
    params, x, h = _init(cell, inputs=2)
    dt = jnp.array([0.3, 1.0, 2.5])
    apply = jax.jit(cell.apply)
    out, v = apply({"params": params}, x, h, dt)
    for i in range(3):
        o_i, v_i = apply({"params": params}, x[i : i + 1], h[i : i + 1], dt[i])
        np.testing.assert_allclose(out[i], o_i[0], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(v[i], v_i[0], rtol=1e-5, atol=1e-7)


def test_mappings_and_errors():
    cell = LTCCell(4, input_mapping=None, output_mapping="linear")
    params = jax.eval_shape(cell.init, jax.random.key(0), jnp.ones((1, 2)), jnp.zeros((1, 4)))["params"]
    assert "input_w" not in params and "output_w" in params and "output_b" not in params
    with pytest.raises(ValueError, match="ode_unfolds"):
        LTCCell(4, ode_unfolds=0)
    with pytest.raises(ValueError, match="input_mapping"):
        LTCCell(4, input_mapping="sigmoid")
    with pytest.raises(TypeError, match="wiring"):
        LTCCell("ncp")
