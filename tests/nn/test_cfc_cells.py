import importlib.util
import pathlib

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import CfCCell, NCPLiquidCell, WiredCfCCell
from biojax.nn.wired_cfc_cell import layer_masks
from biojax.wiring import NCP, AutoNCP

_spec = importlib.util.spec_from_file_location("_ncps_reference", pathlib.Path(__file__).with_name("_ncps_reference.py"))
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)

X = jax.random.normal(jax.random.key(0), (3, 4))


def test_cfc_cell_jit_vmap_grad_and_no_retrace():
    cell = CfCCell(6, backbone_units=8)
    h = jnp.zeros((3, 6))
    params = jax.jit(cell.init)(jax.random.key(1), X, h)["params"]
    stacked = jax.tree_util.tree_map(lambda a: jnp.stack([a, -a]), params)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def grads(p, x, ts):
        return jax.vmap(lambda q: jax.grad(lambda r: jnp.sum(cell.apply({"params": r}, x, h, ts)[0] ** 2))(q))(p)

    g1 = grads(stacked, X, jnp.ones(3))
    g2 = grads(stacked, X * 2, jnp.asarray(np.array([0.1, 1.0, 3.0], np.float32)))
    assert g1["ff1"]["kernel"].shape == (2, 8, 6)
    assert g1["backbone_0"]["kernel"].shape == (2, 10, 8)
    assert not np.allclose(g1["ff1"]["kernel"], g2["ff1"]["kernel"])


@pytest.mark.parametrize("mode", ["default", "no_gate", "pure"])
@pytest.mark.parametrize("span", [1.0, 0.37])
def test_fixed_timespan_folds_gate_heads_with_same_values_and_gradients(mode, span):
    cell = WiredCfCCell(AutoNCP(10, 3), mode=mode)
    h = jax.random.normal(jax.random.key(4), (3, 10))
    params = jax.jit(cell.init)(jax.random.key(1), X, h)["params"]

    def loss(p, fixed):
        step = cell.step_function(p, X.shape[-1], fixed_timespan=span if fixed else None)
        out, h2 = step(X, h, jnp.full(3, span))
        return jnp.sum(out**2) + jnp.sum(jnp.sin(h2))

    for fixed in (False, True):
        value, grads = jax.jit(jax.value_and_grad(loss), static_argnums=1)(params, fixed)
        if not fixed:
            reference_value, reference_grads = value, grads
    np.testing.assert_allclose(value, reference_value, rtol=1e-5)
    chex.assert_trees_all_close(grads, reference_grads, rtol=1e-4, atol=1e-6)
    if mode != "pure":  # the folded gate still trains both time heads
        assert np.any(np.asarray(grads["layer_0"]["time_a"]["kernel"]) != 0)
        assert np.any(np.asarray(grads["layer_0"]["time_b"]["kernel"]) != 0)


def test_cfc_dropout_needs_rng_and_is_off_when_deterministic():
    cell = CfCCell(4, backbone_units=8, backbone_layers=2, backbone_dropout=0.5)
    h = jnp.zeros((3, 4))
    params = jax.jit(cell.init)(jax.random.key(1), X, h)
    apply = jax.jit(cell.apply, static_argnames="deterministic")
    a = apply(params, X, h, 1.0, deterministic=True)[0]
    b = apply(params, X, h, 1.0, deterministic=False, rngs={"dropout": jax.random.key(2)})[0]
    c = apply(params, X, h, 1.0, deterministic=False, rngs={"dropout": jax.random.key(3)})[0]
    assert not np.allclose(a, b) and not np.allclose(b, c)


def test_cfc_errors():
    with pytest.raises(ValueError, match="mode"):
        CfCCell(4, mode="fast")
    with pytest.raises(ValueError, match="activation"):
        CfCCell(4, activation="softsign")
    with pytest.raises(ValueError, match="sparsity_mask needs backbone_layers=0"):
        CfCCell(4, sparsity_mask=np.ones((8, 4)))
    with pytest.raises(ValueError, match="backbone_dropout"):
        CfCCell(4, backbone_dropout=1.5)


