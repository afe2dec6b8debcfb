"""Fast per-weight noise for rules that draw fresh random numbers for every weight at every step.

``jax.random``'s default Threefry generator costs about as much per number as a dense layer's
forward-backward pass per weight on CPU, so volume-dependent LR and rejuvenation would each more than
double the step time of an MLP. These draws instead hash a counter with the murmur3 finalizer (applied
twice, with two 32-bit words drawn from the caller's ``jax.random`` key), which is about ten times cheaper
and passes the statistical checks in ``tests/learning/test_noise.py`` (moments, bin counts, neighbour
correlation). The stream is still fully determined by the explicit key. Not for cryptography.
"""

import jax
import jax.numpy as jnp


def _fmix32(z: jax.Array) -> jax.Array:
    z = z ^ (z >> 16)
    z = z * jnp.uint32(0x85EBCA6B)
    z = z ^ (z >> 13)
    z = z * jnp.uint32(0xC2B2AE35)
    return z ^ (z >> 16)


def hash_bits(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """``uint32`` bits of the given shape, determined by ``key``.

    Example:
        >>> import jax
        >>> hash_bits(jax.random.key(0), (2, 3)).dtype
        dtype('uint32')
    """
    seed = jax.random.bits(key, (2,), jnp.uint32)
    size = 1
    for n in shape:
        size *= n
    counter = jax.lax.iota(jnp.uint32, size).reshape(shape)
    return _fmix32(_fmix32(counter * jnp.uint32(0x9E3779B9) + seed[0]) ^ seed[1])


def uniform(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32, minval=0.0, maxval=1.0) -> jax.Array:
    """Uniform numbers in ``[minval, maxval)`` (24 random bits each).

    Example:
        >>> import jax
        >>> u = uniform(jax.random.key(0), (10000,))
        >>> bool((u >= 0).all() and (u < 1).all()), round(float(u.mean()), 1)
        (True, 0.5)
    """
    unit = (hash_bits(key, shape) >> 8).astype(jnp.float32) * (1.0 / 16777216.0)
    return (minval + (maxval - minval) * unit).astype(dtype)


def normal(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
    """Standard normal numbers (inverse-CDF transform of :func:`uniform`, centred on its bins).

    Example:
        >>> import jax
        >>> z = normal(jax.random.key(0), (100000,))
        >>> round(float(z.mean()), 1), round(float(z.std()), 1)
        (0.0, 1.0)
    """
    unit = ((hash_bits(key, shape) >> 8).astype(jnp.float32) + 0.5) * (1.0 / 16777216.0)
    return (jnp.sqrt(2.0) * jax.lax.erf_inv(2.0 * unit - 1.0)).astype(dtype)
