"""A small Linen transformer whose attention returns its weights and takes a per-head mask.

Head pruning needs two things from a model: the attention probabilities of every head (for entropy) and
a multiplier ``head_mask[layer, head]`` applied to each head's output before the output projection (for
Michel et al.'s importance, ``dL/d head_mask``, and for a persistent pruning mask). The parameter layout
of :class:`HeadMaskedAttention` is the one of ``flax.linen.MultiHeadDotProductAttention`` (``query``,
``key``, ``value`` kernels ``[features, heads, head_dim]`` and ``out`` kernel ``[heads, head_dim,
features]``), so :func:`biojax.pruning.apply_head_mask` prunes both in the same way.
"""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_int
from biojax.checks import check_traced, concrete_value


def check_tokens(tokens: Any, vocab_size: int, max_len: int) -> None:
    """Checks ``[batch, seq]`` integer token ids: ``1 <= seq <= max_len``, ids in ``[0, vocab_size)``.

    Shapes and dtypes are checked always; the ids themselves in Python when ``tokens`` is concrete, and
    inside :func:`biojax.checks.checked` when it is traced (not under plain ``jit``: ``nn.Embed`` would
    return NaN for ids ``>= vocab_size`` and wrap negative ones).

    Example:
        >>> import jax.numpy as jnp
        >>> check_tokens(jnp.array([[1, 5]]), vocab_size=5, max_len=8)
        Traceback (most recent call last):
        ...
        ValueError: tokens must be token ids in [0, vocab_size=5), got ids in [1, 5]
    """
    shape, dtype = jnp.shape(tokens), jnp.result_type(tokens)
    if len(shape) != 2:
        raise ValueError(f"tokens must be a [batch, seq] array of token ids, got shape {shape}")
    if not jnp.issubdtype(dtype, jnp.integer):
        raise TypeError(f"tokens must be integer token ids, got dtype {dtype}")
    if not 1 <= shape[1] <= max_len:
        raise ValueError(f"tokens must have 1 <= seq <= max_len={max_len} positions, got seq={shape[1]}")
    ids = concrete_value(tokens)
    message = "tokens must be token ids in [0, vocab_size={vocab}), got ids in [{low}, {high}]"
    if ids is None:
        low, high = jnp.min(tokens), jnp.max(tokens)
        check_traced((low >= 0) & (high < vocab_size), message, vocab=vocab_size, low=low, high=high)
    elif ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(message.format(vocab=vocab_size, low=ids.min(), high=ids.max()))


def causal_attention_mask(tokens: jax.Array) -> jax.Array:
    """Boolean ``[batch, 1, seq, seq]`` mask, True where query ``i`` may attend to key ``j <= i``.

    Example:
        >>> import jax.numpy as jnp
        >>> causal_attention_mask(jnp.zeros((1, 3), int))[0, 0].astype(int).tolist()
        [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
    """
    seq = tokens.shape[-1]
    mask = jnp.tril(jnp.ones((seq, seq), dtype=bool))
    return jnp.broadcast_to(mask, (tokens.shape[0], 1, seq, seq))


class HeadMaskedAttention(nn.Module):
    """Multi-head self-attention that returns its weights and scales each head's output by a mask.

    Attributes:
        num_heads: number of heads.
        head_dim: size of each head's query, key and value vectors.

    Call ``(x [batch, seq, features], head_mask [heads] or None, mask [batch, 1|heads, seq, seq] bool or
    None)`` returns ``(y [batch, seq, features], weights [batch, heads, seq, seq])``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> attn = HeadMaskedAttention(num_heads=2, head_dim=4)
        >>> x = jnp.ones((1, 3, 8))
        >>> params = attn.init(jax.random.key(0), x)["params"]
        >>> y, w = attn.apply({"params": params}, x, jnp.array([1.0, 0.0]))
        >>> y.shape, w.shape, params["out"]["kernel"].shape
        ((1, 3, 8), (1, 2, 3, 3), (2, 4, 8))
    """

    num_heads: int
    head_dim: int

    def __post_init__(self) -> None:
        check_int("num_heads", self.num_heads, minimum=1)
        check_int("head_dim", self.head_dim, minimum=1)
        super().__post_init__()

    @nn.compact
    def __call__(
        self, x: jax.Array, head_mask: jax.Array | None = None, mask: jax.Array | None = None
    ) -> tuple[jax.Array, jax.Array]:
        if jnp.ndim(x) != 3:
            raise ValueError(f"x must be [batch, seq, features], got shape {jnp.shape(x)}")
        if head_mask is not None and jnp.shape(head_mask) != (self.num_heads,):
            raise ValueError(f"head_mask must have shape ({self.num_heads},), got {jnp.shape(head_mask)}")
        features = x.shape[-1]
        dense = lambda name: nn.DenseGeneral((self.num_heads, self.head_dim), name=name)  # noqa: E731
        query, key, value = dense("query")(x), dense("key")(x), dense("value")(x)
        logits = jnp.einsum("bqhd,bkhd->bhqk", query, key) / jnp.sqrt(self.head_dim).astype(x.dtype)
        if mask is not None:
            logits = jnp.where(mask, logits, jnp.finfo(logits.dtype).min)
        weights = jax.nn.softmax(logits, axis=-1)
        heads = jnp.einsum("bhqk,bkhd->bqhd", weights, value)
        if head_mask is not None:
            heads = heads * head_mask[:, None].astype(heads.dtype)
        out = nn.DenseGeneral(features, axis=(-2, -1), name="out")(heads)
        return out, weights


