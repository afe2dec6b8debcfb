"""Structural invariants of every wiring, checked with hypothesis."""

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from biojax.wiring import NCP, AutoNCP, FullyConnected, LayeredWiring, Random, Wiring

seeds = st.integers(0, 2**16)
input_dims = st.integers(1, 12)


@st.composite
def ncp_args(draw):
    inter, command, motor = draw(st.integers(1, 12)), draw(st.integers(1, 8)), draw(st.integers(1, 6))
    return dict(
        inter_neurons=inter,
        command_neurons=command,
        motor_neurons=motor,
        sensory_fanout=draw(st.integers(1, inter)),
        inter_fanout=draw(st.integers(1, command)),
        recurrent_command_synapses=draw(st.integers(0, 2 * command)),
        motor_fanin=draw(st.integers(1, command)),
        seed=draw(seeds),
    )


def check_common_invariants(wiring):
    for matrix in (wiring.adjacency_matrix, wiring.sensory_adjacency_matrix):
        assert set(np.unique(matrix)) <= {-1, 0, 1}
    assert wiring.synapse_count == np.count_nonzero(wiring.adjacency_matrix)
    assert wiring.sensory_synapse_count == np.count_nonzero(wiring.sensory_adjacency_matrix)
    assert Wiring.from_dict(json.loads(json.dumps(wiring.to_dict()))) == wiring


@settings(max_examples=40, deadline=None)
@given(ncp_args(), input_dims)
def test_ncp_structure(args, input_dim):
    wiring = NCP(**args).build(input_dim)
    check_common_invariants(wiring)
    adjacency, sensory = np.abs(wiring.adjacency_matrix), np.abs(wiring.sensory_adjacency_matrix)
    motor, command, inter = (np.array(wiring.get_neurons_of_layer(i)) for i in (2, 1, 0))
    assert list(motor) == list(range(args["motor_neurons"]))
    assert wiring.output_dim == args["motor_neurons"]
    # inputs reach inter neurons only; every input has exactly sensory_fanout targets
    assert sensory[:, np.concatenate([motor, command])].sum() == 0
    assert np.all(sensory.sum(axis=1) >= args["sensory_fanout"])
    assert np.all(sensory[:, inter].sum(axis=0) >= 1)
    # inter -> command only, each inter neuron with at least inter_fanout command targets
    assert np.all(adjacency[np.ix_(inter, command)].sum(axis=1) >= args["inter_fanout"])
    assert adjacency[np.ix_(inter, np.concatenate([inter, motor]))].sum() == 0
    assert np.all(adjacency[np.ix_(inter, command)].sum(axis=0) >= 1)
    # every motor neuron has at least motor_fanin command inputs and nothing else
    assert np.all(adjacency[np.ix_(command, motor)].sum(axis=0) >= args["motor_fanin"])
    assert adjacency[np.ix_(np.concatenate([inter, motor]), motor)].sum() == 0
    assert np.all(adjacency[np.ix_(command, motor)].sum(axis=1) >= 1)
    assert adjacency[np.ix_(command, command)].sum() <= args["recurrent_command_synapses"]
    assert adjacency[motor].sum() == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(4, 40), st.data(), st.floats(0.1, 1.0), seeds, input_dims)
def test_auto_ncp_structure(units, data, sparsity, seed, input_dim):
    output = data.draw(st.integers(1, units - 3))
    wiring = AutoNCP(units, output, sparsity_level=sparsity, seed=seed).build(input_dim)
    check_common_invariants(wiring)
    assert wiring.units == units and wiring.output_dim == output
    assert sum(len(wiring.get_neurons_of_layer(i)) for i in range(3)) == units


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.floats(0.0, 0.99), seeds, input_dims)
def test_random_structure(units, sparsity, seed, input_dim):
    wiring = Random(units, sparsity_level=sparsity, random_seed=seed).build(input_dim)
    check_common_invariants(wiring)
    assert wiring.synapse_count == int(np.round(units * units * (1 - sparsity)))
    assert wiring.sensory_synapse_count == int(np.round(input_dim * units * (1 - sparsity)))


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 10), st.booleans(), input_dims)
def test_fully_connected_structure(units, self_connections, input_dim):
    wiring = FullyConnected(units, self_connections=self_connections).build(input_dim)
    check_common_invariants(wiring)
    assert wiring.synapse_count == units * units - (0 if self_connections else units)
    assert wiring.sensory_synapse_count == input_dim * units


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 20), st.integers(2, 40), st.integers(1, 10), st.floats(0.1, 0.9), seeds)
def test_layered_wiring_structure(in_features, n_neurons, out_features, sparsity, seed):
    wiring = LayeredWiring(in_features, n_neurons, out_features, sparsity_level=sparsity, seed=seed)
    masks, counts = wiring.data()
    assert counts.inter + counts.command == n_neurons
    fanouts = {"inter": wiring.n_connections.sensory, "command": wiring.n_connections.inter,
               "motor": wiring.n_connections.command}
    for name, fanout in fanouts.items():
        mask = np.abs(getattr(masks, name))
        assert np.all(mask.sum(axis=0) >= 1)
        # each source draws `fanout` targets with replacement, plus at most the targets left empty
        assert mask.sum() <= mask.shape[0] * fanout + mask.shape[1]
    assert LayeredWiring.from_dict(json.loads(json.dumps(wiring.to_dict()))) == wiring
