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
def _edge_list(adjacency_bytes: bytes, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    adjacency = np.frombuffer(adjacency_bytes, dtype=np.int32).reshape(shape)
    dest, src = np.nonzero(adjacency.T != 0)
    return src.astype(np.int32), dest.astype(np.int32)


def edge_list(adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(sources, destinations)`` of every synapse of a ``(src, dest)`` matrix, sorted by destination.

    Example:
        >>> import numpy as np
        >>> [a.tolist() for a in edge_list(np.array([[0, 1], [1, -1]]))]
        [[1, 0, 1], [0, 1, 1]]
    """
    adjacency = np.ascontiguousarray(adjacency, dtype=np.int32)
    return _edge_list(adjacency.tobytes(), adjacency.shape)
