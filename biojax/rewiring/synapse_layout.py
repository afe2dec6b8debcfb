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
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice
from biojax.wiring import SynapseWeights, Wiring

INTRA_LAYER = ("dense", "wiring")
_CFC_HEADS = ("ff1", "ff2", "time_a", "time_b")


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


def _identity_slot(path: tuple[str, ...], shape: tuple[int, int], sensory: bool, role: str) -> ParamSlot:
    src, dest = np.indices(shape)
    return ParamSlot(path, np.full(shape, sensory), src, dest, np.ones(shape, bool), role)


def _ltc_slots(wiring: Wiring) -> tuple[ParamSlot, ...]:
    sensory_shape, recurrent_shape = wiring.sensory_adjacency_matrix.shape, wiring.adjacency_matrix.shape
    return (
        _identity_slot(("sensory_w",), sensory_shape, True, "softplus_weight"),
        _identity_slot(("w",), recurrent_shape, False, "softplus_weight"),
        _identity_slot(("sensory_erev",), sensory_shape, True, "reversal"),
        _identity_slot(("erev",), recurrent_shape, False, "reversal"),
    )


def _cfc_slots(wiring: Wiring, params: Mapping, intra_layer: str) -> tuple[ParamSlot, ...]:
    slots, previous = [], None
    for layer in range(wiring.num_layers):
        neurons = np.asarray(wiring.get_neurons_of_layer(layer))
        sources = np.arange(wiring.input_dim) if previous is None else previous
        rows = len(sources) + len(neurons)
        src = np.concatenate([sources, neurons])[:, None].repeat(len(neurons), axis=1)
        dest = np.broadcast_to(neurons, (rows, len(neurons))).copy()
        is_sensory = np.zeros((rows, len(neurons)), bool)
        is_sensory[: len(sources)] = previous is None
        valid = np.ones((rows, len(neurons)), bool)
        valid[len(sources):] = intra_layer == "wiring"
        heads = _CFC_HEADS if intra_layer == "wiring" else _CFC_HEADS[:2]
        for head in heads:
            if head in params[f"layer_{layer}"]:
                slots.append(ParamSlot((f"layer_{layer}", head, "kernel"), is_sensory, src, dest, valid, "weight"))
        previous = neurons
    return tuple(slots)


def _cell_kind(params: Any) -> tuple[str, tuple[str, ...]]:
    if isinstance(params, SynapseWeights):
        return "weights", ()
    if isinstance(params, Mapping):
        if "sensory_w" in params and "w" in params:
            return "ltc", ()
        if "layer_0" in params and isinstance(params["layer_0"], Mapping) and "ff1" in params["layer_0"]:
            return "wired_cfc", ()
        if "rnn_cell" in params:
            kind, prefix = _cell_kind(params["rnn_cell"])
            return kind, ("rnn_cell", *prefix)
    keys = sorted(params) if isinstance(params, Mapping) else type(params).__name__
    raise TypeError(
        "params must be LTCCell params (with 'w' and 'sensory_w'), WiredCfCCell params (with 'layer_0'), "
        f"model params holding one of those under 'rnn_cell', or SynapseWeights; got {keys}"
    )


def _input_dim(kind: str, wiring: Wiring, cell: Any) -> int:
    if kind == "ltc":
        return int(np.shape(cell["sensory_w"])[0])
    if kind == "weights":
        return int(np.shape(cell.sensory)[0])
    return int(np.shape(cell["layer_0"]["ff1"]["kernel"])[0]) - len(wiring.get_neurons_of_layer(0))


def synapse_layout(wiring: Wiring, params: Any, *, intra_layer: str = "dense") -> SynapseLayout:
    """Finds the cell type of ``params`` and maps its parameters onto ``wiring``'s synapses.

    Args:
        wiring: the cell's wiring, built or not (it is built for the input size read from ``params``).
        params: cell params, model params with an ``"rnn_cell"`` entry, or :class:`SynapseWeights`.
        intra_layer: the :class:`~biojax.nn.WiredCfCCell`'s ``intra_layer`` (ignored for other cells).

    Raises:
        TypeError: for a wiring that is not a :class:`~biojax.wiring.Wiring` or unknown params.
        ValueError: when the parameter shapes do not fit the wiring.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> layout = synapse_layout(FullyConnected(3), SynapseWeights(np.ones((2, 3)), np.ones((3, 3))))
        >>> layout.kind, layout.wiring.input_dim
        ('weights', 2)
    """
    if not isinstance(wiring, Wiring):
        raise TypeError(f"wiring must be a biojax.wiring.Wiring, got {type(wiring).__name__}")
    check_choice("intra_layer", intra_layer, INTRA_LAYER)
    kind, prefix = _cell_kind(params)
    cell = get_path(params, prefix)
    built = wiring if wiring.is_built() else wiring.build(_input_dim(kind, wiring, cell))
    if kind == "wired_cfc":
        slots = _cfc_slots(built, cell, intra_layer)
    elif kind == "ltc":
        slots = _ltc_slots(built)
    else:
        slots = (_identity_slot(("sensory",), built.sensory_adjacency_matrix.shape, True, "weight"),
                 _identity_slot(("recurrent",), built.adjacency_matrix.shape, False, "weight"))
    for slot in slots:
        actual = np.shape(get_path(cell, slot.path))
        if actual != slot.src.shape:
            raise ValueError(
                f"params[{'/'.join(prefix + slot.path)!r}] has shape {actual}, but the wiring "
                f"({type(built).__name__}, {built.units} units, input_dim {built.input_dim}) needs {slot.src.shape}"
            )
    return SynapseLayout(built, kind, slots, prefix)
