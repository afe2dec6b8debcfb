"""``TrainState``: everything a training loop carries from one step to the next, as one pytree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class TrainState(NamedTuple):
    """Params, optimizer state, non-trainable model state, step count and the loop's key.

    Being a ``NamedTuple`` it is a pytree, so it passes through ``jax.jit``, ``jax.vmap`` (one state per
    trial) and ``jax.lax.scan`` unchanged.

    Attributes:
        params: the trainable ``"params"`` collection.
        opt_state: the optimizer's state for ``params``.
        model_state: the model's other variable collections (e.g. a dendritic layer's
            ``"connectivity"``), passed to the model with the params; ``{}`` when there are none.
        step: int32 count of optimizer steps taken so far.
        key: the loop's base key. It does not change: each epoch of :func:`~biojax.train.make_epoch_fn`
            derives its own key from it and the epoch number (``step // batches per epoch``), so a run
            restarted from a saved state continues with the same shuffles.

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp, optax
        >>> variables = nn.Dense(2).init(jax.random.key(0), jnp.ones((1, 3)))
        >>> state = TrainState.from_variables(variables, optax.sgd(0.1), key=jax.random.key(1))
        >>> int(state.step), sorted(state.variables)
        (0, ['params'])
    """

    params: Any
    opt_state: Any
    model_state: Any
    step: jax.Array
    key: jax.Array

    @classmethod
    def create(
        cls, params: Any, optimizer: optax.GradientTransformation, *, key: jax.Array, model_state: Any = None,
        step: int | jax.Array = 0,
    ) -> TrainState:
        """A state at ``step`` with ``optimizer.init(params)``.

        Example:
            >>> import jax, jax.numpy as jnp, optax
            >>> state = TrainState.create({"w": jnp.zeros(2)}, optax.adam(1e-3), key=jax.random.key(0))
            >>> state.model_state
            {}
        """
        return cls(params, optimizer.init(params), {} if model_state is None else model_state,
                   jnp.asarray(step, jnp.int32), key)

    @classmethod
    def from_variables(
        cls, variables: Mapping[str, Any], optimizer: optax.GradientTransformation, *, key: jax.Array,
        step: int | jax.Array = 0,
    ) -> TrainState:
        """A state from a Flax ``model.init(...)`` result: ``"params"`` are trained, the rest is model state.

        Example:
            >>> import jax, jax.numpy as jnp, optax
            >>> from biojax.nn import dendritic_simple
            >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
            >>> variables = model.init(jax.random.key(0), jnp.ones((1, 8)))
            >>> sorted(TrainState.from_variables(variables, optax.sgd(0.1), key=jax.random.key(1)).model_state)
            ['connectivity']
        """
        if "params" not in variables:
            raise ValueError(f"variables must hold a 'params' collection, got {sorted(variables)}")
        model_state = {name: value for name, value in variables.items() if name != "params"}
        return cls.create(variables["params"], optimizer, key=key, model_state=model_state, step=step)

    @property
    def variables(self) -> dict[str, Any]:
        """``{"params": params, **model_state}``, what ``model.apply`` takes."""
        return {"params": self.params, **self.model_state}