def test_layer_masks_match_wiring_blocks():
    wiring = AutoNCP(16, 4).build(3)
    inter, command, motor = (wiring.get_neurons_of_layer(i) for i in range(3))
    dense = layer_masks(wiring)
    own = layer_masks(wiring, "wiring")
    adj = np.abs(wiring.adjacency_matrix) > 0
    np.testing.assert_array_equal(dense[0][:3], np.abs(wiring.sensory_adjacency_matrix)[:, inter] > 0)
    np.testing.assert_array_equal(dense[1][:8], adj[np.ix_(inter, command)])
    np.testing.assert_array_equal(dense[2][:4], adj[np.ix_(command, motor)])
    assert all(np.all(m[-m.shape[1]:] == 1) for m in dense)
    np.testing.assert_array_equal(own[1][8:], adj[np.ix_(command, command)])
    assert np.any(own[1][8:]) and not np.all(own[1][8:])


@pytest.mark.parametrize("intra_layer", ["dense", "wiring"])
def test_wired_cfc_masked_gradients_are_zero(intra_layer):
    wiring = NCP(4, 3, 2, 2, 2, 3, 2, seed=3)
    cell = WiredCfCCell(wiring, intra_layer=intra_layer)
    h = jax.random.normal(jax.random.key(4), (3, 9))
    params = jax.jit(cell.init)(jax.random.key(1), X, h)["params"]
    params = jax.tree_util.tree_map(lambda a: a + 0.3, params)  # masked entries nonzero too
    grads = jax.jit(jax.grad(lambda p: jnp.sum(cell.apply({"params": p}, X, h)[1] ** 2)))(params)
    for layer, mask in enumerate(layer_masks(wiring.build(4), intra_layer)):
        for head in ("ff1", "ff2"):
            g = np.asarray(grads[f"layer_{layer}"][head]["kernel"])
            assert np.all(g[mask == 0] == 0.0)
            assert np.count_nonzero(g[mask != 0]) > 0.8 * mask.sum()
        g = np.asarray(grads[f"layer_{layer}"]["time_a"]["kernel"])
        if intra_layer == "dense":  # ncps: time heads stay dense
            assert np.count_nonzero(g) > 0.8 * mask.size
        else:
            assert np.all(g[mask == 0] == 0.0)


def test_wired_cfc_intra_layer_wiring_ignores_dense_recurrence():
    wiring = AutoNCP(16, 4)
    h = jax.random.normal(jax.random.key(4), (3, 16))
    for intra_layer, inter_depends_on_own_state in (("dense", True), ("wiring", False)):
        cell = WiredCfCCell(wiring, intra_layer=intra_layer)
        params = jax.jit(cell.init)(jax.random.key(1), X[:, :3], h)
        # Inter neurons (first 8 state entries) have no within-layer synapses in an NCP.
        jac = jax.jit(jax.jacobian(lambda s: cell.apply(params, X[:, :3], s)[1][0, :8]))(h)
        assert bool(np.any(np.asarray(jac)[:, 0, :8] != 0)) == inter_depends_on_own_state


def test_ncp_liquid_cell_matches_velora_equations_and_masks():
    mask = np.array([[1, 0, -1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    cell = NCPLiquidCell(3, mask=mask)
    h = jax.random.normal(jax.random.key(5), (3, 3))
    params = jax.jit(cell.init)(jax.random.key(1), X, h)["params"]
    y, new_h = jax.jit(cell.apply)({"params": params}, X, h)
    p64 = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), params)
    ry, rh = ref.liquid_step(p64, mask, np.asarray(X, np.float64), np.asarray(h, np.float64))
    np.testing.assert_allclose(y, ry, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_h, rh, rtol=1e-5, atol=1e-6)
    grads = jax.jit(jax.grad(lambda p: jnp.sum(cell.apply({"params": p}, X, h)[0])))(params)
    for head in ("g_head", "h_head", "f_head_to_g", "f_head_to_h", "proj"):
        g = np.asarray(grads[head]["kernel"])
        assert np.all(g[:4][mask == 0] == 0) and np.all(g[:4][mask != 0] != 0)
    with pytest.raises(ValueError, match="mask must have shape"):
        NCPLiquidCell(2, mask=mask)
