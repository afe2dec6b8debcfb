"""Where each synapse of a wiring lives in a cell's parameters.

Wiring optimization (pruning, importance, growing synapses) works on synapses, while the cells keep
their weights in parameter arrays: :class:`~biojax.nn.LTCCell` in ``(units, units)`` and
``(input_dim, units)`` matrices indexed like the wiring, :class:`~biojax.nn.WiredCfCCell` in one
``(in + n_l, n_l)`` kernel per layer and head. A :class:`SynapseLayout` maps every parameter entry that
belongs to a synapse to its place in the wiring, so the same optimization code serves every cell.

Supported parameters (the cell's own ``params`` subtree, or a model's params holding it under
``"rnn_cell"`` as :class:`~biojax.nn.LTC` and :class:`~biojax.nn.CfC` do):

- LTC: the effective weight of a synapse is ``softplus(w)`` (the cell's default
  ``implicit_param_constraints=True``; the ranking is the same without it). Pruning a synapse
  removes it from the wiring (the cell skips it) and zeroes its ``erev``.
- Wired CfC: the weight of a synapse is the mean ``|kernel|`` over the masked heads (``ff1``,
  ``ff2``, plus ``time_a``/``time_b`` with ``intra_layer="wiring"``). Within-layer synapses only
  have parameters with ``intra_layer="wiring"``; with ncps's ``"dense"`` the within-layer block is
  always on and not part of the wiring. Synapses the cell cannot represent (e.g. skipping a layer)
  have weight 0.
- :class:`SynapseWeights` of raw weight matrices, for any layer masked by a wiring.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice
from biojax.nn import LTCCell, WiredCfCCell
from biojax.nn.wired_cfc_cell import INTRA_LAYER
from biojax.wiring import ParamSlot, SynapseSlots, SynapseWeights, Wiring, identity_slot



@dataclasses.dataclass(frozen=True)
class SynapseLayout:
    """The built wiring and the parameter slots of one cell's params (see the module docstring).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import LTCCell
        >>> from biojax.wiring import AutoNCP
        >>> wiring = AutoNCP(8, 2).build(3)
        >>> params = LTCCell(wiring).init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 8)))["params"]
        >>> layout = synapse_layout(wiring, params)
        >>> layout.kind, [slot.path for slot in layout.slots][:2]
        ('ltc', [('sensory_w',), ('w',)])
    """

    wiring: Wiring
    kind: str
    slots: tuple[ParamSlot, ...]
    prefix: tuple[str, ...]

    @property
    def shape(self) -> SynapseWeights:
        """Shapes of the wiring's two matrices, as a :class:`SynapseWeights` of tuples."""
        return SynapseWeights(
            self.wiring.sensory_adjacency_matrix.shape, self.wiring.adjacency_matrix.shape
        )

    def representable(self) -> SynapseWeights:
        """Bool matrices: positions where the cell has parameters for a synapse (where growing one works).

        Example:
            >>> import numpy as np
            >>> from biojax.wiring import FullyConnected
            >>> w = FullyConnected(2).build(1)
            >>> layout = synapse_layout(w, SynapseWeights(np.ones((1, 2)), np.ones((2, 2))))
            >>> bool(layout.representable().recurrent.all())
            True
        """
        input_dim, units = self.shape.sensory
        flat = np.zeros(input_dim * units + units * units, bool)
        for slot in self.slots:
            if slot.role != "reversal":
                index = slot.flat_index(input_dim, units)
                flat[index[index >= 0]] = True
        return split_flat(flat, input_dim, units)

    def cell_params(self, params: Any) -> Any:
        """The cell's subtree of ``params``."""
        for key in self.prefix:
            params = params[key]
        return params

    def replace_cell_params(self, params: Any, cell_params: Any) -> Any:
        """``params`` with the cell's subtree replaced."""
        return set_path(params, self.prefix, cell_params)


def split_flat(flat: Any, input_dim: int, units: int) -> SynapseWeights:
    """Splits a flat ``[sensory | recurrent]`` vector back into a :class:`SynapseWeights`.

    Example:
        >>> import numpy as np
        >>> [a.shape for a in split_flat(np.arange(8), 2, 2)]
        [(2, 2), (2, 2)]
    """
    cut = input_dim * units
    return SynapseWeights(flat[:cut].reshape(input_dim, units), flat[cut:].reshape(units, units))


def flatten(weights: SynapseWeights) -> Any:
    """``concatenate([sensory.ravel(), recurrent.ravel()])`` (NumPy or JAX, as given).

    Example:
        >>> import numpy as np
        >>> flatten(SynapseWeights(np.zeros((1, 2)), np.ones((2, 2)))).tolist()
        [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    """
    xp = jnp if isinstance(weights.sensory, jax.Array) or isinstance(weights.recurrent, jax.Array) else np
    return xp.concatenate([xp.ravel(weights.sensory), xp.ravel(weights.recurrent)])


def get_path(tree: Any, path: tuple[str, ...]) -> Any:
    """``tree[path[0]][path[1]]...``."""
    for key in path:
        tree = getattr(tree, key) if isinstance(tree, SynapseWeights) else tree[key]
    return tree


