"""Training with non-trainable model state (e.g. a dendritic layer's ``"connectivity"`` collection).

The same shuffled ``lax.scan`` epoch as :func:`biojax.train.make_epoch_fn`, built on the same
:func:`biojax.train.make_train_step`, but the model also reads a pytree of non-trainable state, and an
optional ``post_step`` hook may rewrite parameters, optimiser state and model state after every step
(structural plasticity such as synaptic resampling). Everything stays a pure function of arrays, so an
epoch can be wrapped in ``jax.jit(jax.vmap(...))`` over trials.
"""

from collections.abc import Callable
from typing import Any

import jax
import optax

from biojax._validation import check_int
from biojax.train.classification import LossFn, make_train_step, softmax_cross_entropy

StatefulApplyFn = Callable[[Any, Any, jax.Array], jax.Array]
PostStepFn = Callable[[Any, Any, Any, jax.Array, jax.Array], tuple[Any, Any, Any]]


def make_stateful_epoch_fn(
    apply_fn: StatefulApplyFn,
    optimizer: optax.GradientTransformation,
    batch_size: int,
    loss_fn: LossFn = softmax_cross_entropy,
    post_step: PostStepFn | None = None,
) -> Callable[..., tuple[Any, Any, Any, jax.Array]]:
    """Builds ``epoch(params, opt_state, state, x, y, key, step) -> (params, opt_state, state, mean_loss)``.

    Args:
        apply_fn: ``apply_fn(params, state, x) -> logits``, e.g.
            ``lambda p, s, x: model.apply({"params": p, **s}, x)``.
        optimizer: any Optax transformation.
        batch_size: static mini-batch size; the last incomplete batch is dropped.
        loss_fn: ``loss_fn(logits, y) -> scalar``.
        post_step: optional ``post_step(params, opt_state, state, step, key) -> (params, opt_state,
            state)`` run after every optimiser step; ``step`` is the global step count after the update
            (an int32 array, starting at the ``step`` given to the epoch) and ``key`` a fresh key.

    Returns:
        The epoch function; ``step`` (int32 array) is the number of steps taken before this epoch.

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp, optax
        >>> model = nn.Dense(2)
        >>> params = model.init(jax.random.key(0), jnp.ones((1, 3)))["params"]
        >>> opt = optax.adam(1e-2)
        >>> epoch = jax.jit(make_stateful_epoch_fn(lambda p, s, x: model.apply({"params": p}, x), opt, 8))
        >>> x, y = jnp.ones((32, 3)), jnp.zeros(32, int)
        >>> params, opt_state, state, loss = epoch(params, opt.init(params), {}, x, y, jax.random.key(1), 0)
        >>> bool(loss > 0)
        True
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)

    def epoch(
        params: Any, opt_state: Any, state: Any, x: jax.Array, y: jax.Array, key: jax.Array, step: Any
    ) -> tuple[Any, Any, Any, jax.Array]:
        n_batches = x.shape[0] // batch_size
        if n_batches == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the {x.shape[0]} training rows")
        order_key, hook_key = jax.random.split(key)
        order = jax.random.permutation(order_key, x.shape[0])[: n_batches * batch_size]
        hook_keys = jax.random.split(hook_key, n_batches)

        def body(carry, inputs):
            p, s, model_state, t = carry
            idx, k = inputs
            train_step = make_train_step(lambda q, xb: apply_fn(q, model_state, xb), optimizer, loss_fn)
            p, s, loss = train_step(p, s, x[idx], y[idx])
            t = t + 1
            if post_step is not None:
                p, s, model_state = post_step(p, s, model_state, t, k)
            return (p, s, model_state, t), loss

        start = jax.numpy.asarray(step, dtype=jax.numpy.int32)
        (params, opt_state, state, _), losses = jax.lax.scan(
            body, (params, opt_state, state, start), (order.reshape(n_batches, batch_size), hook_keys)
        )
        return params, opt_state, state, losses.mean()

    return epoch
