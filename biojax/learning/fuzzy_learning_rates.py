"""Fuzzy learning rates: a fixed (or slowly evolving) random factor per weight multiplies its update.

This is the paper's "synaptic plasticity diversity" (Hofmann et al., Nat. Commun. 16, 2025) and the
``fuzzy_learning_rates`` method of pytorch_bio_transformations 0.0.5, as an Optax transformation.

Differences from the anchor, all deliberate:

- ``layer_adaptive`` really varies with depth: the layer index comes from the order of the parameter tree
  (see :func:`biojax.learning.selection.layer_order`), overridable with ``layer_index``. The anchor samples
  before it knows the index, so every layer silently gets plain ``uniform``.
- ``weight_adaptive`` is computed from the params at ``init``. The anchor starts from all ones and only
  changes them if the user calls ``update_fuzzy_learning_rates()`` once with ``dynamic=False``.
- ``gamma`` draws ``Gamma(1/nu**2, rate=1/nu**2)``: mean 1 and standard deviation ``nu``, like the other
  distributions. The anchor draws ``1 + Gamma(1/nu, 1/nu)``, whose mean is 2, so about 45% of its factors
  sit on the upper clamp.
- ``activity`` takes per-unit activations through ``update(..., activations=...)`` and resamples with the
  state's key; the anchor recomputes the layer output itself and resamples with unseeded Python ``random``.
- Factors multiply the optimizer's *update* wherever the transformation sits in a chain (the anchor scales
  raw gradients, which Adam would cancel).

As in the anchor, ``temporal`` and ``activity`` evolve only when ``dynamic=True``.
"""

import enum
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from biojax._validation import check_choice, check_int
from biojax.learning._checks import check_bool, check_hyperparameter
from biojax.learning.selection import apply_mask, layer_order, path_name


class Distribution(str, enum.Enum):
    """The ten fuzzy learning-rate distributions of the anchor (values are lowercase names).

    Example:
        >>> Distribution("gamma") is Distribution.GAMMA
        True
    """

    BASELINE = "baseline"
    UNIFORM = "uniform"
    NORMAL = "normal"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    BETA = "beta"
    LAYER_ADAPTIVE = "layer_adaptive"
    WEIGHT_ADAPTIVE = "weight_adaptive"
    TEMPORAL = "temporal"
    ACTIVITY = "activity"


class FuzzyLRState(NamedTuple):
    """State of :func:`fuzzy_learning_rates`.

    Attributes:
        factors: per-weight factors, same tree as the selected params.
        count: number of updates so far.
        key: PRNG key for resampling (``temporal``, ``activity``).
        activation_counts: per-unit activity counts (last kernel axis) for ``activity``, else ``None``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> state = fuzzy_learning_rates("baseline", key=jax.random.key(0), mask=None).init({"w": jnp.ones(2)})
        >>> state.factors["w"].tolist(), state.activation_counts
        ([1.0, 1.0], None)
    """

    factors: Any
    count: jax.Array
    key: jax.Array
    activation_counts: Any


def _as_distribution(distribution: Any) -> Distribution:
    names = tuple(d.value for d in Distribution)
    value = distribution.value if isinstance(distribution, Distribution) else distribution
    return Distribution(check_choice("distribution", value, names))


def sample_factors(
    distribution: str, key: jax.Array, shape: tuple[int, ...], nu: Any, dtype: Any = jnp.float32
) -> jax.Array:
    """Draws unclamped factors for the stateless distributions.

    ``layer_adaptive``, ``weight_adaptive`` and ``temporal`` start from ``uniform`` (with their own
    ``nu``), ``baseline`` and ``activity`` from ones.

    Example:
        >>> import jax
        >>> f = sample_factors("uniform", jax.random.key(0), (1000,), 0.1)
        >>> bool((f >= 0.9).all() and (f <= 1.1).all())
        True
    """
    d = _as_distribution(distribution)
    if d in (Distribution.BASELINE, Distribution.ACTIVITY):
        return jnp.ones(shape, dtype)
    if d == Distribution.NORMAL:
        return 1.0 + nu * jax.random.normal(key, shape, dtype)
    if d == Distribution.LOGNORMAL:
        return jnp.exp(-0.5 * nu**2 + nu * jax.random.normal(key, shape, dtype))
    if d == Distribution.GAMMA:
        shape_param = 1.0 / nu**2
        return jax.random.gamma(key, shape_param, shape, dtype) / shape_param
    if d == Distribution.BETA:
        return 1.0 + (2.0 * jax.random.beta(key, 1.0 / nu, 1.0 / nu, shape, dtype) - 1.0) * nu
    return 1.0 + jax.random.uniform(key, shape, dtype, -1.0, 1.0) * nu


