"""Training epochs with synaptic resampling of dendritic layers (structural plasticity).

The rewiring itself (:func:`biojax.learning.maybe_resample` and friends) is a pure function of params,
connectivity and optimizer state in :mod:`biojax.learning`; this module runs it after every optimizer
step of a shuffled mini-batch epoch.
"""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

from biojax._validation import check_choice, check_int
from biojax.learning import maybe_resample
from biojax.learning.synaptic_resampling import NEW_WEIGHTS
from biojax.train.classification import make_train_step, softmax_cross_entropy


def make_resampling_epoch_fn(
    apply_fn: Callable[..., jax.Array],
    optimizer: optax.GradientTransformation,
    batch_size: int,
    *,
    new_weights: str = "he_input",
    reset_optimizer_state: bool = True,
    loss_fn: Callable[[jax.Array, jax.Array], jax.Array] = softmax_cross_entropy,
) -> Callable[..., tuple[Any, Any, Any, jax.Array, jax.Array]]:
    """Builds ``epoch(params, connectivity, opt_state, x, y, key, step, fraction,
    steps_to_resample) -> (params, connectivity, opt_state, step, mean_loss)``.

    A ``lax.scan`` over shuffled mini-batches (last incomplete batch dropped) using the shared
    :func:`biojax.train.classification.make_train_step`, followed after each step by
    :func:`maybe_resample`. ``apply_fn`` is ``model.apply``; ``step`` counts optimizer steps
    across epochs. ``fraction=0`` trains without resampling in the same compiled program.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(2, n_neurons=2, n_dendrites=2, n_dendrite_inputs=3)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 8)))
        >>> opt = optax.adam(1e-2)
        >>> epoch = jax.jit(make_resampling_epoch_fn(model.apply, opt, 4))
        >>> out = epoch(v["params"], v["connectivity"], opt.init(v["params"]), jnp.ones((16, 8)),
        ...             jnp.zeros(16, int), jax.random.key(1), 0, 0.5, 2)
        >>> int(out[3])
        4
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)
    check_choice("new_weights", new_weights, NEW_WEIGHTS)

    def epoch(params, connectivity, opt_state, x, y, key, step, fraction, steps_to_resample):
        n_batches = x.shape[0] // batch_size
        if n_batches == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the {x.shape[0]} training rows")
        key_order, key_resample = jax.random.split(key)
        order = jax.random.permutation(key_order, x.shape[0])[: n_batches * batch_size]

        def body(carry, idx):
            p, c, s, t = carry
            step_fn = make_train_step(
                lambda q, xb: apply_fn({"params": q, "connectivity": c}, xb), optimizer, loss_fn)
            p, s, loss = step_fn(p, s, x[idx], y[idx])
            t = t + 1
            p, c, s = maybe_resample(p, c, s, step=t, steps_to_resample=steps_to_resample,
                                     key=jax.random.fold_in(key_resample, t), fraction=fraction,
                                     new_weights=new_weights,
                                     reset_optimizer_state=reset_optimizer_state)
            return (p, c, s, t), loss

        carry = (params, connectivity, opt_state, jnp.asarray(step, jnp.int32))
        (params, connectivity, opt_state, step), losses = jax.lax.scan(
            body, carry, order.reshape(n_batches, batch_size))
        return params, connectivity, opt_state, step, losses.mean()

    return epoch
