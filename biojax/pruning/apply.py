"""Applying a pruning mask to params, and keeping pruned heads pruned during fine-tuning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from biojax._validation import check_choice
from biojax.pruning.heads import Path, get_path, head_counts, replace_path, resolve_out_paths

APPLY_MODES = ("zero_weights", "mask")
FINETUNE_MODES = ("compressed", "adaptive")


def _check_mask(prune_mask: jax.Array, params: Mapping[str, Any], paths: tuple[Path, ...]) -> jax.Array:
    expected = head_counts(params, paths)
    prune_mask = jnp.asarray(prune_mask)
    if prune_mask.dtype != jnp.bool_:
        raise TypeError(
            f"prune_mask must be a boolean [layers, heads] array (True = prune), got dtype {prune_mask.dtype}; "
            "for a 0/1 head mask (1 = keep) pass head_mask == 0"
        )
    if prune_mask.shape != expected:
        raise ValueError(
            f"prune_mask must have shape [layers, heads] = {expected} for these params, "
            f"got {prune_mask.shape}"
        )
    return prune_mask


def _head_slices(prune_mask: jax.Array, kernel: jax.Array) -> jax.Array:
    """[heads] bool -> a [heads, 1, 1] keep factor for a [heads, head_dim, features] kernel."""
    return (~prune_mask)[:, None, None].astype(kernel.dtype)


def apply_head_mask(
    params: Mapping[str, Any],
    prune_mask: jax.Array,
    mode: str = "zero_weights",
    *,
    out_paths: Sequence[Path] | None = None,
) -> tuple[dict[str, Any], jax.Array]:
    """Prunes heads and returns ``(params, head_mask)`` to run the model with.

    ``mode="zero_weights"`` zeroes the pruned heads' slices ``kernel[h]`` of each attention output
    projection (``[heads, head_dim, features]``) and nothing else, and returns an all-ones head mask:
    every other leaf, and every other entry of the output kernels, is bit-identical. Fine-tuning can
    regrow the zeroed slices unless updates are masked (:func:`head_update_mask`).
    ``mode="mask"`` leaves params untouched and returns ``head_mask = 1 - prune_mask``, a persistent
    mask the model multiplies into head outputs (``HeadMaskTransformer(..., head_mask=...)``), so the
    heads stay pruned whatever happens to their weights.

    Differences from sentinel-ai's ``apply_pruning_mask``: it also zeroes ``c_proj.bias[h*d:(h+1)*d]``,
    a slice of the output bias indexed by output feature that has nothing to do with head ``h``; for
    BERT it zeroes output rows of ``dense.weight`` (the wrong axis). Here only the head's own slice of
    the output projection is zeroed, which works for ``flax.linen.MultiHeadDotProductAttention`` too.

    Args:
        params: model params (the ``"params"`` collection).
        prune_mask: bool ``[layers, heads]``, True = prune (from :func:`pruning_mask`).
        mode: ``"zero_weights"`` or ``"mask"``.
        out_paths: paths to the output kernels, one per layer, in layer order (default: detected by
            :func:`attention_out_paths`).

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp
        >>> mha = nn.MultiHeadDotProductAttention(num_heads=2, qkv_features=4)
        >>> params = {"attn": mha.init(jax.random.key(0), jnp.ones((1, 3, 4)))["params"]}
        >>> pruned, head_mask = apply_head_mask(params, jnp.array([[True, False]]))
        >>> float(jnp.abs(pruned["attn"]["out"]["kernel"][0]).sum()), head_mask.tolist()
        (0.0, [[1.0, 1.0]])
    """
    check_choice("mode", mode, APPLY_MODES)
    paths = resolve_out_paths(params, out_paths)
    prune_mask = _check_mask(prune_mask, params, paths)
    if mode == "mask":
        return dict(params), (~prune_mask).astype(jnp.float32)
    new = dict(params)
    for layer, path in enumerate(paths):
        kernel = get_path(params, path)
        new = replace_path(new, path, kernel * _head_slices(prune_mask[layer], kernel))
    return new, jnp.ones(prune_mask.shape, jnp.float32)


def head_update_mask(
    params: Mapping[str, Any],
    prune_mask: jax.Array,
    mode: str,
    *,
    out_paths: Sequence[Path] | None = None,
) -> Any:
    """A pytree like ``params`` of 0/1 arrays that multiplies optimizer updates during fine-tuning.

    ``mode="compressed"`` has zeros on the pruned heads' output-projection slices, so pruned heads stay
    exactly zero (sentinel-ai's "compressed" intent, which its code never enforces). ``mode="adaptive"``
    is all ones: pruned heads may regrow, which is what sentinel-ai's unmasked fine-tuning actually does.
    Use it with :func:`mask_head_updates` as the last element of an ``optax.chain``.

    Example:
        >>> import jax.numpy as jnp
        >>> params = {"attn": {"out": {"kernel": jnp.ones((2, 1, 3))}}}
        >>> mask = head_update_mask(params, jnp.array([[False, True]]), "compressed")
        >>> mask["attn"]["out"]["kernel"][:, 0, 0].tolist()
        [1.0, 0.0]
    """
    check_choice("mode", mode, FINETUNE_MODES)
    paths = resolve_out_paths(params, out_paths)
    prune_mask = _check_mask(prune_mask, params, paths)
    ones = jax.tree.map(jnp.ones_like, dict(params))
    if mode == "adaptive":
        return ones
    for layer, path in enumerate(paths):
        kernel = get_path(params, path)
        ones = replace_path(ones, path, jnp.broadcast_to(_head_slices(prune_mask[layer], kernel), kernel.shape))
    return ones


class MaskHeadUpdatesState(NamedTuple):
    """No state: the multipliers are fixed when the transformation is built.

    Example:
        >>> import jax.numpy as jnp
        >>> mask_head_updates({"w": jnp.ones(2)}).init({"w": jnp.ones(2)})
        MaskHeadUpdatesState()
    """


def mask_head_updates(update_mask: Any) -> optax.GradientTransformation:
    """Optax transformation multiplying each update by the matching leaf of ``update_mask``.

    ``optax.masked`` selects whole leaves; pruning needs to freeze slices of a leaf, so this multiplies
    element-wise. Put it last in the chain (after weight decay) so that masked entries get exactly zero
    updates. The multipliers may be any numbers (e.g. 3.0 for a larger learning rate on some leaves).

    Example:
        >>> import jax.numpy as jnp, optax
        >>> params = {"w": jnp.ones(2)}
        >>> opt = optax.chain(optax.sgd(1.0), mask_head_updates({"w": jnp.array([1.0, 0.0])}))
        >>> updates, _ = opt.update({"w": jnp.ones(2)}, opt.init(params), params)
        >>> updates["w"].tolist()
        [-1.0, -0.0]
    """

    def init_fn(params: Any) -> MaskHeadUpdatesState:
        del params
        return MaskHeadUpdatesState()

    def update_fn(updates: Any, state: MaskHeadUpdatesState, params: Any = None) -> tuple[Any, Any]:
        del params
        return jax.tree.map(lambda u, m: u * m.astype(u.dtype), updates, update_mask), state

    return optax.GradientTransformation(init_fn, update_fn)
