"""Turning a user's wiring argument into a built wiring and static edge tables (private)."""

import functools
from typing import Any

import numpy as np

from biojax.wiring import FullyConnected, Wiring


def as_wiring(name: str, value: Any) -> Wiring:
    """Returns ``value`` if it is a :class:`~biojax.wiring.Wiring`, ``FullyConnected(value)`` for an int.

    Example:
        >>> as_wiring("wiring", 4).units
        4
    """
    if isinstance(value, Wiring):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return FullyConnected(value)
    raise TypeError(f"{name} must be a biojax.wiring.Wiring or a positive int, got {value!r}")


@functools.lru_cache(maxsize=256)
def fan_in_table(adjacency_bytes: bytes, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Padded per-destination source lists of a ``(src, dest)`` adjacency matrix.

    Returns ``(sources, valid)``, both ``(dest, K)`` with ``K`` the largest fan-in (at least 1):
    ``sources[d, k]`` is the k-th source of ``d`` (0 where padded) and ``valid`` is 1.0 for a real
    synapse, 0.0 for padding.

    Example:
        >>> import numpy as np
        >>> adj = np.array([[0, 1], [1, -1]], np.int32)
        >>> src, valid = fan_in_table(adj.tobytes(), adj.shape)
        >>> src.tolist(), valid.tolist()
        ([[1, 0], [0, 1]], [[1.0, 0.0], [1.0, 1.0]])
    """
    adjacency = np.frombuffer(adjacency_bytes, dtype=np.int32).reshape(shape)
    connected = adjacency != 0
    width = max(1, int(connected.sum(axis=0).max(initial=0)))
    sources = np.zeros((shape[1], width), np.int32)
    valid = np.zeros((shape[1], width), np.float32)
    for dest in range(shape[1]):
        src = np.flatnonzero(connected[:, dest])
        sources[dest, : len(src)] = src
        valid[dest, : len(src)] = 1.0
    return sources, valid


def edges_of(adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fan_in_table` of any integer adjacency matrix.

    Example:
        >>> import numpy as np
        >>> edges_of(np.eye(2, dtype=int))[0].tolist()
        [[0], [1]]
    """
    adjacency = np.ascontiguousarray(adjacency, dtype=np.int32)
    return fan_in_table(adjacency.tobytes(), adjacency.shape)
