"""wiring_metrics, ltc_flops, wired_cfc_flops and monitor_performance against hand counts."""

from __future__ import annotations

import numpy as np
import pytest

from biojax.wiring import AutoNCP, FullyConnected
from biojax.rewiring import ltc_flops, monitor_performance, prune_to_density, wired_cfc_flops, wiring_metrics


def test_fully_connected_counts_and_ltc_bytes():
    wiring = FullyConnected(3).build(2)
    m = wiring_metrics(wiring)
    assert m["synapses"] == 9 and m["sensory_synapses"] == 6
    assert m["total_synapses"] == 15 and m["possible_synapses"] == 15
    assert m["density"] == pytest.approx(1.0)
    n, s, motor = 3, 2, 3
    # LTC params: gleak, vleak, cm (n); sigma, mu, w, erev (n, n); sensory_* (s, n) x 4;
    # input_w, input_b (s); output_w, output_b (motor) -- all float32
    floats = 3 * n + 4 * n * n + 4 * s * n + 2 * s + 2 * motor
    assert m["param_bytes"] == 4 * floats
    assert m["step_seconds"] is None


def test_autoncp_counts_and_cfc_bytes(ncp):
    m = wiring_metrics(ncp, cell="wired_cfc", intra_layer="wiring")
    rec = int(np.count_nonzero(ncp.adjacency_matrix))
    sens = int(np.count_nonzero(ncp.sensory_adjacency_matrix))
    possible = ncp.input_dim * ncp.units + ncp.units ** 2
    assert (m["synapses"], m["sensory_synapses"], m["total_synapses"]) == (rec, sens, rec + sens)
    assert m["possible_synapses"] == possible
    assert m["density"] == pytest.approx((rec + sens) / possible)
    floats, previous = 0, ncp.input_dim
    for layer in range(ncp.num_layers):
        n = len(ncp.get_neurons_of_layer(layer))
        floats += 4 * ((previous + n) * n + n)  # four heads, kernel + bias
        previous = n
    assert m["param_bytes"] == 4 * floats
    # explicit params are measured as given
    params = {"a": np.zeros((3, 5), np.float32), "b": np.zeros(7, np.float64)}
    assert wiring_metrics(ncp, params)["param_bytes"] == 15 * 4 + 7 * 8


def _hand_ltc_flops(wiring, unfolds):
    s_syn = int(np.count_nonzero(wiring.sensory_adjacency_matrix))
    r_syn = int(np.count_nonzero(wiring.adjacency_matrix))
    n = wiring.units
    return 10 * s_syn + 4 * n + unfolds * (10 * r_syn + 6 * n) + 2 * wiring.input_dim + 2 * wiring.output_dim


def _hand_cfc_flops(wiring, intra_layer, synapses_only):
    total, previous = 0, None
    for layer in range(wiring.num_layers):
        neurons = list(wiring.get_neurons_of_layer(layer))
        n = len(neurons)
        if previous is None:
            block = wiring.sensory_adjacency_matrix[:, neurons]
        else:
            block = wiring.adjacency_matrix[np.ix_(previous, neurons)]
        own = wiring.adjacency_matrix[np.ix_(neurons, neurons)]
        if synapses_only:
            f_syn = np.count_nonzero(block) + (np.count_nonzero(own) if intra_layer == "wiring" else n * n)
        else:
            f_syn = block.size + n * n
        total += 4 * (2 * f_syn + n) + 18 * n
        previous = neurons
    return total


@pytest.mark.parametrize("unfolds", [1, 6])
def test_ltc_flops_formula(small_ncp, unfolds):
    assert ltc_flops(small_ncp, ode_unfolds=unfolds) == _hand_ltc_flops(small_ncp, unfolds)
    fc = FullyConnected(2).build(1)
    # 10*2 + 4*2 + unfolds*(10*4 + 6*2) + 2*1 + 2*2
    assert ltc_flops(fc, ode_unfolds=unfolds) == 20 + 8 + unfolds * 52 + 6


@pytest.mark.parametrize("intra_layer", ["dense", "wiring"])
def test_wired_cfc_flops_formula(small_ncp, intra_layer):
    assert wired_cfc_flops(small_ncp, intra_layer) == _hand_cfc_flops(small_ncp, intra_layer, False)
    assert (wired_cfc_flops(small_ncp, intra_layer, synapses_only=True)
            == _hand_cfc_flops(small_ncp, intra_layer, True))
    # one layer of 2 neurons, 1 input: 4 * (2 * 6 + 2) + 18 * 2
    assert wired_cfc_flops(FullyConnected(2).build(1), intra_layer) == 92


def test_pruning_lowers_ltc_flops_but_not_dense_cfc(ncp, helpers, ltc_ncp_params, cfc_ncp_params):
    pruned_ltc, _ = prune_to_density(ncp, ltc_ncp_params, 0.5)
    before = wiring_metrics(ncp)
    after = wiring_metrics(pruned_ltc)
    removed_s = helpers.total_synapses(ncp) - helpers.total_synapses(pruned_ltc)
    assert removed_s > 0
    assert after["flops_per_step"] < before["flops_per_step"]
    assert after["flops_per_step"] == _hand_ltc_flops(pruned_ltc, 6)
    assert after["synapse_flops_per_step"] == after["flops_per_step"]
    pruned_cfc, _ = prune_to_density(ncp, cfc_ncp_params, 0.5, intra_layer="wiring")
    cb = wiring_metrics(ncp, cell="wired_cfc", intra_layer="wiring")
    ca = wiring_metrics(pruned_cfc, cell="wired_cfc", intra_layer="wiring")
    assert ca["flops_per_step"] == cb["flops_per_step"]
    assert ca["synapse_flops_per_step"] < cb["synapse_flops_per_step"]
    removed = helpers.total_synapses(ncp) - helpers.total_synapses(pruned_cfc)
    # each removed synapse saves a multiply and an add in each of the four heads
    assert cb["synapse_flops_per_step"] - ca["synapse_flops_per_step"] == 8 * removed
    assert ca["param_bytes"] == cb["param_bytes"]


def test_monitor_performance(ncp):
    m = monitor_performance(ncp, cell="wired_cfc")
    assert sorted(m) == ["computation_time", "efficiency", "memory_usage", "sparsity"]
    metrics = wiring_metrics(ncp, cell="wired_cfc")
    assert m["sparsity"] == pytest.approx(1.0 - metrics["density"])
    assert m["efficiency"] == pytest.approx(metrics["synapse_flops_per_step"] / metrics["flops_per_step"])
    assert m["memory_usage"] == metrics["param_bytes"]
    assert m["computation_time"] is None
    ltc = monitor_performance(ncp)
    assert ltc["efficiency"] == pytest.approx(1.0)


def test_step_seconds_positive():
    wiring = AutoNCP(8, 2).build(2)
    m = wiring_metrics(wiring, time_batch_size=2)
    assert isinstance(m["step_seconds"], float) and m["step_seconds"] > 0


def test_metrics_errors():
    with pytest.raises(ValueError, match="built"):
        wiring_metrics(FullyConnected(3))
    with pytest.raises(ValueError, match="cell"):
        wiring_metrics(FullyConnected(3).build(2), cell="gru")
