"""Sensory-to-motor pathways: which motor neurons a wiring reaches, and its strongest pathways."""

from __future__ import annotations

import heapq

import numpy as np

from biojax.wiring.base import Wiring
from biojax.wiring.synapse_weights import SynapseWeights


def _check_built(wiring: Wiring) -> None:
    if not isinstance(wiring, Wiring):
        raise TypeError(f"wiring must be a biojax.wiring.Wiring, got {type(wiring).__name__}")
    if not wiring.is_built():
        raise ValueError("the wiring must be built (call wiring.build(input_dim) first)")


def unreachable_motor_neurons(wiring: Wiring) -> list[int]:
    """Motor neurons (ids ``0 .. output_dim - 1``) that no chain of synapses connects to a sensory input.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import Wiring
        >>> w = Wiring.from_adjacency([[0, 0], [1, 0]], [[0, 1]], output_dim=2)
        >>> unreachable_motor_neurons(w)
        []
        >>> unreachable_motor_neurons(Wiring.from_adjacency([[0, 0], [0, 0]], [[0, 1]], output_dim=2))
        [0]
    """
    _check_built(wiring)
    reached = (wiring.sensory_adjacency_matrix != 0).any(axis=0)
    adjacency = wiring.adjacency_matrix != 0
    frontier = reached.copy()
    while frontier.any():
        new = adjacency[frontier].any(axis=0) & ~reached
        reached |= new
        frontier = new
    return [int(i) for i in np.flatnonzero(~reached[: wiring.output_dim])]


def critical_paths(wiring: Wiring, strength: SynapseWeights) -> SynapseWeights:
    """The synapses on the strongest path from the sensory inputs to each motor neuron.

    "Strongest" is the widest path: the one whose weakest synapse is strongest. Among equally wide
    paths, motor neurons are taken in order and each gets the one that adds the fewest synapses not
    already kept for an earlier motor neuron (so paths share prefixes), then the one with the fewest
    synapses. Keeping these synapses keeps every motor neuron reachable; it is not always the smallest
    such set (that is a Steiner-tree problem), but it keeps the strongest route to each output.

    Args:
        wiring: a built wiring.
        strength: synapse strengths (e.g. :func:`~biojax.rewiring.synapse_strength`), higher is stronger.

    Returns:
        Bool :class:`~biojax.wiring.SynapseWeights`, True for synapses on a critical path.

    Raises:
        ValueError: if a motor neuron is already unreachable.

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import Wiring
        >>> w = Wiring.from_adjacency([[0, 0, 0], [1, 0, 0], [1, 0, 0]], [[0, 1, 1]], output_dim=1)
        >>> strength = SynapseWeights(np.array([[0.0, 0.2, 0.9]]), np.array([[0, 0, 0], [0.8, 0, 0], [0.1, 0, 0]]))
        >>> paths = critical_paths(w, strength)
        >>> np.argwhere(paths.sensory).tolist(), np.argwhere(paths.recurrent).tolist()
        ([[0, 1]], [[1, 0]])
    """
    _check_built(wiring)
    missing = unreachable_motor_neurons(wiring)
    if missing:
        raise ValueError(f"motor neurons {missing} are not reachable from the sensory inputs of this wiring")
    sensory, recurrent = (np.asarray(a, np.float64) for a in strength)
    sensory = np.where(wiring.sensory_adjacency_matrix != 0, sensory, -np.inf)
    recurrent = np.where(wiring.adjacency_matrix != 0, recurrent, -np.inf)
    widths = _widest_path_widths(sensory, recurrent)
    keep = SynapseWeights(np.zeros(sensory.shape, bool), np.zeros(recurrent.shape, bool))
    for motor in range(wiring.output_dim):
        _mark_cheapest_path(sensory >= widths[motor], recurrent >= widths[motor], motor, keep)
    return keep


def _widest_path_widths(sensory: np.ndarray, recurrent: np.ndarray) -> np.ndarray:
    """Per neuron, the largest bottleneck strength over all paths from the sensory inputs (Dijkstra)."""
    best = sensory.max(axis=0, initial=-np.inf)
    heap = [(-width, int(node)) for node, width in enumerate(best) if width > -np.inf]
    heapq.heapify(heap)
    done = np.zeros(best.shape, bool)
    while heap:
        neg_width, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        reach = np.minimum(-neg_width, recurrent[node])
        for dest in np.flatnonzero((reach > best) & ~done):
            best[dest] = reach[dest]
            heapq.heappush(heap, (-reach[dest], int(dest)))
    return best


def _mark_cheapest_path(sensory_ok: np.ndarray, recurrent_ok: np.ndarray, target: int, keep: SynapseWeights) -> None:
    """Marks in ``keep`` a path to ``target`` over the allowed synapses that adds the fewest synapses not
    yet in ``keep`` (then: fewest synapses, lowest ids first); Dijkstra on (new synapses, synapses)."""
    units = recurrent_ok.shape[0]
    cost = np.full((units, 2), np.iinfo(np.int64).max)
    parent = np.full(units, -1)
    entry = np.full(units, -1)
    heap = []
    for node in np.flatnonzero(sensory_ok.any(axis=0)):
        sources = np.flatnonzero(sensory_ok[:, node])
        kept = sources[keep.sensory[sources, node]]
        entry[node] = kept[0] if kept.size else sources[0]
        cost[node] = (0 if kept.size else 1, 1)
        heap.append((int(cost[node, 0]), 1, int(node)))
    heapq.heapify(heap)
    done = np.zeros(units, bool)
    while heap:
        new, hops, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        if node == target:
            break
        for dest in np.flatnonzero(recurrent_ok[node] & ~done):
            candidate = (new + int(not keep.recurrent[node, dest]), hops + 1)
            if candidate < tuple(cost[dest]):
                cost[dest], parent[dest] = candidate, node
                heapq.heappush(heap, (*candidate, int(dest)))
    node = target
    while parent[node] >= 0:
        keep.recurrent[parent[node], node] = True
        node = parent[node]
    keep.sensory[entry[node], node] = True