def _weight_adaptive(key: jax.Array, w: jax.Array, nu: Any) -> jax.Array:
    ratio = jnp.abs(w) / (jnp.mean(jnp.abs(w)) + 1e-8)
    spread = nu * jnp.clip(2.0 - ratio, 0.5, 1.5)
    return 1.0 + jax.random.uniform(key, w.shape, w.dtype, -1.0, 1.0) * spread


def fuzzy_learning_rates(
    distribution: str = "uniform",
    nu: Any = 0.16,
    min_factor: Any = 0.5,
    max_factor: Any = 2.0,
    dynamic: bool = False,
    update_every: Any = 100,
    decay: Any = 0.9995,
    *,
    key: jax.Array,
    layer_index: Callable[[str], int] | None = None,
    mask: Any = "kernels",
) -> optax.GradientTransformationExtraArgs:
    """Multiplies each selected weight's update by its own random factor, clamped to ``[min, max]``.

    Args:
        distribution: one of :class:`Distribution` (``"uniform"`` draws ``U(1-nu, 1+nu)``).
        nu: spread of the factors (traced).
        min_factor, max_factor: clamp bounds (traced).
        dynamic: let ``temporal`` decay toward 1 and ``activity`` resample from activations.
        update_every: ``temporal``: decay every this many updates; add noise ``0.1*U(-nu, nu)`` every ten
            times as many (traced).
        decay: ``temporal``: ``f <- 1 + (f - 1) * decay`` (traced).
        key: PRNG key for the initial draw and later resampling.
        layer_index: ``layer_adaptive``: maps a leaf's path name (``"Dense_0/kernel"``) to its layer index;
            by default the position in :func:`~biojax.learning.selection.layer_order`. The spread is
            ``nu * (1 - 0.5 * index / n_layers)``.
        mask: which leaves to act on: ``"kernels"`` (weight kernels), ``None`` (all), a mask tree or function.

    ``update(updates, state, params, activations=tree)``: for ``activity`` with ``dynamic=True``,
    ``activations`` has the params' tree structure, each selected kernel replaced by that layer's outputs
    ``(..., units)``; a unit is active where ``|a| > 0.01``. Factors are resampled on the first such call
    and then with probability 0.1 per call; more active units get a narrower spread.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> params = {"kernel": jnp.ones((3, 2)), "bias": jnp.zeros(2)}
        >>> opt = optax.chain(optax.sgd(0.1), fuzzy_learning_rates(nu=0.2, key=jax.random.key(0)))
        >>> updates, state = opt.update(jax.tree.map(jnp.ones_like, params), opt.init(params), params)
        >>> bool(jnp.all(jnp.abs(updates["kernel"] + 0.1) <= 0.02 + 1e-6)), updates["bias"].tolist()
        (True, [-0.1, -0.1])
    """
    dist = _as_distribution(distribution)
    check_hyperparameter("nu", nu, minimum=0.0, min_inclusive=False)
    check_hyperparameter("min_factor", min_factor, minimum=0.0)
    check_hyperparameter("max_factor", max_factor, minimum=0.0)
    if not isinstance(min_factor, jax.Array) and not isinstance(max_factor, jax.Array):
        if float(min_factor) > float(max_factor):
            raise ValueError(
                f"min_factor must be <= max_factor, got min_factor={min_factor!r} > max_factor={max_factor!r}"
            )
    check_bool("dynamic", dynamic)
    if not isinstance(update_every, jax.Array):
        check_int("update_every", update_every, minimum=1)
    check_hyperparameter("decay", decay, minimum=0.0, maximum=1.0, min_inclusive=False)

    def clamp(f):
        return jnp.clip(f, min_factor, max_factor)

    def init_fn(params):
        flat, treedef = jax.tree_util.tree_flatten_with_path(params)
        init_key, state_key = jax.random.split(key)
        keys = jax.random.split(init_key, max(len(flat), 1))
        order = layer_order(params)
        n_layers = max(len(order), 1)
        factors = []
        for (path, w), k in zip(flat, keys):
            if dist == Distribution.WEIGHT_ADAPTIVE:
                f = _weight_adaptive(k, w, nu)
            elif dist == Distribution.LAYER_ADAPTIVE:
                name = path_name(path)
                idx = layer_index(name) if layer_index is not None else order.index(name)
                f = sample_factors("uniform", k, w.shape, nu * (1.0 - 0.5 * idx / n_layers), w.dtype)
            else:
                f = sample_factors(dist.value, k, w.shape, nu, w.dtype)
            factors.append(clamp(f).astype(w.dtype))
        counts = None
        if dist == Distribution.ACTIVITY:
            counts = jax.tree.map(lambda w: jnp.zeros(w.shape[-1:], jnp.float32), params)
        return FuzzyLRState(
            factors=jax.tree_util.tree_unflatten(treedef, factors),
            count=jnp.zeros([], jnp.int32),
            key=state_key,
            activation_counts=counts,
        )

    def temporal(state):
        step = state.count + 1
        do_decay = step % update_every == 0
        do_noise = step % (10 * update_every) == 0
        leaves, treedef = jax.tree.flatten(state.factors)
        keys = jax.random.split(jax.random.fold_in(state.key, step), max(len(leaves), 1))
        new = []
        for f, k in zip(leaves, keys):
            f = jnp.where(do_decay, 1.0 + (f - 1.0) * decay, f)
            noise = 0.1 * jax.random.uniform(k, f.shape, f.dtype, -1.0, 1.0) * nu
            new.append(clamp(jnp.where(do_noise, f + noise, f)).astype(f.dtype))
        return jax.tree.unflatten(treedef, new)

    def activity(state, activations):
        new_counts = jax.tree.map(
            lambda c, a: c + jnp.sum(jnp.abs(a) > 0.01, axis=tuple(range(a.ndim - 1))),
            state.activation_counts,
            activations,
        )
        draw_key, coin_key = jax.random.split(jax.random.fold_in(state.key, state.count))
        first = sum(jnp.sum(c) for c in jax.tree.leaves(state.activation_counts)) == 0
        resample = first | (jax.random.uniform(coin_key) < 0.1)
        leaves, treedef = jax.tree.flatten(state.factors)
        keys = jax.random.split(draw_key, max(len(leaves), 1))
        new = []
        for f, c, k in zip(leaves, jax.tree.leaves(new_counts), keys):
            normalised = c / (jnp.mean(c) + 1e-8)
            unit_nu = nu * (2.0 - jnp.clip(1.0 + 0.1 * (normalised - 1.0), 0.8, 1.2))
            drawn = 1.0 + jax.random.uniform(k, f.shape, f.dtype, -1.0, 1.0) * unit_nu
            new.append(jnp.where(resample, clamp(drawn), f).astype(f.dtype))
        return jax.tree.unflatten(treedef, new), new_counts

    def update_fn(updates, state, params=None, *, activations=None, **extra_args):
        del params, extra_args
        factors, counts = state.factors, state.activation_counts
        if dynamic and dist == Distribution.TEMPORAL:
            factors = temporal(state)
        if dynamic and dist == Distribution.ACTIVITY and activations is not None:
            factors, counts = activity(state, activations)
        updates = jax.tree.map(lambda u, f: u * f.astype(u.dtype), updates, factors)
        return updates, FuzzyLRState(factors, state.count + 1, state.key, counts)

    return apply_mask(optax.GradientTransformationExtraArgs(init_fn, update_fn), mask)
