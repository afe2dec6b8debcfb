"""Choosing which heads to prune: global top-k over per-head scores."""

from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice, check_number
from biojax.checks import check_traced, concrete_value

STRATEGIES = ("entropy", "gradient", "random", "combined")
ENTROPY_WEIGHT = 0.6
IMPORTANCE_WEIGHT = 0.4


def minmax(scores: jax.Array) -> jax.Array:
    """``(s - min s) / (max s - min s + 1e-8)`` over all entries, as sentinel-ai normalises scores.

    Example:
        >>> import jax.numpy as jnp
        >>> minmax(jnp.array([1.0, 2.0, 3.0])).round(3).tolist()
        [0.0, 0.5, 1.0]
    """
    return (scores - scores.min()) / (scores.max() - scores.min() + 1e-8)


def _scores_2d(name: str, value: jax.Array | None, strategy: str) -> jax.Array:
    if value is None:
        raise ValueError(f"strategy={strategy!r} needs {name}=[layers, heads] scores, got None")
    array = jnp.asarray(value)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a [layers, heads] array, got shape {array.shape}")
    if not jnp.issubdtype(array.dtype, jnp.floating):
        array = array.astype(jnp.float32)
    known = concrete_value(array)
    if known is None:
        check_traced(jnp.all(jnp.isfinite(array)), f"{name} must be finite scores, got {{bad}} NaN or inf entries",
                     bad=jnp.sum(~jnp.isfinite(array)))
    elif not np.all(np.isfinite(known)):
        raise ValueError(f"{name} must be finite scores, got {int(np.sum(~np.isfinite(known)))} NaN or inf entries")
    return array


def _prune_count(prune_fraction: float | jax.Array, total: int) -> jax.Array:
    """``floor(total * prune_fraction)`` heads, after checking the fraction (traced: inside ``checked``)."""
    if isinstance(prune_fraction, numbers.Real) and not isinstance(prune_fraction, bool):
        check_number("prune_fraction", prune_fraction, minimum=0.0, maximum=1.0)
        return jnp.asarray(int(total * float(prune_fraction)))
    dtype = getattr(prune_fraction, "dtype", None)
    if isinstance(prune_fraction, bool) or dtype is None or not (
            jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)):
        raise TypeError(f"prune_fraction must be a real number in [0, 1] or a real scalar array, got "
                        f"{prune_fraction!r} ({type(prune_fraction).__name__})")
    if jnp.ndim(prune_fraction) != 0:
        raise ValueError(f"prune_fraction must be a scalar (vmap over fractions), got shape {jnp.shape(prune_fraction)}")
    known = concrete_value(prune_fraction)
    if known is None:
        check_traced((prune_fraction >= 0) & (prune_fraction <= 1), "prune_fraction must be in [0.0, 1.0], got {f}",
                     f=prune_fraction)
    else:
        check_number("prune_fraction", float(known), minimum=0.0, maximum=1.0)
    return jnp.floor(total * jnp.asarray(prune_fraction, jnp.float32) + 1e-6).astype(jnp.int32)


