"""Weight sharing: k-means clusters of each layer's weights, trained as shared values (Han et al., 2016)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax._validation import check_int


class SharedWeights(NamedTuple):
    """Params with some leaves replaced by shared values.

    Attributes:
        values: pytree like the params; a shared leaf holds its ``(n_clusters,)`` cluster values
            (the trainable part), any other leaf its original array.
        assignments: pytree like the params; a shared leaf holds an int32 array shaped like the original
            weight with each entry's cluster (``-1``: exactly zero, e.g. a pruned synapse), any other leaf
            ``None``.

    Example:
        >>> import jax.numpy as jnp
        >>> shared = share_weights({"w": jnp.array([[1.0, 1.1], [3.0, 0.0]]), "b": jnp.ones(2)}, 2)
        >>> shared.values["w"].tolist(), shared.assignments["w"].tolist(), shared.assignments["b"]
        ([1.0499999523162842, 3.0], [[0, 0], [1, -1]], None)
    """

    values: Any
    assignments: Any


def kmeans_1d(values: np.ndarray, n_clusters: int, iterations: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means on a 1-D array; returns sorted ``(centers, assignment)``.

    The centers start evenly spaced between the minimum and the maximum (Han et al.'s linear
    initialisation, which keeps the rare large weights representable). The first assignment is then
    uniform quantization and every Lloyd step lowers the squared error, so the result is never worse
    than uniform quantization with the same number of levels. In one dimension the nearest center is
    found by a binary search between the sorted centers' midpoints, so each iteration costs
    ``O(n log k)``. With at most ``n_clusters`` distinct values the centers are those values and the
    error is zero.

    Example:
        >>> centers, assignment = kmeans_1d(np.array([0.1, 0.12, 0.9, 1.0]), 2)
        >>> centers.round(3).tolist(), assignment.tolist()
        ([0.11, 0.95], [0, 0, 1, 1])
    """
    values = np.asarray(values, np.float64).ravel()
    distinct = np.unique(values)
    if distinct.size <= n_clusters:
        return distinct, np.searchsorted(distinct, values)
    centers = np.linspace(values.min(), values.max(), n_clusters)
    assignment = np.zeros(values.size, np.int64)
    for _ in range(iterations):
        centers = np.unique(centers)
        new_assignment = np.searchsorted((centers[1:] + centers[:-1]) / 2, values)
        sums = np.bincount(new_assignment, weights=values, minlength=centers.size)
        counts = np.bincount(new_assignment, minlength=centers.size)
        new_centers = np.where(counts > 0, sums / np.maximum(counts, 1), centers)
        converged = np.array_equal(new_assignment, assignment) and np.allclose(new_centers, centers)
        centers, assignment = new_centers, new_assignment
        if converged:
            break
    order = np.argsort(centers)
    return centers[order], np.argsort(order)[assignment]


def _default_where(path: tuple, leaf: Any, n_clusters: int) -> bool:
    del path
    return np.ndim(leaf) >= 2 and np.size(leaf) > n_clusters


def share_weights(
    params: Any,
    n_clusters: int,
    *,
    where: Callable[[tuple, Any], bool] | None = None,
    iterations: int = 100,
) -> SharedWeights:
    """Clusters each selected leaf's non-zero weights into ``n_clusters`` shared values.

    Zero weights (pruned synapses, masked kernel entries) stay exactly zero and are not clustered.

    Args:
        params: any pytree of arrays.
        n_clusters: shared values per leaf (e.g. 16: 4-bit indices).
        where: ``where(path, leaf) -> bool`` picks the leaves to share; default: every leaf with two or
            more dimensions and more than ``n_clusters`` entries (kernels, not biases).
        iterations: most k-means iterations.

    Example:
        >>> import jax.numpy as jnp
        >>> params = {"kernel": jnp.array([[0.1, 0.12], [0.9, 0.0]]), "bias": jnp.ones(2)}
        >>> shared = share_weights(params, 2)
        >>> unshare(shared)["kernel"].round(2).tolist()
        [[0.11, 0.11], [0.9, 0.0]]
    """
    n_clusters = check_int("n_clusters", n_clusters, minimum=1)
    check_int("iterations", iterations, minimum=1)
    select = where if where is not None else (lambda path, leaf: _default_where(path, leaf, n_clusters))
    leaves, treedef = jax.tree_util.tree_flatten_with_path(params)
    values, assignments = [], []
    for path, leaf in leaves:
        if not select(path, leaf):
            values.append(leaf)
            assignments.append(None)
            continue
        array = np.asarray(leaf)
        nonzero = array != 0
        index = np.full(array.shape, -1, np.int32)
        centers = np.zeros(n_clusters, array.dtype)
        if nonzero.any():
            found, assignment = kmeans_1d(array[nonzero], n_clusters, iterations)
            centers[: found.size] = found
            index[nonzero] = assignment
        values.append(jnp.asarray(centers))
        assignments.append(index)
    unflatten = jax.tree_util.tree_unflatten
    return SharedWeights(unflatten(treedef, values), unflatten(treedef, assignments))


