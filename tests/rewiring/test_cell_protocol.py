"""A new cell plugs into wiring optimization by describing its synapses (synapse_slots), not by its names."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import LTCCell, WiredCfCCell
from biojax.rewiring import SynapseCell, prune_to_density, synapse_layout, synapse_strength
from biojax.wiring import AutoNCP, SynapseSlots, identity_slot


class MaskedRNNCell(nn.Module):
    """A toy wired cell with parameter names biojax has never seen: ``w_in`` (S, N) and ``w_rec`` (N, N)."""

    wiring: object

    @nn.compact
    def __call__(self, x, h):
        wiring = self.wiring.build(x.shape[-1])
        w_in = self.param("w_in", nn.initializers.normal(1.0), wiring.sensory_adjacency_matrix.shape)
        w_rec = self.param("w_rec", nn.initializers.normal(1.0), wiring.adjacency_matrix.shape)
        h = jnp.tanh(x @ (w_in * (wiring.sensory_adjacency_matrix != 0)) + h @ (w_rec * (wiring.adjacency_matrix != 0)))
        return h, h

    def synapse_slots(self, params):
        wiring = self.wiring.build(int(np.shape(params["w_in"])[0]))
        return SynapseSlots("masked_rnn", wiring, (
            identity_slot(("w_in",), wiring.sensory_adjacency_matrix.shape, True, "weight"),
            identity_slot(("w_rec",), wiring.adjacency_matrix.shape, False, "weight"),
        ))


def _toy():
    wiring = AutoNCP(12, 3, seed=1)
    cell = MaskedRNNCell(wiring)
    params = cell.init(jax.random.key(0), jnp.ones((1, 4)), jnp.zeros((1, 12)))["params"]
    return cell, params


def test_cells_implement_the_synapse_protocol():
    for cell in (MaskedRNNCell(AutoNCP(8, 2)), LTCCell(4), WiredCfCCell(AutoNCP(8, 2))):
        assert isinstance(cell, SynapseCell)


def test_a_toy_cell_is_laid_out_measured_and_pruned_through_its_own_slots():
    cell, params = _toy()
    layout = synapse_layout(cell, params)
    assert layout.kind == "masked_rnn" and [s.path for s in layout.slots] == [("w_in",), ("w_rec",)]
    strength = synapse_strength(cell, params)
    wiring = layout.wiring
    np.testing.assert_allclose(strength.recurrent, np.abs(params["w_rec"]) * (wiring.adjacency_matrix != 0))
    pruned, new_params = prune_to_density(cell, params, 0.5, keep_paths=False)
    total = lambda w: int(np.count_nonzero(w.adjacency_matrix) + np.count_nonzero(w.sensory_adjacency_matrix))
    assert total(pruned) == round(0.5 * total(wiring))
    removed = (wiring.adjacency_matrix != 0) & (pruned.adjacency_matrix == 0)
    assert removed.any() and (np.asarray(new_params["w_rec"])[removed] == 0).all()
    kept = pruned.adjacency_matrix != 0
    kept_strength = np.abs(np.asarray(params["w_rec"]))[kept]
    removed_strength = np.abs(np.asarray(params["w_rec"]))[removed]
    in_kept = np.abs(np.asarray(params["w_in"]))[pruned.sensory_adjacency_matrix != 0]
    in_removed = np.abs(np.asarray(params["w_in"]))[(wiring.sensory_adjacency_matrix != 0)
                                                     & (pruned.sensory_adjacency_matrix == 0)]
    assert min(kept_strength.min(), in_kept.min()) >= max(removed_strength.max(), in_removed.max())


def test_the_same_toy_params_given_with_only_the_wiring_are_refused_with_a_hint():
    cell, params = _toy()
    with pytest.raises(TypeError, match="pass the cell itself"):
        synapse_layout(cell.wiring, params)


def test_a_cell_brings_its_own_intra_layer():
    wiring = AutoNCP(8, 2)
    cell = WiredCfCCell(wiring, intra_layer="wiring")
    params = cell.init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 8)))["params"]
    by_cell = synapse_layout(cell, params)
    by_wiring = synapse_layout(wiring, params, intra_layer="wiring")
    assert [s.path for s in by_cell.slots] == [s.path for s in by_wiring.slots]
    with pytest.raises(ValueError, match="intra_layer is the cell's own setting"):
        synapse_layout(cell, params, intra_layer="wiring")
