"""Synapse importance from recorded activity (|pre| x |post| x |w|) or from gradients (|w * dL/dw|)."""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from biojax.wiring import SynapseWeights, Wiring, wiring_mask
from biojax.rewiring.synapse_layout import SynapseCell, flatten, get_path, split_flat, synapse_layout
from biojax.rewiring.synapse_values import layout_strength


class Activity(NamedTuple):
    """Recorded activity of a cell, rows are samples (any leading shape, e.g. batch and time).

    Attributes:
        inputs: ``(..., input_dim)`` sensory input of each step.
        states: ``(..., units)`` neuron states after each step, in neuron-id order.
        previous_states: ``(..., units)`` states before each step (the presynaptic activity of
            recurrent synapses); ``None`` uses ``states`` (co-activation in the same step).

    Example:
        >>> import numpy as np
        >>> Activity(inputs=np.ones((5, 3)), states=np.zeros((5, 8))).previous_states is None
        True
    """

    inputs: Any
    states: Any
    previous_states: Any = None


def record_activity(cell: Any, params: Any, xs: jax.Array) -> Activity:
    """Runs ``cell`` (an :class:`~biojax.nn.LTCCell` or :class:`~biojax.nn.WiredCfCCell`) over ``xs``
    ``(batch, time, input_dim)`` from a zero state and records its activity, states in neuron-id order.

    A wired CfC keeps its state in layer order; the states are put back in neuron-id order here (any
    cell with ``step_function``, ``state_size`` and ``state_neurons`` works). The bare cell is run (no
    mixed-memory LSTM or projection).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import LTCCell
        >>> cell = LTCCell(4)
        >>> params = cell.init(jax.random.key(0), jnp.ones((1, 2)), jnp.zeros((1, 4)))["params"]
        >>> activity = record_activity(cell, params, jnp.ones((3, 5, 2)))
        >>> activity.states.shape, activity.previous_states.shape
        ((3, 5, 4), (3, 5, 4))
    """
    if xs.ndim != 3:
        raise ValueError(f"xs must have shape (batch, time, input_dim), got {xs.shape}")
    cell = cell.clone(parent=None)
    step = cell.step_function(params, xs.shape[-1])

    def body(h: jax.Array, x: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
        _, new_h = step(x, h)
        return new_h, (h, new_h)

    h0 = jnp.zeros((xs.shape[0], cell.state_size(xs.shape[-1])))
    _, (before, after) = jax.lax.scan(body, h0, jnp.swapaxes(xs, 0, 1))
    in_neuron_order = np.argsort(cell.state_neurons(xs.shape[-1]))
    before, after = (jnp.swapaxes(a, 0, 1)[..., in_neuron_order] for a in (before, after))
    return Activity(xs, after, before)


def _coactivation(activity: Activity) -> SynapseWeights:
    inputs = jnp.abs(jnp.asarray(activity.inputs, jnp.float32))
    post = jnp.abs(jnp.asarray(activity.states, jnp.float32))
    pre = post if activity.previous_states is None else jnp.abs(jnp.asarray(activity.previous_states, jnp.float32))
    inputs, post, pre = (a.reshape(-1, a.shape[-1]) for a in (inputs, post, pre))
    rows = post.shape[0]
    return SynapseWeights(np.asarray(inputs.T @ post / rows), np.asarray(pre.T @ post / rows))


def _taylor(layout: Any, params: Any, grads: Any) -> SynapseWeights:
    input_dim, units = layout.shape.sensory
    total = np.zeros(input_dim * units + units * units)
    cell_params, cell_grads = layout.cell_params(params), layout.cell_params(grads)
    for slot in layout.slots:
        if slot.role == "reversal":
            continue
        w = np.asarray(get_path(cell_params, slot.path), np.float64)
        g = np.asarray(get_path(cell_grads, slot.path), np.float64)
        if slot.role == "softplus_weight":
            # Removing the synapse sets softplus(w) to 0: dL/dsoftplus(w) = dL/dw / sigmoid(w).
            score = np.abs(np.logaddexp(0.0, w) * g * np.exp(np.logaddexp(0.0, -w)))
        else:
            score = np.abs(w * g)
        index = slot.flat_index(input_dim, units)
        np.add.at(total, index[index >= 0], score[index >= 0])
    return split_flat(total, input_dim, units)


def synapse_importance(
    wiring: Wiring | SynapseCell,
    params: Any,
    *,
    grads: Any = None,
    activity: Activity | None = None,
    weighted: bool = True,
    intra_layer: str = "dense",
) -> SynapseWeights:
    """Importance of every synapse, shaped like the wiring's masks (0 where there is no synapse).

    Give exactly one of:

    - ``activity`` (e.g. from :func:`record_activity`): the mean over samples of
      ``|pre| * |post| * w``, with ``w`` the synapse's effective weight (see
      :mod:`biojax.rewiring.synapse_layout`); the presynaptic activity is the input for sensory synapses
      and ``previous_states`` for recurrent ones. With ``weighted=False`` the weight is left out and
      every position is scored, existing synapse or not (the Hebbian co-activation that
      :func:`~biojax.rewiring.adapt_wiring` can use to choose where to grow).
    - ``grads`` (a pytree like ``params``, e.g. ``jax.grad`` of the loss): the first-order estimate of
      the loss change when the synapse is removed, ``|w * dL/dw|`` summed over the parameters that
      hold it (for LTC, in terms of the effective weight ``softplus(w)``).

    Example:
        >>> import numpy as np
        >>> from biojax.wiring import FullyConnected
        >>> wiring = FullyConnected(2).build(1)
        >>> weights = SynapseWeights(np.array([[1.0, -2.0]]), np.array([[0.5, 0.0], [1.0, 1.0]]))
        >>> activity = Activity(inputs=np.array([[1.0], [3.0]]), states=np.array([[1.0, 0.0], [1.0, 2.0]]))
        >>> synapse_importance(wiring, weights, activity=activity).sensory.tolist()
        [[2.0, 6.0]]
    """
    if (grads is None) == (activity is None):
        raise ValueError("give exactly one of grads= (gradient importance) or activity= (activity importance)")
    layout = synapse_layout(wiring, params, intra_layer=intra_layer)
    built = layout.wiring
    input_dim, units = built.input_dim, built.units
    existing = flatten(wiring_mask(built))
    if grads is not None:
        return split_flat(flatten(_taylor(layout, params, grads)) * existing, input_dim, units)
    if not isinstance(activity, Activity):
        raise TypeError(f"activity must be a biojax.wiring.Activity, got {type(activity).__name__}")
    if np.shape(activity.inputs)[-1] != input_dim or np.shape(activity.states)[-1] != units:
        raise ValueError(
            f"activity must have inputs (..., {input_dim}) and states (..., {units}), got "
            f"{np.shape(activity.inputs)} and {np.shape(activity.states)}"
        )
    coactive = flatten(_coactivation(activity))
    if not weighted:
        return split_flat(coactive, input_dim, units)
    return split_flat(coactive * flatten(layout_strength(layout, params)), input_dim, units)
