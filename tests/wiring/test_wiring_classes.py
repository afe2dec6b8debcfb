import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.wiring import NCP, AutoNCP, FullyConnected, LayeredWiring, Random, Wiring


def test_build_returns_a_new_sealed_wiring_and_leaves_the_original_unbuilt():
    wiring = AutoNCP(16, 4)
    built = wiring.build(3)
    assert built is not wiring
    assert not wiring.is_built() and built.is_built()
    assert built.input_dim == 3 and wiring.input_dim is None
    with pytest.raises(ValueError):
        built.adjacency_matrix[0, 0] = 1
    with pytest.raises(TypeError, match="immutable"):
        built.add_synapse(0, 1, 1)


def test_build_is_idempotent_and_rejects_a_different_input_dim():
    built = FullyConnected(4).build(2)
    assert built.build(2) is built
    with pytest.raises(ValueError, match="input_dim=3 conflicts"):
        built.build(3)


def test_equal_wirings_are_equal_and_hash_alike_and_share_a_jit_cache_entry():
    first, second = AutoNCP(16, 4, seed=3).build(3), AutoNCP(16, 4, seed=3).build(3)
    other = AutoNCP(16, 4, seed=4).build(3)
    assert first == second and hash(first) == hash(second)
    assert first != other
    traces = []

    def count_synapses(wiring, x):
        traces.append(wiring)
        return x * wiring.synapse_count

    f = jax.jit(count_synapses, static_argnums=0)
    f(first, jnp.ones(()))
    f(second, jnp.ones(()))
    assert len(traces) == 1
    f(other, jnp.ones(()))
    assert len(traces) == 2


def test_sensory_synapse_count_is_the_sensory_one_not_the_internal_one():
    wiring = AutoNCP(16, 4).build(3)
    assert wiring.synapse_count == 28
    assert wiring.sensory_synapse_count == 13 == int(np.abs(wiring.sensory_adjacency_matrix).sum())


def test_ncp_layers_and_neuron_types():
    wiring = NCP(5, 3, 2, 2, 2, 3, 2).build(4)
    assert wiring.get_neurons_of_layer(0) == [5, 6, 7, 8, 9]
    assert wiring.get_neurons_of_layer(1) == [2, 3, 4]
    assert wiring.get_neurons_of_layer(2) == [0, 1]
    assert [wiring.get_type_of_neuron(i) for i in (0, 2, 5)] == ["motor", "command", "inter"]
    with pytest.raises(ValueError, match="layer_id"):
        wiring.get_neurons_of_layer(3)


def test_base_wiring_builds_custom_wirings_and_from_adjacency():
    wiring = Wiring(3, output_dim=1)
    wiring.add_synapse(2, 0, 1)
    wiring.add_synapse(2, 0, -1)
    assert wiring.adjacency_matrix[2, 0] == -1
    built = wiring.build(2)
    assert built.sensory_synapse_count == 0 and built.num_layers == 1
    assert built.get_type_of_neuron(0) == "motor" and built.get_type_of_neuron(1) == "inter"
    with pytest.raises(ValueError, match="build"):
        Wiring(2).add_sensory_synapse(0, 0, 1)
    same = Wiring.from_adjacency(built.adjacency_matrix, built.sensory_adjacency_matrix, output_dim=1)
    assert same == built


def test_custom_subclass_adds_sensory_synapses_in_its_hook():
    class Chain(Wiring):
        config_keys = ("units",)

        def __init__(self, units):
            super().__init__(units, output_dim=1)
            for i in range(1, units):
                self.add_synapse(i, i - 1, 1)

        def _connect_sensory(self):
            self.add_sensory_synapse(0, self.units - 1, 1)

    built = Chain(4).build(1)
    assert built.synapse_count == 3 and built.sensory_synapse_count == 1
    assert Wiring.from_dict(built.to_dict()) == built


def test_erev_initializers_are_writable_copies():
    built = Random(6, sparsity_level=0.5).build(2)
    erev = built.erev_initializer()
    erev[...] = 0
    assert built.synapse_count > 0
    np.testing.assert_array_equal(built.sensory_erev_initializer(), built.sensory_adjacency_matrix)


@pytest.mark.parametrize(
    "wiring",
    [
        FullyConnected(5, output_dim=2, self_connections=False),
        Random(7, 3, sparsity_level=0.4, random_seed=9),
        NCP(6, 4, 2, 3, 2, 5, 2, seed=1),
        AutoNCP(20, 5, sparsity_level=0.7, seed=8),
        Wiring.from_adjacency(np.eye(3, dtype=int)),
    ],
    ids=lambda w: type(w).__name__,
)
def test_json_round_trip_restores_class_and_masks(wiring):
    for candidate in (wiring, wiring.build(3)):
        restored = Wiring.from_dict(json.loads(json.dumps(candidate.to_dict())))
        assert type(restored) is type(candidate)
        assert restored == candidate


def test_round_trip_keeps_edited_matrices():
    built = AutoNCP(16, 4).build(3)
    pruned = built.with_matrices(adjacency_matrix=np.zeros((16, 16), int))
    restored = Wiring.from_dict(pruned.to_dict())
    assert isinstance(restored, AutoNCP) and restored.synapse_count == 0
    assert restored.sensory_synapse_count == built.sensory_synapse_count


def test_ncp_from_dict_does_not_crash_like_ncps():
    wiring = NCP(8, 4, 4, 4, 2, 4, 2, seed=5)
    assert Wiring.from_dict(wiring.to_dict()).build(8) == wiring.build(8)


def test_layered_wiring_masks_are_a_pytree_with_valid_structure():
    wiring = LayeredWiring(4, 10, 2, sparsity_level=0.5, seed=1)
    masks = wiring.masks
    abs_masks = jax.tree.map(np.abs, masks)
    assert type(abs_masks).__name__ == "LayerMasks"
    for name in ("inter", "command", "motor"):
        mask = getattr(masks, name)
        assert set(np.unique(mask)) <= {-1, 0, 1}
        assert np.all(np.abs(mask).sum(axis=0) >= 1), f"{name}: a target without input"
    assert np.abs(masks.inter).sum() <= 4 * wiring.n_connections.sensory + 6
    assert np.abs(masks.recurrent).sum() <= wiring.n_connections.command
    assert LayeredWiring(4, 10, 2, seed=1) == wiring != LayeredWiring(4, 10, 2, seed=2)
    assert hash(LayeredWiring(4, 10, 2, seed=1)) == hash(wiring)