def prune_scores(
    strategy: str,
    *,
    entropy: jax.Array | None = None,
    importance: jax.Array | None = None,
    key: jax.Array | None = None,
    shape: tuple[int, int] | None = None,
) -> jax.Array:
    """Per-head scores where a higher score means "prune first", shape ``[layers, heads]``.

    ``entropy``: the entropy itself (diffuse heads first). ``gradient``: ``-importance`` (least important
    first). ``random``: uniform draws from ``key``. ``combined``: ``0.6 * minmax(entropy) + 0.4 * (1 -
    minmax(importance))``, sentinel-ai's formula. ``shape`` is needed only for ``random`` without scores.

    Example:
        >>> import jax.numpy as jnp
        >>> prune_scores("gradient", importance=jnp.array([[1.0, 2.0]])).tolist()
        [[-1.0, -2.0]]
    """
    check_choice("strategy", strategy, STRATEGIES)
    if strategy == "entropy":
        return _scores_2d("entropy", entropy, strategy).astype(jnp.float32)
    if strategy == "gradient":
        return -_scores_2d("importance", importance, strategy).astype(jnp.float32)
    if strategy == "combined":
        ent = _scores_2d("entropy", entropy, strategy)
        imp = _scores_2d("importance", importance, strategy)
        if ent.shape != imp.shape:
            raise ValueError(
                f"entropy and importance must have the same [layers, heads] shape, got {ent.shape} "
                f"and {imp.shape}"
            )
        return ENTROPY_WEIGHT * minmax(ent) + IMPORTANCE_WEIGHT * (1.0 - minmax(imp))
    if key is None:
        raise ValueError("strategy='random' needs a jax.random key: pass key=jax.random.key(seed)")
    given = [jnp.shape(s) for s in (entropy, importance) if s is not None]
    if shape is None and not given:
        raise ValueError("strategy='random' needs shape=(layers, heads), entropy or importance")
    shape = tuple(shape) if shape is not None else given[0]
    if len(shape) != 2:
        raise ValueError(f"shape must be (layers, heads), got {shape}")
    return jax.random.uniform(key, shape)


def pruning_mask(
    prune_fraction: float | jax.Array,
    strategy: str,
    *,
    entropy: jax.Array | None = None,
    importance: jax.Array | None = None,
    key: jax.Array | None = None,
    shape: tuple[int, int] | None = None,
    keep_one_per_layer: bool = False,
) -> jax.Array:
    """Boolean ``[layers, heads]`` mask, True for the heads to prune.

    The ``k = floor(layers * heads * prune_fraction)`` heads with the highest :func:`prune_scores` are
    pruned, ranked globally across layers (ties go to the lower flat index). ``prune_fraction`` may be a
    traced array, so a ``jax.vmap`` over fractions compiles once. Numbers and concrete arrays are checked
    (the fraction in ``[0, 1]``, the scores finite); traced ones only inside :func:`biojax.checks.checked`. With ``keep_one_per_layer`` the best
    head of every layer is never pruned, so at most ``layers * (heads - 1)`` heads go.

    Differences from sentinel-ai's ``generate_pruning_mask``: a shape mismatch between entropy and
    importance raises instead of silently using random entropy, and ``random`` needs an explicit key
    instead of reseeding global generators.

    Args:
        prune_fraction: fraction of all heads to prune, in ``[0, 1]``.
        strategy: ``"entropy"``, ``"gradient"``, ``"random"`` or ``"combined"``.
        entropy: ``[layers, heads]`` normalised entropies (entropy and combined).
        importance: ``[layers, heads]`` importances (gradient and combined).
        key: ``jax.random`` key (random).
        shape: ``(layers, heads)`` for ``random`` when no scores are given.
        keep_one_per_layer: never prune the last head of a layer.

    Example:
        >>> import jax.numpy as jnp
        >>> importance = jnp.array([[0.1, 0.5], [0.9, 0.2]])
        >>> pruning_mask(0.5, "gradient", importance=importance).tolist()
        [[True, False], [False, True]]
        >>> pruning_mask(0.75, "gradient", importance=importance, keep_one_per_layer=True).tolist()
        [[True, False], [False, True]]
    """
    scores = prune_scores(strategy, entropy=entropy, importance=importance, key=key, shape=shape)
    layers, heads = scores.shape
    total = layers * heads
    k = _prune_count(prune_fraction, total)
    if keep_one_per_layer:
        keeper = jnp.argmin(scores, axis=1)
        protected = jax.nn.one_hot(keeper, heads, dtype=bool)
        scores = jnp.where(protected, -jnp.inf, scores)
        k = jnp.minimum(k, total - layers)
    order = jnp.argsort(-scores.reshape(-1), stable=True)
    rank = jnp.zeros(total, jnp.int32).at[order].set(jnp.arange(total, dtype=jnp.int32))
    return (rank < k).reshape(layers, heads)
