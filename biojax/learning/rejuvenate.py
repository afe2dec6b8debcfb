"""Rejuvenation (spontaneous spine remodeling): small weights are randomly re-drawn.

The paper's formula (BioLearn ``purge``, pytorch_bio_transformations 0.0.4 ``rejuvenate_weights``): with
``m = max|w|`` over the leaf, a weight is replaced with probability ``erfc(|w| / (sqrt(2) * m / dre))``
(a fresh ``|N(0, m/dre)|`` threshold exceeds ``|w|``), and the new value is drawn from ``U(-m, m)``. For
uniformly distributed weights about ``sqrt(2/pi)/dre`` of them are replaced per call.

Differences from the anchor: the replacement is emitted as an update (``new - w`` at replaced weights,
which overrides the optimizer's update there), so it composes with any chain; the anchor writes the weights
in place between ``backward()`` and ``step()``, so the step's gradient is then added to the new value.
The anchor's 0.0.5 formula (log-normal re-draws that collapse to about +0 and clamp all weights to
[-1, 1]) is not ported.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from biojax._validation import check_int
from biojax.learning import _noise
from biojax.learning._checks import check_hyperparameter
from biojax.learning.selection import apply_mask


class RejuvenateState(NamedTuple):
    """State of :func:`rejuvenate`.

    Attributes:
        key: PRNG key; each step folds in ``count``.
        count: number of updates so far.
        replaced: per leaf, how many weights the last update replaced (``int32``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> state = rejuvenate(key=jax.random.key(0), mask=None).init({"w": jnp.ones(2)})
        >>> int(state.replaced["w"])
        0
    """

    key: jax.Array
    count: jax.Array
    replaced: Any


def rejuvenation_mask(key: jax.Array, w: jax.Array, dre: Any) -> tuple[jax.Array, jax.Array]:
    """Which weights to replace and their new values, for one leaf.

    A weight is replaced when a uniform draw falls below ``erfc(|w| / (sqrt(2) * max|w| / dre))``, which
    has the same law as the anchor's fresh ``|N(0, max|w|/dre)| > |w|`` test; the draws come from the fast
    counter-hash stream of ``biojax/learning/_noise.py``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> w = jax.random.uniform(jax.random.key(1), (200, 200), minval=-1.0, maxval=1.0)
        >>> hit, new = rejuvenation_mask(jax.random.key(0), w, 8.0)
        >>> round(float(hit.mean()), 2)
        0.1
    """
    k_hit, k_new = jax.random.split(key)
    max_w = jnp.maximum(jnp.max(w), -jnp.min(w))
    probability = _noise.erfc_nonnegative(jnp.abs(w) / (jnp.sqrt(2.0) * (max_w / dre + 1e-13)))
    hit = _noise.uniform(k_hit, w.shape, jnp.float32) < probability
    new = _noise.uniform(k_new, w.shape, w.dtype, -1.0, 1.0) * max_w
    return hit, new


def rejuvenate(
    dre: Any = 8.0, every: Any = 1, *, key: jax.Array, mask: Any = "kernels"
) -> optax.GradientTransformationExtraArgs:
    """Replaces small weights by uniform draws, every ``every`` updates.

    Args:
        dre: rejuvenation parameter (> 0, traced); larger means fewer replacements.
        every: act on updates ``every, 2*every, ...`` (integer >= 1, traced).
        key: PRNG key.
        mask: which leaves to act on: ``"kernels"`` (weight kernels), ``None`` (all), a mask tree or function.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> params = {"kernel": jax.random.uniform(jax.random.key(1), (100, 100), minval=-1, maxval=1)}
        >>> opt = optax.chain(optax.sgd(0.0), rejuvenate(dre=8.0, key=jax.random.key(0)))
        >>> updates, state = opt.update(params, opt.init(params), params)
        >>> int(state[1].inner_state.replaced["kernel"]) == int((updates["kernel"] != 0).sum())
        True
    """
    check_hyperparameter("dre", dre, minimum=0.0, min_inclusive=False)
    if not isinstance(every, jax.Array):
        check_int("every", every, minimum=1)

    def init_fn(params):
        return RejuvenateState(
            key=key,
            count=jnp.zeros([], jnp.int32),
            replaced=jax.tree.map(lambda _: jnp.zeros([], jnp.int32), params),
        )

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        if params is None:
            raise ValueError("rejuvenate needs params: call update(updates, state, params)")
        active = (state.count + 1) % every == 0
        leaves, treedef = jax.tree.flatten(updates)
        keys = list(jax.random.split(jax.random.fold_in(state.key, state.count), max(len(leaves), 1)))
        new_updates, replaced = [], []
        for u, w, k in zip(leaves, jax.tree.leaves(params), keys):
            hit, new = rejuvenation_mask(k, w, dre)
            hit = hit & active
            new_updates.append(jnp.where(hit, (new - w).astype(u.dtype), u))
            replaced.append(jnp.sum(hit, dtype=jnp.int32))
        return jax.tree.unflatten(treedef, new_updates), RejuvenateState(
            state.key, state.count + 1, jax.tree.unflatten(treedef, replaced)
        )

    return apply_mask(optax.GradientTransformationExtraArgs(init_fn, update_fn), mask)
