"""Sensory-to-motor pathways: which motor neurons a wiring reaches, and its strongest pathways."""

from __future__ import annotations

import heapq

import numpy as np

from biojax.wiring.base import Wiring
from biojax.wiring.synapse_layout import SynapseWeights


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

    "Strongest" is the widest path: the one whose weakest synapse is strongest (ties: fewer synapses).
    The paths form a tree, so motor neurons share their common prefix. Keeping these synapses keeps
    every motor neuron reachable; it is not always the smallest such set (that is a Steiner-tree
    problem), but it keeps the strongest route to each output.

    Args:
        wiring: a built wiring.
        strength: synapse strengths (e.g. :func:`~biojax.wiring.synapse_strength`), higher is stronger.

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
    sensory_exists = wiring.sensory_adjacency_matrix != 0
    exists = wiring.adjacency_matrix != 0
    units = wiring.units
    best = np.full(units, -np.inf)
    hops = np.full(units, np.iinfo(np.int64).max)
    parent: list[tuple[str, int] | None] = [None] * units
    heap: list[tuple[float, int, int]] = []
    for src, dest in np.argwhere(sensory_exists):
        width = sensory[src, dest]
        if (width, -1) > (best[dest], -hops[dest]):
            best[dest], hops[dest], parent[dest] = width, 1, ("sensory", int(src))
            heapq.heappush(heap, (-width, 1, int(dest)))
    done = np.zeros(units, bool)
    while heap:
        neg_width, depth, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        for dest in np.flatnonzero(exists[node]):
            width = min(-neg_width, recurrent[node, dest])
            if not done[dest] and (width, -(depth + 1)) > (best[dest], -hops[dest]):
                best[dest], hops[dest], parent[dest] = width, depth + 1, ("neuron", int(node))
                heapq.heappush(heap, (-width, depth + 1, int(dest)))
    keep = SynapseWeights(np.zeros_like(sensory_exists), np.zeros_like(exists))
    for motor in range(wiring.output_dim):
        node = motor
        while True:
            kind, src = parent[node]
            if kind == "sensory":
                keep.sensory[src, node] = True
                break
            if keep.recurrent[src, node]:
                break
            keep.recurrent[src, node] = True
            node = src
    return keep
