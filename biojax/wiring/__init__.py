"""NCP wirings as immutable NumPy masks (ncps and velora semantics): the structure every cell is built on.

Pure NumPy: this package imports nothing of biojax but ``biojax._validation``. Optimizing a wiring
together with a cell's params (pruning, importance, adaptation, weight sharing, metrics) lives one layer
up, in :mod:`biojax.rewiring`.

Example:
    >>> from biojax.wiring import AutoNCP
    >>> wiring = AutoNCP(16, 4).build(3)
    >>> wiring.adjacency_matrix.shape, wiring.sensory_adjacency_matrix.shape
    ((16, 16), (3, 16))
"""

from biojax.wiring.base import Wiring
from biojax.wiring.fully_connected import FullyConnected
from biojax.wiring.layered import LayeredWiring, LayerMasks, NeuronCounts, SynapseCounts
from biojax.wiring.ncp import NCP, AutoNCP
from biojax.wiring.random_wiring import Random
from biojax.wiring.synapse_weights import SynapseWeights, mask_wiring, wiring_mask
from biojax.wiring.paths import critical_paths, unreachable_motor_neurons
from biojax.wiring.synapse_slots import ParamSlot, SynapseSlots, identity_slot

__all__ = [
    "NCP",
    "AutoNCP",
    "FullyConnected",
    "LayerMasks",
    "LayeredWiring",
    "NeuronCounts",
    "ParamSlot",
    "Random",
    "SynapseCounts",
    "SynapseSlots",
    "SynapseWeights",
    "Wiring",
    "critical_paths",
    "identity_slot",
    "mask_wiring",
    "unreachable_motor_neurons",
    "wiring_mask",
]
