"""Synaptic resampling of dendritic layers as a post-step hook of the epoch loop (structural plasticity).

The rewiring itself (:func:`biojax.learning.maybe_resample` and friends) is a pure function of params,
connectivity and optimizer state in :mod:`biojax.learning`; :func:`resampling_post_step` runs it after
every optimizer step of :func:`biojax.train.make_epoch_fn`.
"""

from __future__ import annotations

from typing import Any

import jax

from biojax._validation import check_choice
from biojax.learning import maybe_resample
from biojax.learning.synaptic_resampling import NEW_WEIGHTS
from biojax.train.epoch import PostStep
from biojax.train.state import TrainState


def resampling_post_step(
    fraction: jax.Array | float,
    steps_to_resample: jax.Array | int,
    *,
    new_weights: str = "he_input",
    reset_optimizer_state: bool = True,
    axis_name: str | None = None,
) -> PostStep:
    """A ``post_step`` that resamples the dendritic synapses every ``steps_to_resample`` steps.

    It rewires ``state.model_state["connectivity"]`` with :func:`biojax.learning.maybe_resample`
    (``fraction`` and ``steps_to_resample`` may be traced; ``fraction=0`` changes nothing and costs
    nothing). Under ``jax.vmap(..., axis_name=axis_name)`` over trials, pass the axis name: the rewiring
    then runs only at steps where some trial of the axis is due, not at every step.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.nn import dendritic_simple
        >>> from biojax.train import TrainState, make_epoch_fn
        >>> model = dendritic_simple(2, n_neurons=2, n_dendrites=2, n_dendrite_inputs=3)
        >>> opt = optax.adam(1e-2)
        >>> state = TrainState.from_variables(model.init(jax.random.key(0), jnp.ones((1, 8))), opt,
        ...                                   key=jax.random.key(1))
        >>> epoch = jax.jit(make_epoch_fn(model.apply, opt, 4, post_step=resampling_post_step(0.5, 2)))
        >>> new, _ = epoch(state, jnp.ones((16, 8)), jnp.zeros(16, int))
        >>> int(new.step), bool((new.model_state["connectivity"]["dendritic"]["indices"]
        ...                      != state.model_state["connectivity"]["dendritic"]["indices"]).any())
        (4, True)
    """
    check_choice("new_weights", new_weights, NEW_WEIGHTS)

    def post_step(state: TrainState, key: jax.Array) -> TrainState:
        model_state: Any = state.model_state
        if "connectivity" not in model_state:
            raise ValueError(
                "resampling_post_step needs the model's 'connectivity' collection in state.model_state "
                f"(a model with a biojax.nn.DendriticLayer); got collections {sorted(model_state)}"
            )
        params, connectivity, opt_state = maybe_resample(
            state.params, model_state["connectivity"], state.opt_state, step=state.step,
            steps_to_resample=steps_to_resample, key=key, fraction=fraction, new_weights=new_weights,
            reset_optimizer_state=reset_optimizer_state, axis_name=axis_name,
        )
        return state._replace(params=params, opt_state=opt_state,
                              model_state={**model_state, "connectivity": connectivity})

    return post_step
