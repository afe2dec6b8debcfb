"""prune_to_density and critical_paths against hand computations."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import CfC, WiredCfCCell
from biojax.wiring import AutoNCP, SynapseWeights, Wiring, critical_paths, unreachable_motor_neurons
from biojax.rewiring import prune_to_density, synapse_strength


def _softplus(x):
    return np.logaddexp(0.0, np.asarray(x, np.float64))


def _ltc_strength(wiring, params):
    return (_softplus(params["sensory_w"]) * (wiring.sensory_adjacency_matrix != 0),
            _softplus(params["w"]) * (wiring.adjacency_matrix != 0))


@pytest.mark.parametrize("density", [0.9, 0.75, 0.5, 0.33])
def test_ltc_count_is_rounded_fraction_of_current(ncp, helpers, density):
    params = helpers.ltc_params(ncp)
    current = helpers.total_synapses(ncp)
    pruned, _ = prune_to_density(ncp, params, density, keep_paths=False)
    assert helpers.total_synapses(pruned) == round(density * current)


def test_count_relative_to_possible(ncp, helpers):
    params = helpers.ltc_params(ncp)
    possible = ncp.input_dim * ncp.units + ncp.units ** 2
    density = 0.1
    assert round(density * possible) < helpers.total_synapses(ncp)
    pruned, _ = prune_to_density(ncp, params, density, relative_to="possible", keep_paths=False)
    assert helpers.total_synapses(pruned) == round(density * possible)


def test_keep_paths_false_keeps_exactly_the_strongest(ncp, helpers):
    params = helpers.ltc_params(ncp, seed=4)
    sensory, recurrent = _ltc_strength(ncp, params)
    flat = np.concatenate([sensory.ravel(), recurrent.ravel()])
    exists = np.concatenate([(ncp.sensory_adjacency_matrix != 0).ravel(), (ncp.adjacency_matrix != 0).ravel()])
    count = round(0.4 * exists.sum())
    pruned, _ = prune_to_density(ncp, params, 0.4, keep_paths=False)
    kept = np.concatenate([(pruned.sensory_adjacency_matrix != 0).ravel(), (pruned.adjacency_matrix != 0).ravel()])
    expected = np.zeros_like(exists)
    order = np.argsort(-np.where(exists, flat, -np.inf), kind="stable")
    expected[order[:count]] = True
    np.testing.assert_array_equal(kept, expected)


def test_keep_paths_keeps_critical_then_strongest(ncp, helpers):
    params = helpers.ltc_params(ncp, seed=5)
    sensory, recurrent = _ltc_strength(ncp, params)
    protected = critical_paths(ncp, SynapseWeights(sensory, recurrent))
    pruned, _ = prune_to_density(ncp, params, 0.5)
    kept_s, kept_r = pruned.sensory_adjacency_matrix != 0, pruned.adjacency_matrix != 0
    # every critical-path synapse is kept
    assert np.all(kept_s[protected.sensory]) and np.all(kept_r[protected.recurrent])
    # among the others, every kept one is at least as strong as every removed one
    exists_s, exists_r = ncp.sensory_adjacency_matrix != 0, ncp.adjacency_matrix != 0
    other_kept = np.concatenate([sensory[kept_s & ~protected.sensory], recurrent[kept_r & ~protected.recurrent]])
    removed = np.concatenate([sensory[exists_s & ~kept_s], recurrent[exists_r & ~kept_r]])
    assert removed.size > 0 and other_kept.size > 0
    assert other_kept.min() >= removed.max()
    assert unreachable_motor_neurons(pruned) == []
    assert helpers.total_synapses(pruned) == round(0.5 * helpers.total_synapses(ncp))


def test_too_low_density_names_minimum_and_minimum_works(ncp, helpers):
    params = helpers.ltc_params(ncp)
    with pytest.raises(ValueError, match=r"density >= ") as info:
        prune_to_density(ncp, params, 0.0)
    minimum = float(re.search(r"density >= ([0-9.]+)", str(info.value)).group(1))
    current = helpers.total_synapses(ncp)
    needed = round(minimum * current)
    assert 0 < needed < current
    # the smallest count that keeps the paths is accepted and keeps every motor neuron reachable
    pruned, _ = prune_to_density(ncp, params, needed / current)
    assert helpers.total_synapses(pruned) == needed
    assert unreachable_motor_neurons(pruned) == []
    # one synapse fewer is refused
    with pytest.raises(ValueError, match="density"):
        prune_to_density(ncp, params, (needed - 1) / current)


def test_density_above_current_raises(ncp, helpers):
    params = helpers.ltc_params(ncp)
    with pytest.raises(ValueError):
        prune_to_density(ncp, params, 0.99, relative_to="possible")


def test_keeps_class_and_polarities(ncp, helpers):
    params = helpers.ltc_params(ncp)
    pruned, _ = prune_to_density(ncp, params, 0.6)
    assert type(pruned) is AutoNCP
    assert pruned.num_layers == ncp.num_layers
    for layer in range(ncp.num_layers):
        assert list(pruned.get_neurons_of_layer(layer)) == list(ncp.get_neurons_of_layer(layer))
    for new, old in ((pruned.adjacency_matrix, ncp.adjacency_matrix),
                     (pruned.sensory_adjacency_matrix, ncp.sensory_adjacency_matrix)):
        kept = new != 0
        np.testing.assert_array_equal(new[kept], old[kept])
        assert np.all(old[~kept & (old != 0)] != 0)  # removed ones existed before
        assert np.all(new[old == 0] == 0)  # nothing grown


def test_ltc_erev_zero_for_pruned_others_untouched(ncp, helpers):
    params = helpers.ltc_params(ncp)
    pruned, new = prune_to_density(ncp, params, 0.5)
    removed_r = (ncp.adjacency_matrix != 0) & (pruned.adjacency_matrix == 0)
    removed_s = (ncp.sensory_adjacency_matrix != 0) & (pruned.sensory_adjacency_matrix == 0)
    assert removed_r.any() or removed_s.any()
    assert np.all(np.asarray(new["erev"])[removed_r] == 0.0)
    assert np.all(np.asarray(new["sensory_erev"])[removed_s] == 0.0)
    np.testing.assert_array_equal(np.asarray(new["erev"])[~removed_r], np.asarray(params["erev"])[~removed_r])
    np.testing.assert_array_equal(np.asarray(new["sensory_erev"])[~removed_s],
                                  np.asarray(params["sensory_erev"])[~removed_s])
    np.testing.assert_array_equal(np.asarray(new["w"]), np.asarray(params["w"]))


def _cfc_strength(wiring, params, helpers):
    params = helpers.to_numpy(params)
    sensory = np.zeros(wiring.sensory_adjacency_matrix.shape)
    recurrent = np.zeros(wiring.adjacency_matrix.shape)
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(wiring):
        value = np.mean([abs(float(params[f"layer_{layer}"][h]["kernel"][r, c])) for h in helpers.HEADS])
        (sensory if is_sensory else recurrent)[src, dest] = value
    return sensory * (wiring.sensory_adjacency_matrix != 0), recurrent * (wiring.adjacency_matrix != 0)


def test_wired_cfc_strength_matches_hand_mean(ncp, helpers):
    params = helpers.cfc_params(ncp, seed=2)
    got = synapse_strength(ncp, params, intra_layer="wiring")
    want = _cfc_strength(ncp, params, helpers)
    np.testing.assert_allclose(got.sensory, want[0], rtol=1e-6)
    np.testing.assert_allclose(got.recurrent, want[1], rtol=1e-6)


def test_wired_cfc_pruned_kernels_zero_and_output_unchanged(ncp, helpers):
    params = helpers.cfc_params(ncp, seed=2)
    pruned, new = prune_to_density(ncp, params, 0.5, intra_layer="wiring")
    params_np, new_np = helpers.to_numpy(params), helpers.to_numpy(new)
    assert helpers.total_synapses(pruned) == round(0.5 * helpers.total_synapses(ncp))
    assert unreachable_motor_neurons(pruned) == []
    n_removed = 0
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(ncp):
        old = (ncp.sensory_adjacency_matrix if is_sensory else ncp.adjacency_matrix)[src, dest]
        now = (pruned.sensory_adjacency_matrix if is_sensory else pruned.adjacency_matrix)[src, dest]
        for head in helpers.HEADS:
            value = float(new_np[f"layer_{layer}"][head]["kernel"][r, c])
            before = float(params_np[f"layer_{layer}"][head]["kernel"][r, c])
            if old != 0 and now == 0:
                assert value == 0.0
            elif now != 0:
                assert value == before
        n_removed += old != 0 and now == 0
    assert n_removed > 0
    for layer in range(ncp.num_layers):
        for head in helpers.HEADS:
            np.testing.assert_array_equal(new[f"layer_{layer}"][head]["bias"], params[f"layer_{layer}"][head]["bias"])
    x = jax.random.normal(jax.random.key(1), (4, ncp.input_dim))
    h = jax.random.normal(jax.random.key(2), (4, ncp.units))
    out_pruned = WiredCfCCell(pruned, intra_layer="wiring").apply({"params": new}, x, h)
    out_orig = WiredCfCCell(ncp, intra_layer="wiring").apply({"params": new}, x, h)
    np.testing.assert_allclose(out_pruned[0], out_orig[0], atol=1e-6)
    np.testing.assert_allclose(out_pruned[1], out_orig[1], atol=1e-6)


def test_model_params_with_rnn_cell(helpers):
    wiring = AutoNCP(12, 3, seed=2)
    model = CfC(wiring, intra_layer="wiring")
    params = jax.jit(model.init)(jax.random.key(0), jnp.ones((1, 4, 2)))["params"]
    pruned, new = prune_to_density(wiring, params, 0.6, intra_layer="wiring")
    built = wiring.build(2)
    new_np = helpers.to_numpy(new)
    assert helpers.total_synapses(pruned) == round(0.6 * helpers.total_synapses(built))
    assert set(new) == set(params) and "rnn_cell" in new
    n_removed = 0
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(built):
        old = (built.sensory_adjacency_matrix if is_sensory else built.adjacency_matrix)[src, dest]
        now = (pruned.sensory_adjacency_matrix if is_sensory else pruned.adjacency_matrix)[src, dest]
        if old != 0 and now == 0:
            n_removed += 1
            for head in helpers.HEADS:
                assert float(new_np["rnn_cell"][f"layer_{layer}"][head]["kernel"][r, c]) == 0.0
    assert n_removed > 0
    # everything outside the cell is untouched
    for key in params:
        if key != "rnn_cell":
            jax.tree_util.tree_map(np.testing.assert_array_equal, new[key], params[key])


# ---------------------------------------------------------------- critical_paths


def _diamond():
    # neuron 0 is the motor neuron; one sensory input.
    #   s->1 (0.9), 1->0 (0.2)                  bottleneck 0.2
    #   s->2 (0.5), 2->0 (0.6)                  bottleneck 0.5
    #   s->3 (0.95), 3->2 (0.7), 2->0 (0.6)     bottleneck 0.6  <- widest
    adjacency = np.zeros((4, 4), int)
    adjacency[1, 0] = adjacency[2, 0] = adjacency[3, 2] = 1
    sensory = np.array([[0, 1, 1, 1]])
    strength_r = np.zeros((4, 4))
    strength_r[1, 0], strength_r[2, 0], strength_r[3, 2] = 0.2, 0.6, 0.7
    strength_s = np.array([[0.0, 0.9, 0.5, 0.95]])
    wiring = Wiring.from_adjacency(adjacency, sensory, output_dim=1)
    return wiring, SynapseWeights(strength_s, strength_r)


def test_critical_path_is_widest_path():
    wiring, strength = _diamond()
    paths = critical_paths(wiring, strength)
    assert np.argwhere(paths.sensory).tolist() == [[0, 3]]
    assert sorted(np.argwhere(paths.recurrent).tolist()) == [[2, 0], [3, 2]]


def test_critical_path_ties_prefer_fewer_synapses():
    wiring, strength = _diamond()
    # make the direct route s->2->0 as wide as the long one: both bottleneck 0.6
    strength.sensory[0, 2] = 0.6
    paths = critical_paths(wiring, strength)
    assert np.argwhere(paths.sensory).tolist() == [[0, 2]]
    assert np.argwhere(paths.recurrent).tolist() == [[2, 0]]


def test_critical_path_ties_at_intermediate_neuron_prefer_fewer_synapses():
    wiring, strength = _diamond()
    # s->2 (0.7) ties with s->3->2 (min(0.95, 0.7) = 0.7): the direct one has fewer synapses
    strength.sensory[0, 2] = 0.7
    paths = critical_paths(wiring, strength)
    assert np.argwhere(paths.sensory).tolist() == [[0, 2]]
    assert np.argwhere(paths.recurrent).tolist() == [[2, 0]]


def test_critical_paths_share_prefix_for_two_motors():
    # motors 0 and 1 both fed by neuron 2; s->2 strong
    adjacency = np.zeros((3, 3), int)
    adjacency[2, 0] = adjacency[2, 1] = 1
    adjacency[0, 1] = 1
    sensory = np.array([[0, 0, 1], [1, 0, 0]])
    wiring = Wiring.from_adjacency(adjacency, sensory, output_dim=2)
    strength_r = np.zeros((3, 3))
    strength_r[2, 0], strength_r[2, 1], strength_r[0, 1] = 0.8, 0.7, 0.9
    strength_s = np.array([[0, 0, 0.9], [0.1, 0, 0]])
    paths = critical_paths(wiring, SynapseWeights(strength_s, strength_r))
    # motor 0: s0->2->0 (0.8) beats s1->0 (0.1); motor 1: via 2 directly (0.7) beats via 0 (min 0.8, 0.9 = 0.8)?
    # widest for motor 1 is s0->2->0->1 with bottleneck min(0.9, 0.8, 0.9) = 0.8 > 0.7
    assert np.argwhere(paths.sensory).tolist() == [[0, 2]]
    assert sorted(np.argwhere(paths.recurrent).tolist()) == [[0, 1], [2, 0]]


def test_critical_paths_unreachable_motor_raises():
    adjacency = np.zeros((3, 3), int)
    adjacency[2, 0] = 1
    wiring = Wiring.from_adjacency(adjacency, np.array([[0, 0, 1]]), output_dim=2)
    assert unreachable_motor_neurons(wiring) == [1]
    with pytest.raises(ValueError, match=r"\[1\]"):
        critical_paths(wiring, SynapseWeights(np.ones((1, 3)), np.ones((3, 3))))
