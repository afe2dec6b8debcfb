"""Crystallization: weights whose gradient is tiny relative to the weight (or huge) learn more slowly.

The ``crystallize`` method of pytorch_bio_transformations as an Optax transformation. Each selected
weight has a stored factor (initially 1). On every update, where ``|g| / |w| < threshold`` or
``|g| > mean(|w|)`` (mean over the leaf), the factor is multiplied by ``dampening``; then the factor
multiplies the update. Factors only ever decrease, as in the anchor.

Differences from the anchor: the anchor dampens the shared fuzzy-LR parameters, so the effect shows on the
next call of ``fuzzy_learning_rates()``; here crystallization keeps its own factors (chain it after
:func:`~biojax.learning.fuzzy_learning_rates` for the anchor's product) and the new factor applies to the
same step. The criterion uses ``g`` from ``update(..., grads=raw_gradients)`` when given (what
:func:`~biojax.learning.bio_optimizer` passes, matching the anchor's raw gradients and thresholds);
otherwise it uses the incoming updates.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from biojax.learning._checks import check_hyperparameter
from biojax.learning.selection import apply_mask


class CrystallizeState(NamedTuple):
    """State of :func:`crystallize`: ``factors`` (per weight, 1 = not crystallized).

    Example:
        >>> import jax.numpy as jnp
        >>> crystallize(mask=None).init({"w": jnp.ones(2)}).factors["w"].tolist()
        [1.0, 1.0]
    """

    factors: Any


def crystallize(
    threshold: Any = 4.5e-5, dampening: Any = 0.6, *, mask: Any = "kernels"
) -> optax.GradientTransformationExtraArgs:
    """Dampens the learning of weights with ``|g|/|w| < threshold`` or ``|g| > mean|w|``.

    Args:
        threshold: relative-gradient threshold (> 0, traced).
        dampening: factor in (0, 1) applied to a selected weight's stored factor (traced).
        mask: which leaves to act on: ``"kernels"`` (weight kernels), ``None`` (all), a mask tree or function.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> params = {"kernel": jnp.array([[1.0, 1.0]])}
        >>> opt = crystallize(threshold=1e-3, dampening=0.5)
        >>> grads = {"kernel": jnp.array([[1e-4, 0.1]])}
        >>> updates, state = opt.update(grads, opt.init(params), params)
        >>> state.inner_state.factors["kernel"].tolist()
        [[0.5, 1.0]]
    """
    check_hyperparameter("threshold", threshold, minimum=0.0, min_inclusive=False)
    check_hyperparameter(
        "dampening", dampening, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False
    )

    def init_fn(params):
        return CrystallizeState(factors=jax.tree.map(jnp.ones_like, params))

    def update_fn(updates, state, params=None, *, grads=None, **extra_args):
        del extra_args
        if params is None:
            raise ValueError("crystallize needs params: call update(updates, state, params)")
        signal = updates if grads is None else grads

        def step(f, g, w):
            # max(w, -w) rather than abs(w): XLA then fuses it into the reduction instead of writing
            # a |w| array that both the mean and the elementwise test read.
            mean_magnitude = jnp.mean(jnp.maximum(w, -w))
            g, w = jnp.abs(g), jnp.abs(w)
            with jax.numpy_dtype_promotion("standard"):
                ratio = g / w
            hit = (ratio < threshold) | (g > mean_magnitude)
            return jnp.where(hit, f * dampening, f).astype(f.dtype)

        factors = jax.tree.map(step, state.factors, signal, params)
        updates = jax.tree.map(lambda u, f: u * f.astype(u.dtype), updates, factors)
        return updates, CrystallizeState(factors)

    return apply_mask(optax.GradientTransformationExtraArgs(init_fn, update_fn), mask)
