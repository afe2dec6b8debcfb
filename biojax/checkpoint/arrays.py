"""Pytrees to msgpack bytes and back (``flax.serialization``), typed PRNG keys included.

``flax.serialization.to_state_dict`` turns any pytree Flax knows (dicts, lists, Optax's NamedTuple states,
Flax structs) into nested dicts; typed ``jax.random.key`` arrays, which NumPy cannot hold, are stored as
their ``key_data`` and implementation name. Restoring into a target (e.g. a fresh ``opt.init(params)``)
gives the target's own structure and checks every leaf's shape and dtype.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import serialization

_KEY_MARK = "__biojax_prng_key__"


def _is_key(leaf: Any) -> bool:
    return hasattr(leaf, "dtype") and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _encode(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _encode(value) for key, value in node.items()}
    if _is_key(node):
        return {_KEY_MARK: str(jax.random.key_impl(node)), "data": np.asarray(jax.random.key_data(node))}
    if isinstance(node, (jax.Array, np.ndarray, np.generic, int, float, bool, complex)) or node is None:
        return node
    raise TypeError(f"cannot store a leaf of type {type(node).__name__} in a checkpoint: only arrays and numbers")


def _decode(node: Any) -> Any:
    if isinstance(node, dict):
        if set(node) == {_KEY_MARK, "data"}:
            return jax.random.wrap_key_data(jnp.asarray(node["data"]), impl=node[_KEY_MARK])
        return {key: _decode(value) for key, value in node.items()}
    return node


def to_bytes(tree: Any) -> bytes:
    """The msgpack bytes of a pytree (arrays, numbers, typed PRNG keys; dicts, lists, NamedTuples).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> data = to_bytes({"w": jnp.ones(2), "key": jax.random.key(0)})
        >>> sorted(from_bytes(data))
        ['key', 'w']
    """
    return serialization.msgpack_serialize(_encode(serialization.to_state_dict(tree)))


def from_bytes(data: bytes) -> Any:
    """The nested dicts of arrays stored by :func:`to_bytes` (NamedTuples come back as dicts).

    Example:
        >>> import jax.numpy as jnp
        >>> from_bytes(to_bytes({"w": jnp.arange(3)}))["w"].tolist()
        [0, 1, 2]
    """
    return jax.tree.map(jnp.asarray, _decode(serialization.msgpack_restore(data)))


def _dtype(leaf: Any) -> Any:
    return leaf.dtype if hasattr(leaf, "dtype") else jnp.asarray(leaf).dtype


def _describe(leaf: Any) -> str:
    return f"shape {tuple(jnp.shape(leaf))} and dtype {_dtype(leaf)}"


def restore_into(target: Any, state: Any, name: str) -> Any:
    """``state`` (from :func:`from_bytes`) in the structure of ``target``, every leaf checked.

    Raises:
        ValueError: naming ``name`` and the first path whose keys, shape or dtype differ.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> params = {"w": jnp.ones(2)}
        >>> opt = optax.adam(1e-3)
        >>> restored = restore_into(opt.init(params), from_bytes(to_bytes(opt.init(params))), "opt_state")
        >>> type(restored[0]).__name__
        'ScaleByAdamState'
    """
    try:
        restored = serialization.from_state_dict(target, state)
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{name} does not match the structure of the target given: {error}") from error
    pairs = jax.tree_util.tree_flatten_with_path(target)[0]
    leaves = jax.tree.leaves(restored)
    if len(pairs) != len(leaves):
        raise ValueError(f"{name} has {len(leaves)} arrays, the target given has {len(pairs)}")
    for (path, want), got in zip(pairs, leaves):
        if jnp.shape(want) != jnp.shape(got) or _dtype(want) != _dtype(got):
            raise ValueError(
                f"{name}{jax.tree_util.keystr(path)} has {_describe(got)} in the checkpoint, "
                f"the target given has {_describe(want)}"
            )
    return restored
