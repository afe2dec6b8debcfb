"""Where a cell keeps each synapse of its wiring in its params: :class:`ParamSlot` (pure NumPy structure).

A cell that wiring optimization (:mod:`biojax.rewiring`) can work on describes its own params with
``synapse_slots(params) -> SynapseSlots``: its kind, its built wiring and one :class:`ParamSlot` per
parameter array that holds synapse values (see :class:`biojax.nn.LTCCell` and
:class:`biojax.nn.WiredCfCCell`).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from biojax.wiring.base import Wiring


@dataclasses.dataclass(frozen=True)
class ParamSlot:
    """One parameter array that holds synapse values, and where each of its entries goes.

    Attributes:
        path: keys from the cell's params to the array.
        is_sensory: bool array shaped like the parameter; the entry is a sensory synapse.
        src, dest: int arrays shaped like the parameter; the synapse's source and destination.
        valid: bool array; the entry belongs to a synapse position at all (False for always-on entries).
        role: ``"weight"`` (strength; zeroed when pruned), ``"softplus_weight"`` (strength through
            softplus; left alone) or ``"reversal"`` (no strength; zeroed when pruned).

    Example:
        >>> slot = identity_slot(("w",), (2, 2), False, "weight")
        >>> slot.path, slot.role, bool(slot.valid.all())
        (('w',), 'weight', True)
    """

    path: tuple[str, ...]
    is_sensory: np.ndarray
    src: np.ndarray
    dest: np.ndarray
    valid: np.ndarray
    role: str

    def flat_index(self, input_dim: int, units: int) -> np.ndarray:
        """Index of each entry in ``concatenate([sensory.ravel(), recurrent.ravel()])`` (-1 if not valid).

        Example:
            >>> import numpy as np
            >>> slot = ParamSlot(("w",), np.zeros((2, 2), bool), *np.indices((2, 2)), np.ones((2, 2), bool), "weight")
            >>> slot.flat_index(3, 2).tolist()
            [[6, 7], [8, 9]]
        """
        sensory_index = self.src * units + self.dest
        recurrent_index = input_dim * units + self.src * units + self.dest
        index = np.where(self.is_sensory, sensory_index, recurrent_index)
        return np.where(self.valid, index, -1)



def identity_slot(path: tuple[str, ...], shape: tuple[int, int], sensory: bool, role: str) -> ParamSlot:
    """A slot for a ``(sources, destinations)`` matrix indexed like the wiring's own matrices.

    Example:
        >>> slot = identity_slot(("w",), (2, 3), False, "weight")
        >>> slot.src.tolist(), slot.dest.tolist()[0]
        ([[0, 0, 0], [1, 1, 1]], [0, 1, 2])
    """
    src, dest = np.indices(shape)
    return ParamSlot(path, np.full(shape, sensory), src, dest, np.ones(shape, bool), role)


class SynapseSlots(NamedTuple):
    """What a cell says about its params: a short ``kind`` name, the built ``wiring`` and the ``slots``.

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> w = FullyConnected(2).build(1)
        >>> SynapseSlots("weights", w, (identity_slot(("recurrent",), (2, 2), False, "weight"),)).kind
        'weights'
    """

    kind: str
    wiring: Wiring
    slots: tuple[ParamSlot, ...]
