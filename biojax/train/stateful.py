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
from biojax.train.classification import LossFn, accuracy, make_train_step, softmax_cross_entropy

StatefulApplyFn = Callable[[Any, Any, jax.Array], jax.Array]
PostStepFn = Callable[[Any, Any, Any, jax.Array, jax.Array], tuple[Any, Any, Any]]


def make_stateful_epoch_fn(
    apply_fn: StatefulApplyFn,
    optimizer: optax.GradientTransformation,
    batch_size: int,
    loss_fn: LossFn = softmax_cross_entropy,
    post_step: PostStepFn | None = None,
    *,
    track_accuracy: bool = False,
) -> Callable[..., tuple]:
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
        track_accuracy: also return the running training accuracy, ``(..., mean_loss,
            mean_accuracy)``: the fraction of the epoch's rows whose arg-max logit (from each step's
            forward pass, before its update) equals the label, as a PyTorch training loop counts it.

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
        >>> tracked = jax.jit(make_stateful_epoch_fn(lambda p, s, x: model.apply({"params": p}, x), opt, 8,
        ...                                          track_accuracy=True))
        >>> float(tracked(params, opt_state, state, x, y, jax.random.key(1), 4)[-1])
        1.0
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)

    def epoch(
        params: Any, opt_state: Any, state: Any, x: jax.Array, y: jax.Array, key: jax.Array, step: Any
    ) -> tuple:
        n_batches = x.shape[0] // batch_size
        if n_batches == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the {x.shape[0]} training rows")
        order_key, hook_key = jax.random.split(key)
        order = jax.random.permutation(order_key, x.shape[0])[: n_batches * batch_size]
        hook_keys = jax.random.split(hook_key, n_batches)

        def body(carry, inputs):
            p, s, model_state, t = carry
            idx, k = inputs
            train_step = make_train_step(lambda q, xb: apply_fn(q, model_state, xb), optimizer, loss_fn,
                                         return_logits=True)
            xb, yb = x[idx], y[idx]
            p, s, loss, logits = train_step(p, s, xb, yb)
            t = t + 1
            if post_step is not None:
                p, s, model_state = post_step(p, s, model_state, t, k)
            return (p, s, model_state, t), (loss, accuracy(logits, yb)) if track_accuracy else (loss,)

        start = jax.numpy.asarray(step, dtype=jax.numpy.int32)
        (params, opt_state, state, _), per_step = jax.lax.scan(
            body, (params, opt_state, state, start), (order.reshape(n_batches, batch_size), hook_keys)
        )
        return (params, opt_state, state, *(values.mean() for values in per_step))

    return epoch