class TransformerBlock(nn.Module):
    """Pre-norm transformer block: ``x + attention(norm(x))`` then ``x + mlp(norm(x))``.

    Attributes:
        num_heads: attention heads.
        head_dim: size per head.
        mlp_dim: hidden size of the feed-forward part; 0 makes an attention-only block.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> block = TransformerBlock(num_heads=2, head_dim=4, mlp_dim=16)
        >>> x = jnp.ones((1, 3, 8))
        >>> y, w = block.apply(block.init(jax.random.key(0), x), x)
        >>> y.shape, w.shape
        ((1, 3, 8), (1, 2, 3, 3))
    """

    num_heads: int
    head_dim: int
    mlp_dim: int = 0

    def __post_init__(self) -> None:
        check_int("mlp_dim", self.mlp_dim, minimum=0)
        super().__post_init__()

    @nn.compact
    def __call__(
        self, x: jax.Array, head_mask: jax.Array | None = None, mask: jax.Array | None = None
    ) -> tuple[jax.Array, jax.Array]:
        attention = HeadMaskedAttention(self.num_heads, self.head_dim, name="attention")
        update, weights = attention(nn.LayerNorm(name="norm_attention")(x), head_mask, mask)
        x = x + update
        if self.mlp_dim:
            h = nn.Dense(self.mlp_dim, name="mlp_in")(nn.LayerNorm(name="norm_mlp")(x))
            x = x + nn.Dense(x.shape[-1], name="mlp_out")(nn.gelu(h))
        return x, weights


class HeadMaskTransformer(nn.Module):
    """A small token transformer (causal LM by default) with a ``[layers, heads]`` head mask.

    Attributes:
        vocab_size: number of token ids (inputs and output logits).
        num_layers: transformer blocks, named ``block_0``, ``block_1``, ...
        num_heads: heads per block.
        d_model: residual width; must be a multiple of ``num_heads``.
        mlp_dim: feed-forward width per block (0: attention-only).
        max_len: longest sequence (learned positional embeddings).
        causal: if True, position ``i`` attends only to positions ``<= i``.

    ``apply({"params": p}, tokens [batch, seq], head_mask=None, return_attention=False)`` returns logits
    ``[batch, seq, vocab]``, or ``(logits, weights [layers, batch, heads, seq, seq])`` when
    ``return_attention`` is True. ``tokens`` are checked by :func:`check_tokens` (shape, dtype,
    ``seq <= max_len``; the ids when concrete, and under :func:`biojax.checks.checked` when traced). ``head_mask`` multiplies each head's output before the output
    projection: 1 keeps a head, 0 removes it, and its gradient is Michel et al.'s head importance.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> model = HeadMaskTransformer(vocab_size=5, num_layers=2, num_heads=2, d_model=8)
        >>> tokens = jnp.zeros((1, 4), int)
        >>> params = model.init(jax.random.key(0), tokens)["params"]
        >>> logits, weights = model.apply({"params": params}, tokens, jnp.ones((2, 2)), return_attention=True)
        >>> logits.shape, weights.shape
        ((1, 4, 5), (2, 1, 2, 4, 4))
    """

    vocab_size: int
    num_layers: int = 2
    num_heads: int = 4
    d_model: int = 64
    mlp_dim: int = 0
    max_len: int = 128
    causal: bool = True

    def __post_init__(self) -> None:
        check_int("vocab_size", self.vocab_size, minimum=1)
        check_int("num_layers", self.num_layers, minimum=1)
        check_int("num_heads", self.num_heads, minimum=1)
        check_int("d_model", self.d_model, minimum=1)
        check_int("mlp_dim", self.mlp_dim, minimum=0)
        check_int("max_len", self.max_len, minimum=1)
        if not isinstance(self.causal, bool):
            raise TypeError(f"causal must be True or False, got {self.causal!r}")
        if self.d_model % self.num_heads:
            raise ValueError(
                f"d_model must be a multiple of num_heads={self.num_heads}, got {self.d_model}"
            )
        super().__post_init__()

    @nn.compact
    def __call__(
        self, tokens: jax.Array, head_mask: jax.Array | None = None, return_attention: bool = False
    ) -> jax.Array | tuple[jax.Array, jax.Array]:
        check_tokens(tokens, self.vocab_size, self.max_len)
        if head_mask is not None and jnp.shape(head_mask) != (self.num_layers, self.num_heads):
            raise ValueError(
                f"head_mask must have shape {(self.num_layers, self.num_heads)}, got {jnp.shape(head_mask)}"
            )
        seq = tokens.shape[-1]
        x = nn.Embed(self.vocab_size, self.d_model, name="embed")(tokens)
        x = x + nn.Embed(self.max_len, self.d_model, name="position")(jnp.arange(seq))
        mask = causal_attention_mask(tokens) if self.causal else None
        all_weights = []
        for layer in range(self.num_layers):
            block = TransformerBlock(
                self.num_heads, self.d_model // self.num_heads, self.mlp_dim, name=f"block_{layer}"
            )
            x, weights = block(x, None if head_mask is None else head_mask[layer], mask)
            all_weights.append(weights)
        logits = nn.Dense(self.vocab_size, name="unembed")(nn.LayerNorm(name="norm_final")(x))
        if return_attention:
            return logits, jnp.stack(all_weights)
        return logits
