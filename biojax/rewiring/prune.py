"""One-shot magnitude pruning of a wiring to a target density."""

from __future__ import annotations

from typing import Any

import numpy as np

from biojax._validation import check_choice, check_number
from biojax.wiring import Wiring, critical_paths, mask_wiring, wiring_mask
from biojax.rewiring.synapse_layout import SynapseCell, flatten, split_flat, synapse_layout
from biojax.rewiring.synapse_values import layout_strength, zero_removed

RELATIVE_TO = ("wiring", "possible")


def target_synapse_count(wiring: Wiring, target_density: float, relative_to: str = "wiring") -> int:
    """How many synapses a density means: ``round(target_density * reference)``.

    ``relative_to="wiring"`` (the default, as in the seed's ``optimize_sparsity``) takes the wiring's
    current synapse count (sensory plus recurrent) as the reference; ``"possible"`` takes every
    possible synapse, ``input_dim * units + units * units``.

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> w = FullyConnected(4).build(2)
        >>> target_synapse_count(w, 0.25), target_synapse_count(w, 0.25, "possible")
        (6, 6)
    """
    check_number("target_density", target_density, minimum=0.0, maximum=1.0)
    return int(round(target_density * _reference_count(wiring, relative_to)))


def _reference_count(wiring: Wiring, relative_to: str) -> int:
    check_choice("relative_to", relative_to, RELATIVE_TO)
    if relative_to == "wiring":
        return wiring.synapse_count + wiring.sensory_synapse_count
    return wiring.input_dim * wiring.units + wiring.units * wiring.units


def keep_strongest(score: np.ndarray, candidates: np.ndarray, count: int, protected: np.ndarray | None = None) -> np.ndarray:
    """Bool mask of the ``count`` highest-``score`` ``candidates`` (``protected`` ones first; ties go to
    the earlier entry). Flat NumPy arrays.

    Example:
        >>> import numpy as np
        >>> keep_strongest(np.array([0.5, 0.1, 0.9, 0.3]), np.array([True, True, False, True]), 2).tolist()
        [True, False, False, True]
    """
    ranked = np.where(candidates, np.asarray(score, np.float64), -np.inf)
    if protected is not None:
        ranked = np.where(protected, np.inf, ranked)
    order = np.argsort(-ranked, kind="stable")
    keep = np.zeros(ranked.shape, bool)
    keep[order[:count]] = True
    return keep & candidates


def prune_to_density(
    wiring: Wiring | SynapseCell,
    params: Any,
    target_density: float,
    *,
    keep_paths: bool = True,
    relative_to: str = "wiring",
    intra_layer: str = "dense",
) -> tuple[Wiring, Any]:
    """Removes the weakest synapses (by effective weight) until ``target_density`` is reached.

    The number kept is ``round(target_density * reference)`` (see :func:`target_synapse_count`), the
    nearest achievable count, so the density is exact up to that rounding. With ``keep_paths`` the
    synapses of :func:`~biojax.wiring.critical_paths` are kept first, so every motor neuron stays
    reachable from the sensory inputs (the seed's "maintain critical pathways").

    Args:
        wiring: the cell's wiring (built, or built here for the input size of ``params``), or the cell
            itself (see :func:`~biojax.rewiring.synapse_layout`).
        params: the cell's params (LTC, wired CfC, a model holding one under ``"rnn_cell"``) or
            :class:`~biojax.wiring.SynapseWeights`; see :mod:`biojax.rewiring.synapse_layout`.
        target_density: fraction in ``[0, 1]``.
        keep_paths: keep a sensory-to-motor path for every motor neuron.
        relative_to: ``"wiring"`` (fraction of the current synapses) or ``"possible"``.
        intra_layer: the wired CfC's ``intra_layer``.

    Returns:
        ``(pruned_wiring, params)``: a wiring of the same class and layers, and params with the removed
        synapses' weights (CfC kernels, raw weights) or reversal potentials (LTC) set to zero.

    Raises:
        ValueError: for a density above the current one, or one too low to keep the paths (the
            message gives the lowest density that can).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import LTCCell
        >>> from biojax.wiring import AutoNCP
        >>> wiring = AutoNCP(16, 4).build(3)
        >>> params = LTCCell(wiring).init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 16)))["params"]
        >>> pruned, params = prune_to_density(wiring, params, 0.5)
        >>> total = lambda w: w.synapse_count + w.sensory_synapse_count
        >>> total(pruned) == round(0.5 * total(wiring))
        True
    """
    layout = synapse_layout(wiring, params, intra_layer=intra_layer)
    built = layout.wiring
    count = target_synapse_count(built, target_density, relative_to)
    current = built.synapse_count + built.sensory_synapse_count
    if count > current:
        raise ValueError(
            f"target_density={target_density} ({relative_to}) means {count} synapses, more than the "
            f"wiring's {current}; pruning cannot add synapses (use adapt_wiring to grow them)"
        )
    strength = layout_strength(layout, params)
    existing = wiring_mask(built)
    protected = critical_paths(built, strength) if keep_paths else None
    if protected is not None:
        needed = int(flatten(protected).sum())
        if needed > count:
            minimum = needed / _reference_count(built, relative_to)
            raise ValueError(
                f"target_density={target_density} keeps {count} synapses, but keeping a path to each of the "
                f"{built.output_dim} motor neurons needs {needed} (density >= {minimum:.4f} {relative_to}); "
                "raise target_density or pass keep_paths=False"
            )
    keep = keep_strongest(flatten(strength), flatten(existing), count,
                          None if protected is None else flatten(protected))
    keep = split_flat(keep, built.input_dim, built.units)
    return mask_wiring(built, keep), zero_removed(layout, params, keep)
