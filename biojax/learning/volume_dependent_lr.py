"""Volume-dependent plasticity: large ("voluminous", stable) weights learn more slowly, with noise.

The ``volume_dependent_lr`` method of pytorch_bio_transformations as an Optax transformation: every
update is multiplied by ``|N(mu, lr_variability * mu)|`` with
``mu = base_lr * exp(-stability_factor * |w| / (|w| + 1))``, drawn fresh per weight and step (from a fast counter-hash stream seeded by the key, see
``biojax/learning/_noise.py``). With the
defaults this is about a 10x cut of the update plus noise, as in the anchor. Unlike the anchor (raw
gradients), the factor multiplies the optimizer's update wherever the transformation sits in a chain.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from biojax.learning import _noise
from biojax.learning._checks import check_hyperparameter
from biojax.learning.selection import apply_mask


class VolumeLRState(NamedTuple):
    """State of :func:`volume_dependent_lr`: the PRNG ``key`` and the update ``count``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> state = volume_dependent_lr(key=jax.random.key(0), mask=None).init({"w": jnp.ones(2)})
        >>> int(state.count)
        0
    """

    key: jax.Array
    count: jax.Array


def volume_factor(key: jax.Array, w: jax.Array, base_lr: Any, stability_factor: Any, lr_variability: Any):
    """The per-weight factor ``|N(mu(w), lr_variability * mu(w))|``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> f = volume_factor(jax.random.key(0), jnp.zeros(10000), 0.1, 2.0, 0.2)
        >>> round(float(f.mean()), 2)
        0.1
    """
    volume = jnp.abs(w) / (jnp.abs(w) + 1.0)
    mu = base_lr * jnp.exp(-stability_factor * volume)
    return jnp.abs(mu + lr_variability * mu * _noise.normal(key, w.shape, w.dtype))


def volume_dependent_lr(
    base_lr: Any = 0.1,
    stability_factor: Any = 2.0,
    lr_variability: Any = 0.2,
    *,
    key: jax.Array,
    mask: Any = "kernels",
) -> optax.GradientTransformationExtraArgs:
    """Multiplies updates by a noisy factor that shrinks with the weight's magnitude.

    Args:
        base_lr: factor for a zero weight, in (0, 1) (traced).
        stability_factor: how fast the factor falls with ``|w|`` (> 0, traced).
        lr_variability: relative standard deviation of the noise (> 0, traced).
        key: PRNG key; each step folds in the step count.
        mask: which leaves to act on: ``"kernels"`` (weight kernels), ``None`` (all), a mask tree or function.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> params = {"kernel": jnp.full((100, 100), 3.0)}
        >>> opt = volume_dependent_lr(key=jax.random.key(0))
        >>> updates, _ = opt.update(params, opt.init(params), params)
        >>> bool(updates["kernel"].mean() < 0.3 * 0.1 * 3.0)
        True
    """
    check_hyperparameter("base_lr", base_lr, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    check_hyperparameter("stability_factor", stability_factor, minimum=0.0, min_inclusive=False)
    check_hyperparameter("lr_variability", lr_variability, minimum=0.0, min_inclusive=False)

    def init_fn(params):
        del params
        return VolumeLRState(key=key, count=jnp.zeros([], jnp.int32))

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        if params is None:
            raise ValueError("volume_dependent_lr needs params: call update(updates, state, params)")
        leaves, treedef = jax.tree.flatten(updates)
        keys = jax.random.split(jax.random.fold_in(state.key, state.count), max(len(leaves), 1))
        factors = [
            volume_factor(k, w, base_lr, stability_factor, lr_variability)
            for k, w in zip(keys, jax.tree.leaves(params))
        ]
        new = [u * f.astype(u.dtype) for u, f in zip(leaves, factors)]
        return jax.tree.unflatten(treedef, new), VolumeLRState(state.key, state.count + 1)

    return apply_mask(optax.GradientTransformationExtraArgs(init_fn, update_fn), mask)
