"""Choosing, epoch by epoch inside a compiled bucket, the variables of each trial's best epoch so far."""

from typing import Any

import jax
import jax.numpy as jnp


def keep_better(best: tuple[Any, jax.Array, jax.Array], variables: Any, accuracy: jax.Array,
                loss: jax.Array) -> tuple[Any, jax.Array, jax.Array]:
    """Per trial (leading axis), the variables of the better epoch and its validation accuracy and loss.

    Better means higher validation accuracy, then lower validation loss, then earlier: the order
    :func:`~biojax.search.result.result_from_metrics` picks a trial's best epoch in. Start from accuracy
    ``-inf`` and loss ``inf`` so that the first epoch is kept.

    Args:
        best: ``(variables, accuracy, loss)`` kept so far.
        variables: this epoch's variables, every leaf with a leading trial axis.
        accuracy, loss: this epoch's validation accuracy and loss, shape ``(n_trials,)``.

    Example:
        >>> import jax.numpy as jnp
        >>> kept = ({"w": jnp.zeros((2, 3))}, jnp.array([0.5, 0.5]), jnp.array([1.0, 1.0]))
        >>> new, accuracy, loss = keep_better(kept, {"w": jnp.ones((2, 3))}, jnp.array([0.6, 0.5]),
        ...                                   jnp.array([2.0, 2.0]))
        >>> new["w"][:, 0].tolist(), accuracy.tolist()
        ([1.0, 0.0], [0.6000000238418579, 0.5])
    """
    kept, best_accuracy, best_loss = best
    better = (accuracy > best_accuracy) | ((accuracy == best_accuracy) & (loss < best_loss))

    def pick(new: jax.Array, old: jax.Array) -> jax.Array:
        return jnp.where(better.reshape(better.shape + (1,) * (new.ndim - 1)), new, old)

    return (jax.tree.map(pick, variables, kept), jnp.where(better, accuracy, best_accuracy),
            jnp.where(better, loss, best_loss))
