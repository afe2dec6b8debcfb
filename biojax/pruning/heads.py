"""Finding the attention output projections (one per layer) in a params pytree."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import jax

Path = tuple[str, ...]


def _natural_key(path: Path) -> list[Any]:
    return [
        [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)] for name in path
    ]


def attention_out_paths(params: Mapping[str, Any]) -> tuple[Path, ...]:
    """Paths of every attention output kernel ``[heads, head_dim, features]``, in layer order.

    A leaf counts when it is named ``kernel``, sits in a module named ``out`` and has three dimensions:
    the layout of ``flax.linen.MultiHeadDotProductAttention`` and of
    :class:`biojax.nn.HeadMaskedAttention`. Layers are ordered by their names with numbers compared as
    numbers (``block_2`` before ``block_10``). Pass paths explicitly to the pruning functions when a
    model is laid out differently.

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp
        >>> mha = nn.MultiHeadDotProductAttention(num_heads=2, qkv_features=8)
        >>> params = mha.init(jax.random.key(0), jnp.ones((1, 3, 8)))["params"]
        >>> attention_out_paths({"layer_0": params})
        (('layer_0', 'out', 'kernel'),)
    """
    found = []
    for key_path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        names = tuple(str(getattr(k, "key", getattr(k, "name", k))) for k in key_path)
        if len(names) >= 2 and names[-2:] == ("out", "kernel") and getattr(leaf, "ndim", 0) == 3:
            found.append(names)
    return tuple(sorted(found, key=_natural_key))


def resolve_out_paths(params: Mapping[str, Any], out_paths: Sequence[Path] | None) -> tuple[Path, ...]:
    """Returns ``out_paths`` (checked) or the detected ones; raises if there are none.

    Example:
        >>> import jax.numpy as jnp
        >>> resolve_out_paths({"a": {"out": {"kernel": jnp.zeros((2, 1, 3))}}}, None)
        (('a', 'out', 'kernel'),)
    """
    paths = attention_out_paths(params) if out_paths is None else tuple(tuple(p) for p in out_paths)
    if not paths:
        raise ValueError(
            "params hold no attention output kernel (a 3-d 'kernel' under a module named 'out'); "
            "pass out_paths=[('block_0', 'attention', 'out', 'kernel'), ...] explicitly"
        )
    for path in paths:
        leaf = get_path(params, path)
        if getattr(leaf, "ndim", 0) != 3:
            raise ValueError(
                f"out_paths entry {path} must point to a [heads, head_dim, features] kernel, "
                f"got shape {getattr(leaf, 'shape', None)}"
            )
    return paths


def get_path(tree: Mapping[str, Any], path: Path) -> Any:
    """The leaf of a nested mapping at ``path``.

    Example:
        >>> get_path({"a": {"b": 3}}, ("a", "b"))
        3
    """
    for name in path:
        if not isinstance(tree, Mapping) or name not in tree:
            raise ValueError(f"path {path} is not in the params tree (missing {name!r})")
        tree = tree[name]
    return tree


def replace_path(tree: Mapping[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A copy of a nested mapping with the leaf at ``path`` replaced; other leaves are shared.

    Example:
        >>> replace_path({"a": {"b": 3, "c": 4}}, ("a", "b"), 5)
        {'a': {'b': 5, 'c': 4}}
    """
    head, *rest = path
    new = dict(tree)
    new[head] = value if not rest else replace_path(tree[head], tuple(rest), value)
    return new


def head_counts(params: Mapping[str, Any], out_paths: Sequence[Path] | None = None) -> tuple[int, int]:
    """``(layers, heads)`` of a model's attention, checking every layer has the same number of heads.

    Example:
        >>> import jax.numpy as jnp
        >>> head_counts({"a": {"out": {"kernel": jnp.zeros((4, 2, 8))}}})
        (1, 4)
    """
    paths = resolve_out_paths(params, out_paths)
    heads = {get_path(params, p).shape[0] for p in paths}
    if len(heads) != 1:
        raise ValueError(f"every attention layer must have the same number of heads, got {sorted(heads)}")
    return len(paths), heads.pop()
