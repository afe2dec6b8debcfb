"""Normalised attention entropy per head: 0 for one-hot attention, 1 for uniform attention."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp


def _layer_entropy(weights: jax.Array, mask: jax.Array | None) -> jax.Array:
    """[batch, heads, q, k] -> [heads]."""
    if mask is None:
        valid = jnp.ones(weights.shape, dtype=bool)
    else:
        valid = jnp.broadcast_to(jnp.asarray(mask, dtype=bool), weights.shape)
    p = jnp.where(valid, weights, 0.0)
    p = p / jnp.maximum(p.sum(-1, keepdims=True), jnp.finfo(p.dtype).tiny)
    row_entropy = -jnp.sum(jax.scipy.special.xlogy(p, p), axis=-1)
    n_valid = valid.sum(-1)
    counted = n_valid >= 2
    normalised = row_entropy / jnp.log(jnp.where(counted, n_valid, 2).astype(p.dtype))
    normalised = jnp.where(counted, normalised, 0.0)
    rows = counted.sum(axis=(0, 2))
    return normalised.sum(axis=(0, 2)) / jnp.maximum(rows, 1)


def head_entropy(
    attention_weights: jax.Array | Sequence[jax.Array], mask: jax.Array | None = None
) -> jax.Array:
    """Mean normalised row entropy of each head's attention, shape ``[layers, heads]``.

    For every query row the entropy ``-sum_j p_j log p_j`` (natural log, ``0 log 0 = 0``) is divided by
    ``log(number of valid keys)``, then averaged over batch and query positions. Uniform attention over
    the valid keys gives 1, one-hot attention gives 0. With a ``mask`` (True = the query may attend to
    that key, e.g. causal and/or key padding, broadcastable to ``[batch, heads, query, key]``), weights
    on masked keys are dropped, each row is renormalised over its valid keys, and rows with fewer than
    two valid keys (the first causal row, padded query rows) are left out of the mean since their
    entropy carries no information.

    Differences from sentinel-ai's ``calculate_head_entropy``: it averages only over the batch and
    returns ``[heads, seq]`` per layer (its docstring and tests want ``[heads]``), ignores padding and
    causal masks, and always divides by ``log(seq)``. Here the result is ``[layers, heads]`` and masks
    are honoured; without a mask the numbers agree with the anchor's effective metric.

    Args:
        attention_weights: ``[layers, batch, heads, query, key]`` probabilities, or a sequence of
            per-layer ``[batch, heads, query, key]`` arrays (e.g. Hugging Face ``attentions``).
        mask: optional boolean mask broadcastable to ``[batch, heads, query, key]``, shared by all layers.

    Returns:
        ``[layers, heads]`` entropies in ``[0, 1]``.

    Example:
        >>> import jax.numpy as jnp
        >>> uniform = jnp.full((1, 2, 1, 4, 4), 0.25)
        >>> head_entropy(uniform).round(3).tolist()
        [[1.0]]
        >>> one_hot = jnp.eye(4)[None, None, None]
        >>> head_entropy(one_hot).tolist()
        [[0.0]]
    """
    if isinstance(attention_weights, (list, tuple)):
        layers = [jnp.asarray(w) for w in attention_weights]
        if not layers:
            raise ValueError("attention_weights must hold at least one layer, got an empty sequence")
        for index, w in enumerate(layers):
            if w.ndim != 4:
                raise ValueError(
                    f"attention_weights[{index}] must be [batch, heads, query, key], got shape {w.shape}"
                )
        return jnp.stack([_layer_entropy(w, mask) for w in layers])
    weights = jnp.asarray(attention_weights)
    if weights.ndim != 5:
        raise ValueError(
            "attention_weights must be [layers, batch, heads, query, key] or a sequence of "
            f"[batch, heads, query, key] arrays, got shape {weights.shape}"
        )
    return jax.vmap(_layer_entropy, in_axes=(0, None))(weights, mask)
