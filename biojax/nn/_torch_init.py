"""PyTorch-style initializers shared by the liquid cells (private)."""

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp


def fan_in_uniform(fan_in: int) -> Callable[[jax.Array, tuple[int, ...], jnp.dtype], jax.Array]:
    """``uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))``: PyTorch's default for ``nn.Linear`` biases
    and, with ``a=sqrt(5)`` kaiming, for its weights.

    Example:
        >>> import jax
        >>> init = fan_in_uniform(4)
        >>> bool(abs(init(jax.random.key(0), (100,))).max() <= 0.5)
        True
    """
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0

    def init(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype = jnp.float32) -> jax.Array:
        return jax.random.uniform(key, shape, dtype, -bound, bound)

    return init


def constant_uniform(low: float, high: float) -> Callable[..., jax.Array]:
    """``uniform(low, high)`` initializer.

    Example:
        >>> import jax
        >>> x = constant_uniform(3.0, 8.0)(jax.random.key(0), (50,))
        >>> bool((x >= 3).all() and (x <= 8).all())
        True
    """

    def init(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype = jnp.float32) -> jax.Array:
        return jax.random.uniform(key, shape, dtype, low, high)

    return init