def unshare(shared: SharedWeights) -> Any:
    """The full params: each shared entry is its cluster's value (zero for ``-1``). Differentiable in
    ``shared.values``: the gradient of a cluster value is the sum of its entries' gradients.

    Example:
        >>> import jax.numpy as jnp, numpy as np
        >>> shared = SharedWeights({"w": jnp.array([0.5, 2.0])}, {"w": np.array([[1, -1], [0, 1]])})
        >>> unshare(shared)["w"].tolist()
        [[2.0, 0.0], [0.5, 2.0]]
    """
    return jax.tree_util.tree_map(
        lambda a, v: v if a is None else jnp.where(a >= 0, v[jnp.maximum(a, 0)], 0.0).astype(v.dtype),
        shared.assignments, shared.values, is_leaf=lambda a: a is None)


def make_shared_train_step(
    loss_fn: Callable[..., jax.Array], optimizer: optax.GradientTransformation
) -> Callable[..., tuple[SharedWeights, Any, jax.Array]]:
    """Builds ``step(shared, opt_state, *batch) -> (shared, opt_state, loss)`` that trains the shared
    values only (gradients summed per cluster; the assignments stay). ``opt_state`` is
    ``optimizer.init(shared.values)`` and ``loss_fn(params, *batch)`` sees the unshared params.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> shared = share_weights({"w": jnp.array([[1.0, 1.1], [3.0, 3.1]])}, 2)
        >>> step = make_shared_train_step(lambda p: jnp.sum(p["w"]), optax.sgd(0.1))
        >>> shared, _, loss = step(shared, optax.sgd(0.1).init(shared.values))
        >>> shared.values["w"].round(2).tolist()
        [0.85, 2.85]
    """

    def step(shared: SharedWeights, opt_state: Any, *batch: Any) -> tuple[SharedWeights, Any, jax.Array]:
        def loss_of_values(values: Any) -> jax.Array:
            return loss_fn(unshare(SharedWeights(values, shared.assignments)), *batch)

        loss, grads = jax.value_and_grad(loss_of_values)(shared.values)
        updates, opt_state = optimizer.update(grads, opt_state, shared.values)
        return SharedWeights(optax.apply_updates(shared.values, updates), shared.assignments), opt_state, loss

    return step


def sharing_report(shared: SharedWeights) -> dict[str, int | float]:
    """Bytes of the shared leaves before and after sharing.

    Stored as the cluster values plus bit-packed indices of ``ceil(log2(n_clusters + 1))`` bits per
    entry (the extra code is for exact zeros); ``compression`` is ``original / shared``.

    Example:
        >>> import jax.numpy as jnp
        >>> report = sharing_report(share_weights({"w": jnp.linspace(-1, 1, 1024).reshape(32, 32)}, 15))
        >>> report["original_bytes"], report["shared_bytes"]
        (4096, 572)
    """
    original = shared_bytes = 0
    pairs = jax.tree_util.tree_leaves(
        jax.tree_util.tree_map(lambda a, v: None if a is None else (np.size(a), np.asarray(v)),
                               shared.assignments, shared.values, is_leaf=lambda a: a is None),
        is_leaf=lambda x: isinstance(x, tuple))
    for size, centers in pairs:
        bits = math.ceil(math.log2(centers.size + 1))
        original += size * centers.dtype.itemsize
        shared_bytes += centers.nbytes + math.ceil(size * bits / 8)
    return {
        "original_bytes": original,
        "shared_bytes": shared_bytes,
        "saved_bytes": original - shared_bytes,
        "compression": original / shared_bytes if shared_bytes else float("nan"),
    }
