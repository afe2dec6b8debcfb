"""NCP wirings as immutable NumPy masks (ncps and velora semantics).

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

__all__ = [
    "NCP",
    "AutoNCP",
    "FullyConnected",
    "LayerMasks",
    "LayeredWiring",
    "NeuronCounts",
    "Random",
    "SynapseCounts",
    "Wiring",
]
