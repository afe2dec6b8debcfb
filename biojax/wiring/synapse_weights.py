"""Synapse-shaped pairs of matrices, and a wiring's synapse masks (pure NumPy structure).

Wiring optimization (:mod:`biojax.rewiring`) reads and writes synapse values as
:class:`SynapseWeights`; the two functions here turn a wiring into such a mask and back.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from biojax.wiring.base import Wiring


class SynapseWeights(NamedTuple):
    """A pair of arrays shaped like a wiring's matrices: ``sensory`` ``(input_dim, units)`` and
    ``recurrent`` ``(units, units)``, rows are sources and columns destinations.

    Used for synapse weights, strengths, importances and masks. Being a ``NamedTuple`` it is a JAX
    pytree.

    Example:
        >>> import numpy as np
        >>> w = SynapseWeights(np.ones((3, 4)), np.zeros((4, 4)))
        >>> w.sensory.shape, w.recurrent.shape
        ((3, 4), (4, 4))
    """

    sensory: Any
    recurrent: Any


def wiring_mask(wiring: Wiring) -> SynapseWeights:
    """Bool matrices: where ``wiring`` (built) has a synapse.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> wiring = AutoNCP(8, 2).build(3)
        >>> int(wiring_mask(wiring).recurrent.sum()) == wiring.synapse_count
        True
    """
    return SynapseWeights(wiring.sensory_adjacency_matrix != 0, wiring.adjacency_matrix != 0)


def mask_wiring(wiring: Wiring, keep: SynapseWeights) -> Wiring:
    """A copy of ``wiring`` (built) with only the synapses in ``keep``; class, layers and polarities kept.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> w = FullyConnected(2).build(1)
        >>> mask_wiring(w, SynapseWeights(np.ones((1, 2), bool), np.eye(2, dtype=bool))).synapse_count
        2
    """
    if not wiring.is_built():
        raise ValueError("mask_wiring needs a built wiring; call build(input_dim) first")
    sensory, recurrent = (np.asarray(a, bool) for a in keep)
    return wiring.with_matrices(
        adjacency_matrix=np.where(recurrent, wiring.adjacency_matrix, 0),
        sensory_adjacency_matrix=np.where(sensory, wiring.sensory_adjacency_matrix, 0),
    )
