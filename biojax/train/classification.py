"""Losses, accuracy, one training step and evaluation for classifiers.

Everything here is a pure function of arrays, so it can be wrapped in ``jax.jit`` and
``jax.vmap`` (for example over a batch of trials with different learning rates). The epoch loop built on
:func:`make_train_step` is :func:`biojax.train.make_epoch_fn`.
"""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

ApplyFn = Callable[[Any, jax.Array], jax.Array]
LossFn = Callable[[jax.Array, jax.Array], jax.Array]


def softmax_cross_entropy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Mean softmax cross-entropy between logits and integer labels.

    Args:
        logits: ``(batch, classes)`` unnormalised scores.
        labels: ``(batch,)`` integer class ids.

    Returns:
        A scalar.

    Example:
        >>> import jax.numpy as jnp
        >>> float(softmax_cross_entropy(jnp.zeros((2, 4)), jnp.array([0, 3])))
        1.386...
    """
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def accuracy(logits: jax.Array, labels: jax.Array) -> jax.Array:
    """Fraction of rows whose arg-max equals the label.

    Example:
        >>> import jax.numpy as jnp
        >>> float(accuracy(jnp.array([[0.0, 1.0], [1.0, 0.0]]), jnp.array([1, 1])))
        0.5
    """
    return jnp.mean(jnp.argmax(logits, axis=-1) == labels)


def make_train_step(
    apply_fn: ApplyFn,
    optimizer: optax.GradientTransformation,
    loss_fn: LossFn = softmax_cross_entropy,
    *,
    return_logits: bool = False,
) -> Callable[..., tuple]:
    """Builds ``step(params, opt_state, x, y) -> (params, opt_state, loss)``.

    Args:
        apply_fn: ``apply_fn(params, x) -> logits``, e.g. ``lambda p, x: model.apply({"params": p}, x)``.
        optimizer: any Optax transformation (biojax's bio rules included).
        loss_fn: ``loss_fn(logits, y) -> scalar``.
        return_logits: also return the logits of the forward pass (computed with the parameters
            before the update), ``(params, opt_state, loss, logits)``, e.g. for a running accuracy.

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp, optax
        >>> model = nn.Dense(3)
        >>> params = model.init(jax.random.key(0), jnp.ones((1, 5)))["params"]
        >>> opt = optax.sgd(0.1)
        >>> step = jax.jit(make_train_step(lambda p, x: model.apply({"params": p}, x), opt))
        >>> params, state, loss = step(params, opt.init(params), jnp.ones((4, 5)), jnp.zeros(4, int))
        >>> loss.shape
        ()
    """

    def loss_and_logits(params: Any, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        logits = apply_fn(params, x)
        return loss_fn(logits, y), logits

    def step(params: Any, opt_state: Any, x: jax.Array, y: jax.Array) -> tuple:
        (loss, logits), grads = jax.value_and_grad(loss_and_logits, has_aux=True)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        return (new_params, opt_state, loss, logits) if return_logits else (new_params, opt_state, loss)

    return step


def evaluate(
    apply_fn: ApplyFn,
    params: Any,
    x: jax.Array,
    y: jax.Array,
    loss_fn: LossFn = softmax_cross_entropy,
) -> tuple[jax.Array, jax.Array]:
    """Loss and accuracy of ``apply_fn(params, x)`` against labels ``y``.

    Example:
        >>> import jax.numpy as jnp
        >>> loss, acc = evaluate(lambda p, x: x @ p, jnp.eye(2), jnp.eye(2), jnp.array([0, 1]))
        >>> float(acc)
        1.0
    """
    logits = apply_fn(params, x)
    return loss_fn(logits, y), accuracy(logits, y)
