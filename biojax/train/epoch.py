"""The one epoch loop: shuffled mini-batches under ``jax.lax.scan``, an optional hook after every step.

Examples, the search engine and dendritic resampling all train through :func:`make_epoch_fn`, so a
behaviour fixed here is fixed everywhere. An epoch is a pure function of a :class:`TrainState` and the
data, so it can be wrapped in ``jax.jit`` and ``jax.vmap`` (one state per trial).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import optax

from biojax._validation import check_int
from biojax.train.classification import LossFn, accuracy, make_train_step, softmax_cross_entropy
from biojax.train.state import TrainState

ApplyFn = Callable[[Any, jax.Array], jax.Array]
PostStep = Callable[[TrainState, jax.Array], TrainState]


def make_epoch_fn(
    apply_fn: ApplyFn,
    optimizer: optax.GradientTransformation,
    batch_size: int,
    loss_fn: LossFn = softmax_cross_entropy,
    *,
    post_step: PostStep | None = None,
    track_accuracy: bool = False,
) -> Callable[[TrainState, jax.Array, jax.Array], tuple[TrainState, dict[str, jax.Array]]]:
    """Builds ``epoch(state, x, y) -> (state, metrics)``.

    The epoch shuffles the rows, drops the last incomplete batch (so every step has the same shape) and
    takes one optimizer step per batch. Its randomness comes from ``fold_in(state.key, epoch)``, where
    ``epoch = state.step // batches_per_epoch``: with a post-step hook that key is split into the
    shuffle key and the hook's key, and the hook gets ``fold_in(hook_key, state.step)`` after each step.

    Args:
        apply_fn: ``apply_fn(variables, x) -> logits`` with ``variables = {"params": ..., **model_state}``;
            usually ``model.apply``.
        optimizer: any Optax transformation (biojax's bio rules included).
        batch_size: static mini-batch size.
        loss_fn: ``loss_fn(logits, y) -> scalar``.
        post_step: optional ``post_step(state, key) -> state`` run after every optimizer step, with
            ``state.step`` already counting that step (structural plasticity such as synaptic resampling,
            see :func:`biojax.train.resampling_post_step`).
        track_accuracy: also report the running training accuracy: the fraction of the epoch's rows whose
            arg-max logit (from each step's forward pass, before its update) equals the label.

    Returns:
        The epoch function; ``metrics`` holds the mean ``"loss"`` over the epoch's steps (and
        ``"accuracy"`` with ``track_accuracy``).

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp, optax
        >>> model, opt = nn.Dense(2), optax.adam(1e-2)
        >>> state = TrainState.from_variables(model.init(jax.random.key(0), jnp.ones((1, 3))), opt,
        ...                                   key=jax.random.key(1))
        >>> epoch = jax.jit(make_epoch_fn(model.apply, opt, 8, track_accuracy=True))
        >>> x, y = jnp.ones((32, 3)), jnp.zeros(32, int)
        >>> state, metrics = epoch(state, x, y)
        >>> int(state.step), sorted(metrics)
        (4, ['accuracy', 'loss'])
    """
    batch_size = check_int("batch_size", batch_size, minimum=1)

    def epoch(state: TrainState, x: jax.Array, y: jax.Array) -> tuple[TrainState, dict[str, jax.Array]]:
        n_batches = x.shape[0] // batch_size
        if n_batches == 0:
            raise ValueError(f"batch_size={batch_size} is larger than the {x.shape[0]} training rows")
        epoch_key = jax.random.fold_in(state.key, state.step // n_batches)
        order_key, hook_key = (epoch_key, None) if post_step is None else jax.random.split(epoch_key)
        order = jax.random.permutation(order_key, x.shape[0])[: n_batches * batch_size]

        def body(s: TrainState, idx: jax.Array) -> tuple[TrainState, dict[str, jax.Array]]:
            train_step = make_train_step(lambda p, xb: apply_fn({"params": p, **s.model_state}, xb), optimizer,
                                         loss_fn, return_logits=True)
            xb, yb = x[idx], y[idx]
            params, opt_state, loss, logits = train_step(s.params, s.opt_state, xb, yb)
            s = s._replace(params=params, opt_state=opt_state, step=s.step + 1)
            if post_step is not None:
                s = post_step(s, jax.random.fold_in(hook_key, s.step))
            return s, ({"loss": loss, "accuracy": accuracy(logits, yb)} if track_accuracy else {"loss": loss})

        state = state._replace(step=jax.numpy.asarray(state.step, jax.numpy.int32))
        state, per_step = jax.lax.scan(body, state, order.reshape(n_batches, batch_size))
        return state, {name: values.mean() for name, values in per_step.items()}

    return epoch
