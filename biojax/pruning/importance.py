"""Gradient-based head importance: Michel et al. (2019) head-mask sensitivity, or W_O gradient norms."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from biojax._validation import check_choice
from biojax.pruning.heads import Path, get_path, head_counts, resolve_out_paths

IMPORTANCE_METHODS = ("head_mask", "w_o_grad_norm")

HeadLossFn = Callable[[Any, jax.Array, Any], jax.Array]


def normalize_per_layer(importance: jax.Array, eps: float = 1e-12) -> jax.Array:
    """Divides each layer's scores by their L2 norm over heads (Michel et al., after Molchanov et al.).

    Example:
        >>> import jax.numpy as jnp
        >>> normalize_per_layer(jnp.array([[3.0, 4.0]])).tolist()
        [[0.6, 0.8]]
    """
    return importance / jnp.maximum(jnp.linalg.norm(importance, axis=-1, keepdims=True), eps)


def head_importance(
    loss_fn: HeadLossFn,
    params: Mapping[str, Any],
    batches: Any,
    head_mask: jax.Array | None = None,
    *,
    method: str = "head_mask",
    normalize: bool = False,
    out_paths: Sequence[Path] | None = None,
) -> jax.Array:
    """Per-head importance ``[layers, heads]``, averaged over a stack of batches.

    ``method="head_mask"`` (default) is Michel et al. 2019: ``I_h = E_batches |dL/d xi_h|``, the
    gradient of the loss with respect to a multiplier ``xi_h`` on head ``h``'s output, taken at
    ``head_mask`` (ones by default; pass the current mask to score a partly pruned model).
    ``method="w_o_grad_norm"`` is sentinel-ai's ``calculate_head_gradients``: the mean over batches of
    the Frobenius norm of ``dL/dW_O[h]``, the head's slice of the output-projection gradient.
    ``normalize=True`` divides each layer by its L2 norm over heads.

    Args:
        loss_fn: ``loss_fn(params, head_mask, batch) -> scalar`` (mean loss over the batch).
        params: model params.
        batches: a pytree whose leaves all have a leading axis over batches, e.g. ``(x[n, b, ...],
            y[n, b, ...])``; batches are visited with ``jax.lax.scan``.
        head_mask: ``[layers, heads]`` float mask at which to differentiate (default ones).
        method: ``"head_mask"`` or ``"w_o_grad_norm"``.
        normalize: per-layer L2 normalisation.
        out_paths: output-kernel paths for ``w_o_grad_norm`` and for the shape (default: detected).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> params = {"attn": {"out": {"kernel": jnp.ones((2, 1, 1))}}}
        >>> def loss_fn(p, mask, x):  # head h's output is mask[0, h] * x[h]
        ...     return jnp.sum(mask[0] * x * p["attn"]["out"]["kernel"][:, 0, 0])
        >>> batches = jnp.array([[1.0, -2.0], [3.0, 0.0]])
        >>> head_importance(loss_fn, params, batches).tolist()
        [[2.0, 1.0]]
    """
    check_choice("method", method, IMPORTANCE_METHODS)
    paths = resolve_out_paths(params, out_paths)
    shape = head_counts(params, paths)
    if head_mask is None:
        head_mask = jnp.ones(shape, jnp.float32)
    elif jnp.shape(head_mask) != shape:
        raise ValueError(f"head_mask must have shape {shape}, got {jnp.shape(head_mask)}")
    leading = {jnp.shape(leaf)[0] if jnp.ndim(leaf) else None for leaf in jax.tree.leaves(batches)}
    if len(leading) != 1 or None in leading:
        raise ValueError(
            "batches must be a pytree whose leaves share a leading axis over batches, got leading "
            f"sizes {sorted(str(n) for n in leading)}"
        )

    if method == "head_mask":
        grad_fn = jax.grad(loss_fn, argnums=1)

        def score(batch: Any) -> jax.Array:
            return jnp.abs(grad_fn(params, head_mask, batch))

    else:
        grad_fn = jax.grad(loss_fn, argnums=0)

        def score(batch: Any) -> jax.Array:
            grads = grad_fn(params, head_mask, batch)
            return jnp.stack(
                [jnp.sqrt(jnp.sum(jnp.square(get_path(grads, p)), axis=(1, 2))) for p in paths]
            )

    def body(total: jax.Array, batch: Any) -> tuple[jax.Array, None]:
        return total + score(batch), None

    total, _ = jax.lax.scan(body, jnp.zeros(shape, jnp.float32), batches)
    importance = total / leading.pop()
    return normalize_per_layer(importance) if normalize else importance
