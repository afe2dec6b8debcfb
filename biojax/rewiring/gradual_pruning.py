"""Gradual magnitude pruning as Optax transformations: masks in the state, pruned weights held at zero.

Both transformations must come last in an ``optax.chain`` (after the optimizer), because they edit the
final updates: every kept weight gets its update, every pruned weight gets ``-weight``, so after
``optax.apply_updates`` it is exactly zero and stays zero. Every ``update_every`` steps the masks are
recomputed: of the weights still kept, the ``round(density * initial_count)`` largest in magnitude
(after this step's update) survive, where ``density`` comes from the schedule (Zhu & Gupta, 2017).
Masks only shrink.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from biojax._validation import check_int
from biojax.wiring import SynapseWeights, Wiring, critical_paths, wiring_mask
from biojax.rewiring.sparsity_schedule import SparsitySchedule
from biojax.rewiring.synapse_layout import SynapseCell, flatten, get_path, set_path, split_flat, synapse_layout
from biojax.rewiring.synapse_values import flat_strength, layout_strength, slot_keep_masks


def keep_largest(score: jax.Array, allowed: jax.Array, count: Any) -> jax.Array:
    """Bool mask of the ``count`` largest ``score`` entries among ``allowed`` (``count`` may be traced).

    Ties go to the earlier entry, so exactly ``min(count, allowed.sum())`` entries are kept.

    Example:
        >>> import jax.numpy as jnp
        >>> keep_largest(jnp.array([0.3, 0.9, 0.5, 0.7]), jnp.array([True, False, True, True]), 2).tolist()
        [False, False, True, True]
    """
    flat = jnp.where(allowed, score, -jnp.inf).ravel()
    order = jnp.argsort(-flat, stable=True)
    rank = jnp.empty_like(order).at[order].set(jnp.arange(flat.size))
    return (rank < count).reshape(score.shape) & allowed


def _target(density: jax.Array, initial_count: Any) -> jax.Array:
    return jnp.round(density * initial_count).astype(jnp.int32)


class GradualPruningState(NamedTuple):
    """State of :func:`gradual_pruning`: the step count, the masks (``None`` for leaves not pruned)
    and each mask's initial number of kept entries.

    Example:
        >>> import jax.numpy as jnp
        >>> from biojax.rewiring import sparsity_schedule
        >>> state = gradual_pruning(sparsity_schedule(1.0, 0.5, 0, 10)).init({"w": jnp.ones((2, 2))})
        >>> int(state.count), state.masks["w"].tolist(), int(state.initial_counts["w"])
        (0, [[True, True], [True, True]], 4)
    """

    count: jax.Array
    masks: Any
    initial_counts: Any


def gradual_pruning(
    schedule: SparsitySchedule, masks: Any = None, *, update_every: int = 1
) -> optax.GradientTransformation:
    """Gradual magnitude pruning of any kernels, each leaf on its own (per-layer density).

    Args:
        schedule: density per step, e.g. :func:`~biojax.rewiring.sparsity_schedule`; densities are
            fractions of each leaf's initial mask.
        masks: pytree like the params with a bool array (the initial mask, e.g. a sparse layer's wiring
            mask) or ``None`` (not pruned) per leaf; default: every leaf with two or more dimensions,
            fully kept.
        update_every: recompute the masks every this many steps (Zhu & Gupta use 100 to 1000).

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.rewiring import sparsity_schedule
        >>> params = {"kernel": jnp.arange(1.0, 9.0).reshape(2, 4), "bias": jnp.ones(4)}
        >>> opt = optax.chain(optax.sgd(0.0), gradual_pruning(sparsity_schedule(1.0, 0.25, 0, 1)))
        >>> state = opt.init(params)
        >>> for _ in range(2):
        ...     updates, state = opt.update(jax.tree_util.tree_map(jnp.zeros_like, params), state, params)
        ...     params = optax.apply_updates(params, updates)
        >>> params["kernel"].tolist(), params["bias"].tolist()
        ([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 7.0, 8.0]], [1.0, 1.0, 1.0, 1.0])
    """
    update_every = check_int("update_every", update_every, minimum=1)

    def init_fn(params: Any) -> GradualPruningState:
        initial = masks
        if initial is None:
            initial = jax.tree_util.tree_map(lambda p: jnp.ones(jnp.shape(p), bool) if jnp.ndim(p) >= 2 else None,
                                             params)
        else:
            initial = jax.tree_util.tree_map(lambda m, p: None if m is None else jnp.broadcast_to(
                jnp.asarray(m, bool), jnp.shape(p)), initial, params, is_leaf=lambda m: m is None)
        counts = jax.tree_util.tree_map(lambda m: jnp.sum(m).astype(jnp.int32), initial)
        return GradualPruningState(jnp.zeros([], jnp.int32), initial, counts)

    def update_fn(updates: Any, state: GradualPruningState, params: Any = None) -> tuple[Any, GradualPruningState]:
        if params is None:
            raise ValueError("gradual_pruning needs params: call update(updates, state, params)")
        density = schedule(state.count)
        is_none = lambda m: m is None  # noqa: E731

        def recompute(current: Any) -> Any:
            return jax.tree_util.tree_map(
                lambda m, n, u, p: None if m is None else keep_largest(jnp.abs(p + u), m, _target(density, n)),
                current, state.initial_counts, updates, params, is_leaf=is_none)

        new_masks = jax.lax.cond(state.count % update_every == 0, recompute, lambda m: m, state.masks)
        updates = jax.tree_util.tree_map(
            lambda m, u, p: u if m is None else jnp.where(m, u, -p), new_masks, updates, params, is_leaf=is_none)
        return updates, GradualPruningState(state.count + 1, new_masks, state.initial_counts)

    return optax.GradientTransformation(init_fn, update_fn)


class WiringPruningState(NamedTuple):
    """State of :func:`gradual_wiring_pruning`: the step count and the kept synapses (``keep``).

    Example:
        >>> import jax.numpy as jnp
        >>> state = WiringPruningState(jnp.zeros([], int), SynapseWeights(jnp.ones((1, 2), bool), jnp.eye(2, dtype=bool)))
        >>> int(state.keep.recurrent.sum())
        2
    """

    count: jax.Array
    keep: SynapseWeights


def gradual_wiring_pruning(
    wiring: Wiring | SynapseCell,
    params: Any,
    schedule: SparsitySchedule,
    *,
    keep_paths: bool = True,
    intra_layer: str = "dense",
    update_every: int = 1,
) -> optax.GradientTransformation:
    """Gradual magnitude pruning of a wiring's synapses during training (one global density).

    A synapse's magnitude is its effective weight (mean over the CfC heads that hold it, see
    :mod:`biojax.rewiring.synapse_layout`); when it is pruned every parameter entry of it is held at zero.
    Densities are fractions of the wiring's synapses. With ``keep_paths`` the
    :func:`~biojax.wiring.critical_paths` of ``params`` (the weights when the pruner is made, e.g.
    after dense training) are never pruned, so every motor neuron stays reachable; the density then
    never goes below what those paths need. Read the kept synapses with
    ``optax.tree_utils.tree_get(opt_state, "keep")`` and turn them into a wiring with
    :func:`~biojax.wiring.mask_wiring`.

    LTC weights pass through softplus, so a weight held at zero does not remove an LTC synapse: prune
    LTC wirings with :func:`~biojax.rewiring.prune_to_density` between training phases instead.

    Args:
        wiring: the cell's wiring, or the cell itself (see :func:`~biojax.rewiring.synapse_layout`).
        params: the params being trained (wired CfC, a model with it under ``"rnn_cell"``, or
            :class:`~biojax.wiring.SynapseWeights`); they fix the layout and the critical paths.
        schedule: density per step (:func:`~biojax.rewiring.sparsity_schedule`).
        keep_paths: never prune the critical paths.
        intra_layer: the wired CfC's ``intra_layer``.
        update_every: recompute the kept synapses every this many steps.

    Raises:
        ValueError: for LTC params, or a final density (when a plain number) too low for the paths.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.nn import WiredCfCCell
        >>> from biojax.wiring import AutoNCP, mask_wiring
        >>> from biojax.rewiring import sparsity_schedule
        >>> wiring = AutoNCP(16, 4).build(3)
        >>> cell = WiredCfCCell(wiring, intra_layer="wiring")
        >>> params = cell.init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 16)))["params"]
        >>> opt = optax.chain(optax.adam(1e-3), gradual_wiring_pruning(
        ...     wiring, params, sparsity_schedule(1.0, 0.5, 0, 5), intra_layer="wiring"))
        >>> state = opt.init(params)
        >>> grads = jax.tree_util.tree_map(jnp.ones_like, params)
        >>> for _ in range(10):
        ...     updates, state = opt.update(grads, state, params)
        ...     params = optax.apply_updates(params, updates)
        >>> pruned = mask_wiring(wiring, optax.tree_utils.tree_get(state, "keep"))
        >>> total = lambda w: w.synapse_count + w.sensory_synapse_count
        >>> total(pruned) == round(0.5 * total(wiring))
        True
    """
    update_every = check_int("update_every", update_every, minimum=1)
    layout = synapse_layout(wiring, params, intra_layer=intra_layer)
    if any(slot.role == "softplus_weight" for slot in layout.slots):
        raise ValueError(
            f"gradual_wiring_pruning cannot prune {layout.kind} params: like LTC weights they pass through "
            "softplus, so a weight held at zero does not remove the synapse; use prune_to_density between "
            "training phases instead"
        )
    built = layout.wiring
    input_dim, units = built.input_dim, built.units
    initial = flatten(wiring_mask(built))
    initial_count = int(initial.sum())
    protected = np.zeros_like(initial)
    if keep_paths:
        protected = flatten(critical_paths(built, layout_strength(layout, params)))
    minimum = int(protected.sum())
    final = schedule.final_density
    if not isinstance(final, jax.core.Tracer) and int(round(float(final) * initial_count)) < minimum:
        raise ValueError(
            f"final_density={float(final)} keeps {int(round(float(final) * initial_count))} of {initial_count} "
            f"synapses, but the paths to the {built.output_dim} motor neurons need {minimum} "
            f"(final_density >= {minimum / initial_count:.4f}); raise it or pass keep_paths=False"
        )
    slot_paths = [slot.path for slot in layout.slots]

    def init_fn(params: Any) -> WiringPruningState:
        del params
        return WiringPruningState(jnp.zeros([], jnp.int32), split_flat(jnp.asarray(initial), input_dim, units))

    def update_fn(updates: Any, state: WiringPruningState, params: Any = None) -> tuple[Any, WiringPruningState]:
        if params is None:
            raise ValueError("gradual_wiring_pruning needs params: call update(updates, state, params)")
        keep = flatten(state.keep)

        def recompute(current: jax.Array) -> jax.Array:
            new_params = jax.tree_util.tree_map(jnp.add, params, updates)
            score = jnp.where(protected, jnp.inf, flat_strength(layout, layout.cell_params(new_params)))
            target = jnp.maximum(_target(schedule(state.count), initial_count), minimum)
            return keep_largest(score, current, target)

        keep = jax.lax.cond(state.count % update_every == 0, recompute, lambda k: k, keep)
        cell_updates, cell_params = layout.cell_params(updates), layout.cell_params(params)
        for path, mask in zip(slot_paths, slot_keep_masks(layout, keep)):
            held = jnp.where(mask, get_path(cell_updates, path), -get_path(cell_params, path))
            cell_updates = set_path(cell_updates, path, held)
        return (layout.replace_cell_params(updates, cell_updates),
                WiringPruningState(state.count + 1, split_flat(keep, input_dim, units)))

    return optax.GradientTransformation(init_fn, update_fn)

