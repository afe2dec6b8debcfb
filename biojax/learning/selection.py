"""Which leaves of a parameter tree the learning rules act on.

By default every rule acts on weight kernels only: leaves named ``kernel`` with at least two axes
(Flax ``Dense``/``Conv`` kernels), never on biases or normalisation scales. :func:`kernel_mask` builds that
selection, optionally leaving out named modules or the last layer (the anchor's "last module token").
Layers are ordered by their path with numbers compared as numbers, so ``Dense_2`` comes before
``Dense_10``.
"""

import re
from collections.abc import Callable, Sequence
from typing import Any

import jax

from biojax._validation import check_choice
from biojax.learning._checks import check_bool

MaskFn = Callable[[Any], Any]


def path_name(path: Sequence[Any]) -> str:
    """Joins a ``jax.tree_util`` key path into ``"Dense_0/kernel"``.

    Example:
        >>> import jax
        >>> [path_name(p) for p, _ in jax.tree_util.tree_flatten_with_path({"a": {"kernel": 1}})[0]]
        ['a/kernel']
    """
    parts = []
    for entry in path:
        for attr in ("key", "name", "idx"):
            if hasattr(entry, attr):
                parts.append(str(getattr(entry, attr)))
                break
        else:
            parts.append(str(entry))
    return "/".join(parts)


def _natural_key(name: str) -> tuple:
    return tuple(int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", name))


def layer_order(tree: Any) -> list[str]:
    """Path names of the array leaves of ``tree`` in layer order (numbers compared as numbers).

    Example:
        >>> tree = {"Dense_10": {"kernel": 0}, "Dense_2": {"kernel": 0}}
        >>> layer_order(tree)
        ['Dense_2/kernel', 'Dense_10/kernel']
    """
    names = [path_name(p) for p, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]
    return sorted(names, key=_natural_key)


def _is_kernel(path: Sequence[Any], leaf: Any) -> bool:
    return path_name(path).split("/")[-1] == "kernel" and getattr(leaf, "ndim", 0) >= 2


def kernel_mask(
    tree: Any = None, *, exclude: Sequence[str] = (), exclude_last: bool = False
) -> Any:
    """Boolean tree selecting weight kernels, or a mask function when ``tree`` is omitted.

    Args:
        tree: a parameter (or update) tree. If ``None``, returns a function ``tree -> mask`` for
            ``optax.masked``.
        exclude: module names to leave out; a kernel is excluded when any component of its path equals
            one of them.
        exclude_last: leave out the last kernel in layer order (e.g. the classifier).

    Example:
        >>> import jax.numpy as jnp
        >>> params = {"Dense_0": {"kernel": jnp.ones((2, 3)), "bias": jnp.ones(3)},
        ...           "Dense_1": {"kernel": jnp.ones((3, 1)), "bias": jnp.ones(1)}}
        >>> kernel_mask(params)
        {'Dense_0': {'bias': False, 'kernel': True}, 'Dense_1': {'bias': False, 'kernel': True}}
        >>> kernel_mask(params, exclude_last=True)["Dense_1"]["kernel"]
        False
    """
    if isinstance(exclude, str):
        exclude = (exclude,)
    exclude = tuple(exclude)
    check_bool("exclude_last", exclude_last)
    if tree is None:
        return lambda t: kernel_mask(t, exclude=exclude, exclude_last=exclude_last)
    flat, treedef = jax.tree_util.tree_flatten_with_path(tree)
    selected = [
        _is_kernel(p, leaf) and not set(path_name(p).split("/")) & set(exclude) for p, leaf in flat
    ]
    if exclude_last:
        chosen = [path_name(p) for (p, _), s in zip(flat, selected) if s]
        if chosen:
            last = max(chosen, key=_natural_key)
            selected = [s and path_name(p) != last for (p, _), s in zip(flat, selected)]
    return jax.tree_util.tree_unflatten(treedef, selected)


def apply_mask(inner: Any, mask: Any) -> Any:
    """Wraps ``inner`` in ``optax.masked`` (masking tree-shaped extra args too).

    ``mask`` is ``"kernels"`` (:func:`kernel_mask`, the rules' default), ``None`` (all leaves), a boolean
    tree or a mask function. The default is a string rather than a function so that
    ``optax.inject_hyperparams`` does not mistake it for a schedule; pass a custom mask function to a rule
    wrapped in ``inject_hyperparams`` through ``static_args=("mask", ...)``.

    Example:
        >>> import optax
        >>> type(apply_mask(optax.scale(2.0), "kernels")).__name__
        'GradientTransformationExtraArgs'
    """
    import optax

    if mask is None:
        return optax.with_extra_args_support(inner)
    if isinstance(mask, str):
        mask = {"kernels": kernel_mask}[check_choice("mask", mask, ("kernels",))]
    return optax.masked(inner, mask, mask_compatible_extra_args=True)