def set_path(tree: Any, path: tuple[str, ...], value: Any) -> Any:
    """A copy of the nested mapping ``tree`` with the entry at ``path`` replaced (other entries shared)."""
    if not path:
        return value
    if isinstance(tree, SynapseWeights):
        return tree._replace(**{path[0]: set_path(getattr(tree, path[0]), path[1:], value)})
    return {**tree, path[0]: set_path(tree[path[0]], path[1:], value)}


@runtime_checkable
class SynapseCell(Protocol):
    """A cell whose params wiring optimization can read and edit: ``synapse_slots(cell_params)`` returns a
    :class:`~biojax.wiring.SynapseSlots` (kind, built wiring, one :class:`~biojax.wiring.ParamSlot` per
    parameter array that holds synapse values). :class:`~biojax.nn.LTCCell` and
    :class:`~biojax.nn.WiredCfCCell` implement it; so can a new cell.

    Example:
        >>> from biojax.nn import LTCCell
        >>> isinstance(LTCCell(4), SynapseCell)
        True
    """

    def synapse_slots(self, params: Any) -> SynapseSlots: ...


def _builtin_cell(wiring: Wiring, params: Any, intra_layer: str) -> SynapseCell:
    """For a wiring and cell params: the biojax cell those params belong to (LTC or wired CfC)."""
    if isinstance(params, Mapping):
        if "sensory_w" in params and "w" in params:
            return LTCCell(wiring)
        if isinstance(params.get("layer_0"), Mapping) and "ff1" in params["layer_0"]:
            return WiredCfCCell(wiring, intra_layer=intra_layer)
    keys = sorted(params) if isinstance(params, Mapping) else type(params).__name__
    raise TypeError(
        "params must be LTCCell params (with 'w' and 'sensory_w'), WiredCfCCell params (with 'layer_0'), "
        f"model params holding one of those under 'rnn_cell', or SynapseWeights; got {keys}. For another "
        "cell, pass the cell itself (anything with synapse_slots) instead of its wiring"
    )


def _raw_weights(wiring: Wiring, weights: SynapseWeights) -> SynapseSlots:
    built = wiring if wiring.is_built() else wiring.build(int(np.shape(weights.sensory)[0]))
    return SynapseSlots("weights", built, (
        identity_slot(("sensory",), built.sensory_adjacency_matrix.shape, True, "weight"),
        identity_slot(("recurrent",), built.adjacency_matrix.shape, False, "weight"),
    ))


def synapse_layout(wiring: Wiring | SynapseCell, params: Any, *, intra_layer: str = "dense") -> SynapseLayout:
    """Maps a cell's parameters onto its wiring's synapses.

    Args:
        wiring: the cell itself (any :class:`SynapseCell`, which then says where its synapses are), or its
            wiring, built or not: then ``params`` must be :class:`~biojax.nn.LTCCell` or
            :class:`~biojax.nn.WiredCfCCell` params (told apart by their names) or raw
            :class:`SynapseWeights`. Every function of :mod:`biojax.rewiring` that takes a wiring takes a
            cell as well.
        params: cell params, model params with an ``"rnn_cell"`` entry, or :class:`SynapseWeights`.
        intra_layer: the :class:`~biojax.nn.WiredCfCCell`'s ``intra_layer`` when a wiring is given (a cell
            brings its own).

    Raises:
        TypeError: for something that is neither a wiring nor a cell, or unknown params.
        ValueError: when the parameter shapes do not fit the wiring.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> layout = synapse_layout(FullyConnected(3), SynapseWeights(np.ones((2, 3)), np.ones((3, 3))))
        >>> layout.kind, layout.wiring.input_dim
        ('weights', 2)
    """
    check_choice("intra_layer", intra_layer, INTRA_LAYER)
    prefix = ("rnn_cell",) if isinstance(params, Mapping) and "rnn_cell" in params else ()
    cell_params = get_path(params, prefix)
    if isinstance(wiring, Wiring):
        if isinstance(cell_params, SynapseWeights):
            described = _raw_weights(wiring, cell_params)
        else:
            described = _builtin_cell(wiring, cell_params, intra_layer).synapse_slots(cell_params)
    elif isinstance(wiring, SynapseCell):
        if intra_layer != "dense":
            raise ValueError(f"intra_layer is the cell's own setting when a cell is given, got {intra_layer!r}")
        described = wiring.synapse_slots(cell_params)
    else:
        raise TypeError(f"wiring must be a biojax.wiring.Wiring or a cell with synapse_slots, got {wiring!r}")
    kind, built, slots = described
    for slot in slots:
        actual = np.shape(get_path(cell_params, slot.path))
        if actual != slot.src.shape:
            raise ValueError(
                f"params[{'/'.join(prefix + slot.path)!r}] has shape {actual}, but the wiring "
                f"({type(built).__name__}, {built.units} units, input_dim {built.input_dim}) needs {slot.src.shape}"
            )
    return SynapseLayout(built, kind, tuple(slots), prefix)
