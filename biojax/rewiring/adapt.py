"""Adaptive wiring: prune unimportant synapses and grow new ones (SET / RigL style)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_int, check_number
from biojax.wiring import SynapseWeights, Wiring, critical_paths, wiring_mask
from biojax.rewiring.prune import keep_strongest
from biojax.rewiring.synapse_layout import SynapseCell, flatten, get_path, set_path, split_flat, synapse_layout
from biojax.rewiring.synapse_values import layout_strength, slot_keep_masks


class AdaptResult(NamedTuple):
    """What :func:`adapt_wiring` returns: the new wiring and params, and how many synapses went and came.

    Example:
        >>> AdaptResult(wiring=None, params={}, pruned=3, grown=3)._fields
        ('wiring', 'params', 'pruned', 'grown')
    """

    wiring: Wiring
    params: Any
    pruned: int
    grown: int


def _grown_positions(scores: np.ndarray, candidates: np.ndarray, count: int, key: Any) -> np.ndarray:
    if scores is None:
        if key is None:
            raise ValueError("random growth needs key= (a jax.random key); or pass growth_scores=")
        scores = np.asarray(jax.random.uniform(key, candidates.shape))
    return keep_strongest(scores, candidates, count)


def _set_new_params(layout: Any, params: Any, removed: np.ndarray, grown: np.ndarray, polarity: int) -> Any:
    cell = layout.cell_params(params)
    removed_masks = slot_keep_masks(layout, ~removed)
    grown_masks = slot_keep_masks(layout, ~grown)
    for slot, keep_removed, keep_grown in zip(layout.slots, removed_masks, grown_masks):
        if slot.role == "softplus_weight":
            continue
        value = jnp.asarray(get_path(cell, slot.path))
        value = jnp.where(keep_removed, value, 0.0)
        value = jnp.where(keep_grown, value, float(polarity) if slot.role == "reversal" else 0.0)
        cell = set_path(cell, slot.path, value.astype(jnp.asarray(get_path(cell, slot.path)).dtype))
    return layout.replace_cell_params(params, cell)


def adapt_wiring(
    wiring: Wiring | SynapseCell,
    params: Any,
    importance: SynapseWeights,
    *,
    prune_fraction: float | None = None,
    prune_threshold: float | None = None,
    grow: int | str = "match",
    growth_scores: SynapseWeights | None = None,
    key: Any = None,
    keep_paths: bool = True,
    polarity: int = 1,
    intra_layer: str = "dense",
) -> AdaptResult:
    """One adaptation step (the seed's ``AdaptiveWiring``): prune weak synapses, grow new ones.

    Pruning removes either the ``prune_fraction`` least important synapses or every synapse whose
    importance is below ``prune_threshold`` (give exactly one); with ``keep_paths`` the
    :func:`~biojax.wiring.critical_paths` are never pruned. Growing adds ``grow`` synapses
    (``"match"``: as many as were pruned, so the synapse count stays the same; or an int budget) at
    positions that have no synapse, were not just pruned, and where the cell has parameters for one:
    the highest ``growth_scores`` (RigL grows where the gradient is large; the Hebbian choice is
    ``synapse_importance(..., activity=..., weighted=False)``), or random positions drawn with ``key``
    (SET). If fewer positions are free, all of them are grown; ``AdaptResult.grown`` says how many.

    New synapses get ``polarity``; their weights start at zero (CfC kernels, raw weights; RigL's
    choice) and an LTC synapse gets ``erev = polarity`` with its ``w``, ``sigma``, ``mu`` as they are in
    ``params``. Pruned synapses' weights (and LTC ``erev``) are set to zero.

    Example:
        >>> import jax, numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> from biojax.rewiring import synapse_strength
        >>> wiring = FullyConnected(3).build(2)
        >>> keep = wiring.with_matrices(adjacency_matrix=np.eye(3, dtype=int))
        >>> weights = SynapseWeights(np.ones((2, 3)), np.eye(3))
        >>> importance = synapse_strength(keep, weights)
        >>> result = adapt_wiring(keep, weights, importance, prune_fraction=0.25, key=jax.random.key(0),
        ...                       keep_paths=False)
        >>> result.pruned, result.grown, result.wiring.synapse_count + result.wiring.sensory_synapse_count
        (2, 2, 9)
    """
    if (prune_fraction is None) == (prune_threshold is None):
        raise ValueError("give exactly one of prune_fraction= or prune_threshold=")
    if polarity not in (-1, 1):
        raise ValueError(f"polarity must be -1 or 1, got {polarity!r}")
    layout = synapse_layout(wiring, params, intra_layer=intra_layer)
    built = layout.wiring
    input_dim, units = built.input_dim, built.units
    existing = flatten(wiring_mask(built))
    scores = flatten(SynapseWeights(*(np.asarray(a, np.float64) for a in importance)))
    if scores.shape != existing.shape:
        raise ValueError(
            f"importance must have shapes ({input_dim}, {units}) and ({units}, {units}), got "
            f"{[np.shape(a) for a in importance]}"
        )
    protected = np.zeros_like(existing)
    if keep_paths:
        protected = flatten(critical_paths(built, layout_strength(layout, params)))
    prunable = existing & ~protected
    if prune_fraction is not None:
        check_number("prune_fraction", prune_fraction, minimum=0.0, maximum=1.0)
        count = min(int(round(prune_fraction * existing.sum())), int(prunable.sum()))
        removed = keep_strongest(-scores, prunable, count)
    else:
        check_number("prune_threshold", prune_threshold)
        removed = prunable & (scores < prune_threshold)
    if grow == "match":
        n_grow = int(removed.sum())
    elif isinstance(grow, str):
        raise ValueError(f"grow must be 'match' or a non-negative int, got {grow!r}")
    else:
        n_grow = check_int("grow", grow, minimum=0)
    free = flatten(layout.representable()) & ~existing
    growth = None if growth_scores is None else flatten(SynapseWeights(*(np.asarray(a, np.float64) for a in growth_scores)))
    grown = _grown_positions(growth, free, n_grow, key) if n_grow else np.zeros_like(existing)
    sign = np.where(grown, polarity, 0)
    sensory = np.where(split_flat(removed, input_dim, units).sensory, 0, built.sensory_adjacency_matrix)
    recurrent = np.where(split_flat(removed, input_dim, units).recurrent, 0, built.adjacency_matrix)
    new_sign = split_flat(sign, input_dim, units)
    adapted = built.with_matrices(adjacency_matrix=recurrent + new_sign.recurrent,
                                  sensory_adjacency_matrix=sensory + new_sign.sensory)
    new_params = _set_new_params(layout, params, removed, grown, polarity)
    return AdaptResult(adapted, new_params, int(removed.sum()), int(grown.sum()))
