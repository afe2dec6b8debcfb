"""Reading synapse strengths out of a cell's params and zeroing removed synapses (jit-friendly)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from biojax.wiring import SynapseWeights, Wiring, wiring_mask
from biojax.rewiring.synapse_layout import (
    SynapseCell,
    SynapseLayout,
    flatten,
    get_path,
    set_path,
    split_flat,
    synapse_layout,
)


def _effective(value: Any, role: str, xp: Any) -> Any:
    if role == "softplus_weight":
        return jax.nn.softplus(value) if xp is jnp else np.logaddexp(0.0, value)
    return xp.abs(value)


def flat_strength(layout: SynapseLayout, cell_params: Any, xp: Any = jnp) -> Any:
    """Flat ``[sensory | recurrent]`` vector of each position's mean effective weight over its slots.

    Positions with no parameters get 0. With ``xp=jnp`` (the default) it is traceable, the index
    tables being static; ``xp=np`` computes on the host (e.g. inside another function's trace, where
    ``jnp`` operations on constants would be staged).

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> weights = SynapseWeights(-np.ones((1, 2)), np.eye(2))
        >>> layout = synapse_layout(FullyConnected(2), weights)
        >>> flat_strength(layout, weights, np).tolist()
        [1.0, 1.0, 1.0, 0.0, 0.0, 1.0]
    """
    input_dim, units = layout.shape.sensory
    size = input_dim * units + units * units
    total, count = xp.zeros(size, xp.float32), np.zeros(size, np.float32)
    for slot in layout.slots:
        if slot.role == "reversal":
            continue
        index = slot.flat_index(input_dim, units)
        valid = index >= 0
        values = _effective(xp.asarray(get_path(cell_params, slot.path), xp.float32), slot.role, xp)
        if xp is np:
            np.add.at(total, index[valid], values[valid])
        else:
            total = total.at[index[valid]].add(values[valid])
        np.add.at(count, index[valid], 1.0)
    return total / np.maximum(count, 1.0)


def synapse_strength(
    wiring: Wiring | SynapseCell, params: Any, *, intra_layer: str = "dense"
) -> SynapseWeights:
    """The effective weight of every synapse of ``wiring`` (0 where there is none), as NumPy matrices.

    See :mod:`biojax.rewiring.synapse_layout` for what "effective weight" means for each cell.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import LTCCell
        >>> from biojax.wiring import AutoNCP
        >>> wiring = AutoNCP(8, 2).build(3)
        >>> params = LTCCell(wiring).init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 8)))["params"]
        >>> strength = synapse_strength(wiring, params)
        >>> int((strength.recurrent > 0).sum()) == wiring.synapse_count
        True
    """
    return layout_strength(synapse_layout(wiring, params, intra_layer=intra_layer), params)


def layout_strength(layout: SynapseLayout, params: Any) -> SynapseWeights:
    """:func:`synapse_strength` for a layout already made from ``params`` (host-side NumPy).

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> weights = SynapseWeights(-np.ones((1, 2)), np.eye(2))
        >>> layout_strength(synapse_layout(FullyConnected(2), weights), weights).sensory.tolist()
        [[1.0, 1.0]]
    """
    strength = flat_strength(layout, layout.cell_params(params), np)
    return split_flat(strength * flatten(wiring_mask(layout.wiring)), layout.wiring.input_dim, layout.wiring.units)


def slot_keep_masks(layout: SynapseLayout, keep_flat: Any) -> list[Any]:
    """For each slot, a bool array shaped like its parameter: keep the entry (always-on entries kept).

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> layout = synapse_layout(FullyConnected(1), SynapseWeights(np.ones((1, 1)), np.ones((1, 1))))
        >>> [m.tolist() for m in slot_keep_masks(layout, np.array([True, False]))]
        [[[True]], [[False]]]
    """
    input_dim, units = layout.shape.sensory
    xp = np if isinstance(keep_flat, np.ndarray) else jnp
    masks = []
    for slot in layout.slots:
        index = slot.flat_index(input_dim, units)
        masks.append(xp.where(index >= 0, keep_flat[np.maximum(index, 0)], True))
    return masks


def zero_removed(layout: SynapseLayout, params: Any, keep: SynapseWeights) -> Any:
    """``params`` with the weights (CfC kernels, raw weights) and LTC reversal potentials of every
    synapse position not in ``keep`` set to zero. Traceable.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> w = SynapseWeights(np.ones((1, 2)), np.ones((2, 2)))
        >>> layout = synapse_layout(FullyConnected(2), w)
        >>> keep = SynapseWeights(np.array([[True, False]]), np.eye(2, dtype=bool))
        >>> zero_removed(layout, w, keep).recurrent.tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    keep_flat = flatten(keep)
    cell = layout.cell_params(params)
    for slot, mask in zip(layout.slots, slot_keep_masks(layout, keep_flat)):
        if slot.role == "softplus_weight":
            continue
        value = get_path(cell, slot.path)
        cell = set_path(cell, slot.path, jnp.where(mask, value, jnp.zeros_like(value)))
    return layout.replace_cell_params(params, cell)
