"""Synaptic resampling for :class:`biojax.nn.DendriticLayer`: rewire the weakest synapses.

Design: pure functions on ``(params, connectivity, opt_state, key)``. The connectivity lives in
the model's ``"connectivity"`` variable collection (int32 ``indices`` of shape
``(dendrites, k)`` per dendritic layer), so a training loop carries it next to the params and
passes both to ``model.apply({"params": params, "connectivity": connectivity}, x)``. Everything is
jit-, ``lax.scan``- and ``vmap``-compatible: shapes are static and the resampled fraction is a
traced number (``fraction=0`` switches resampling off inside the same compiled program).

Algorithm (:func:`resample_dendritic`, the dendritic-computation anchor's ``resample_dendrites``):

1. For each dendrite, the ``r = floor(k * fraction)`` synapses with the smallest ``|w|`` are
   candidates (ties broken by slot order).
2. Each candidate proposes one new input index, uniform over ``[0, n_inputs)``, drawn once.
3. A proposal is dropped if the dendrite already reads that input (including from a synapse
   being removed), or if two candidates of the same dendrite propose the same input (both are
   dropped). Dropped proposals are not redrawn, exactly as in the anchor, so a single vectorised
   draw suffices and the kept synapse stays; at most ``r`` synapses change per dendrite. With
   ``k = 128`` of 784 inputs about 84% of proposals succeed.
4. Accepted slots get the new index and a fresh weight (``"he_input"``: ``N(0, 2 / n_inputs)`` as
   in the anchor; ``"he_k"``: ``N(0, 2 / k)``; ``"zeros"``), and, with
   ``reset_optimizer_state=True``, every optimizer-state leaf shaped like the params (e.g. Adam's
   ``mu`` and ``nu``) is zeroed at those slots. The anchor keys Adam moments by input pixel, so
   a newly wired pixel starts from its (near-zero) decayed moments; zeroing the slot is the
   slot-storage equivalent.

Fan-in stays exactly ``k`` and each dendrite's inputs stay distinct. Differences from the
anchor: we resample after the optimizer step of the triggering batch (the anchor resamples just
before it); ``r`` is computed in float32 with a ``1e-3`` guard so ``floor`` matches Python's
``int(k * p)`` for decimal fractions.

RigL-style variant (:func:`rigl_resample_dendritic`): the same removal, but growth goes to the
unconnected inputs with the largest ``|dL/dw|`` (from :func:`dendrite_input_gradients`, which
gets it from the per-example dendrite gradients and the layer input at the cost of one dense
``(dendrites, inputs)`` product, only when called), and new weights are zero.

:func:`maybe_resample` is ``jax.lax.cond(step % steps_to_resample == 0 and fraction > 0, resample,
identity)``; :func:`biojax.train.resampling_post_step` runs it after every optimizer step of
:func:`biojax.train.make_epoch_fn`.
"""

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import traverse_util

from biojax._validation import check_choice, check_int

NEW_WEIGHTS = ("he_input", "he_k", "zeros")
_KERNEL = "dendrite_kernel"


def removal_candidates(kernel: jax.Array, fraction: jax.Array | float) -> jax.Array:
    """Boolean ``(dendrites, k)`` mask of each row's ``floor(k * fraction)`` smallest ``|w|``.

    Example:
        >>> import jax.numpy as jnp
        >>> removal_candidates(jnp.array([[0.3, -0.1, 2.0, 0.05]]), 0.5).tolist()
        [[False, True, False, True]]
    """
    k = kernel.shape[-1]
    r = jnp.floor(k * jnp.asarray(fraction, jnp.float32) + 1e-3).astype(jnp.int32)
    order = jnp.argsort(jnp.abs(kernel), axis=-1, stable=True)
    rank = jnp.argsort(order, axis=-1, stable=True)
    return rank < r


def resample_synapses(
    kernel: jax.Array,
    indices: jax.Array,
    *,
    key: jax.Array,
    fraction: jax.Array | float,
    n_inputs: jax.Array | int,
    new_weights: str = "he_input",
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One resampling event for one layer's ``(dendrites, k)`` kernel and indices.

    Returns:
        ``(kernel, indices, swapped)``; ``swapped`` marks the slots that were rewired.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> kernel = jnp.array([[0.9, 0.01, -0.8, 0.02]])
        >>> idx = jnp.array([[0, 1, 2, 3]], jnp.int32)
        >>> _, new_idx, swapped = resample_synapses(kernel, idx, key=jax.random.key(3),
        ...                                         fraction=0.5, n_inputs=100)
        >>> bool(swapped[0, 0] | swapped[0, 2])  # only the two weakest slots may change
        False
    """
    check_choice("new_weights", new_weights, NEW_WEIGHTS)
    k = kernel.shape[-1]
    candidates = removal_candidates(kernel, fraction)
    key_index, key_weight = jax.random.split(key)
    proposals = jax.random.randint(key_index, indices.shape, 0, n_inputs, dtype=indices.dtype)
    already_connected = jnp.any(proposals[..., :, None] == indices[..., None, :], axis=-1)
    same = (proposals[..., :, None] == proposals[..., None, :]) & candidates[..., None, :]
    duplicated = jnp.sum(same, axis=-1) > 1
    swapped = candidates & ~already_connected & ~duplicated
    if new_weights == "zeros":
        fresh = jnp.zeros_like(kernel)
    else:
        fan_in = jnp.asarray(n_inputs if new_weights == "he_input" else k, kernel.dtype)
        fresh = jnp.sqrt(2.0 / fan_in) * jax.random.normal(key_weight, kernel.shape, kernel.dtype)
    return (jnp.where(swapped, fresh, kernel), jnp.where(swapped, proposals, indices), swapped)


def rigl_synapses(
    kernel: jax.Array,
    indices: jax.Array,
    dense_gradient: jax.Array,
    *,
    fraction: jax.Array | float,
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """RigL-style event: drop the weakest ``|w|``, grow at the largest ``|dL/dw|`` unconnected
    inputs (``dense_gradient`` is ``(dendrites, n_inputs)``), new weights zero.

    The j-th weakest synapse moves to the j-th best unconnected input; when fewer than ``r``
    unconnected inputs exist, the remaining candidates keep their synapse.

    Example:
        >>> import jax.numpy as jnp
        >>> kernel, idx = jnp.array([[0.5, 0.01]]), jnp.array([[0, 1]], jnp.int32)
        >>> grad = jnp.array([[9.0, 9.0, 0.1, 3.0]])
        >>> _, new_idx, _ = rigl_synapses(kernel, idx, grad, fraction=0.5)
        >>> new_idx.tolist()
        [[0, 3]]
    """
    k = kernel.shape[-1]
    candidates = removal_candidates(kernel, fraction)
    rows = jnp.arange(indices.shape[0])[:, None]
    score = jnp.abs(dense_gradient).at[rows, indices].set(-jnp.inf)
    best_score, best_index = jax.lax.top_k(score, k)
    rank = jnp.argsort(jnp.argsort(jnp.abs(kernel), axis=-1, stable=True), axis=-1, stable=True)
    grow_index = jnp.take_along_axis(best_index, rank, axis=-1).astype(indices.dtype)
    grow_ok = jnp.isfinite(jnp.take_along_axis(best_score, rank, axis=-1))
    swapped = candidates & grow_ok
    return (jnp.where(swapped, 0.0, kernel), jnp.where(swapped, grow_index, indices), swapped)


def dendritic_layer_paths(connectivity: Mapping) -> list[tuple[str, ...]]:
    """Paths (tuples of module names) of every dendritic layer in a ``connectivity`` collection.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=3)
        >>> dendritic_layer_paths(model.init(jax.random.key(0), jnp.ones((1, 6)))["connectivity"])
        [('dendritic',)]
    """
    flat = traverse_util.flatten_dict(dict(connectivity))
    return sorted(path[:-1] for path in flat if path[-1] == "indices")


def _apply_to_layers(params, connectivity, opt_state, reset_optimizer_state, event):
    flat_params = traverse_util.flatten_dict(dict(params))
    flat_conn = traverse_util.flatten_dict(dict(connectivity))
    swapped_flat = {path: jnp.zeros((), bool) for path in flat_params}
    for number, layer in enumerate(dendritic_layer_paths(connectivity)):
        kernel_path = (*layer, _KERNEL)
        if kernel_path not in flat_params:
            raise ValueError(f"params has no {'/'.join(kernel_path)} for connectivity at "
                             f"{'/'.join(layer)}")
        kernel, indices, swapped = event(number, layer, flat_params[kernel_path],
                                         flat_conn[(*layer, "indices")])
        flat_params[kernel_path] = kernel
        flat_conn[(*layer, "indices")] = indices
        swapped_flat[kernel_path] = swapped
    new_params = traverse_util.unflatten_dict(flat_params)
    new_conn = traverse_util.unflatten_dict(flat_conn)
    if opt_state is not None and reset_optimizer_state:
        opt_state = reset_slots(opt_state, new_params, traverse_util.unflatten_dict(swapped_flat))
    return new_params, new_conn, opt_state


def reset_slots(opt_state: Any, params: Any, swapped: Any) -> Any:
    """Zeroes, in every optimizer-state subtree shaped like ``params`` (Adam's ``mu``/``nu``,
    momentum traces, ...), the entries where the params-shaped boolean tree ``swapped`` is true.

    Other state (step counts, masked-out leaves) is left alone.

    Example:
        >>> import jax.numpy as jnp, optax
        >>> params = {"w": jnp.ones(3)}
        >>> opt = optax.adam(0.1)
        >>> state = opt.update(params, opt.init(params), params)[1]
        >>> reset_slots(state, params, {"w": jnp.array([True, False, False])})[0].mu["w"].tolist()
        [0.0, 0.10000000149011612, 0.10000000149011612]
    """
    params_def = jax.tree_util.tree_structure(params)

    def params_like(node: Any) -> bool:
        return jax.tree_util.tree_structure(node) == params_def

    def reset(node: Any) -> Any:
        if not params_like(node):
            return node
        return jax.tree_util.tree_map(
            lambda leaf, mask: jnp.where(mask, jnp.zeros_like(leaf), leaf), node, swapped)

    return jax.tree_util.tree_map(reset, opt_state, is_leaf=params_like)


def resample_dendritic(
    params: Any,
    connectivity: Any,
    opt_state: Any = None,
    *,
    key: jax.Array,
    fraction: jax.Array | float,
    new_weights: str = "he_input",
    reset_optimizer_state: bool = True,
) -> tuple[Any, Any, Any]:
    """Resamples every dendritic layer of a model once (see the module docstring).

    Args:
        params: the model's ``"params"`` collection.
        connectivity: the model's ``"connectivity"`` collection.
        opt_state: Optax state of ``params`` (or ``None``).
        key: randomness for proposals and fresh weights (folded per layer).
        fraction: traced fraction of each dendrite's synapses proposed for rewiring.
        new_weights: ``"he_input"`` (anchor), ``"he_k"`` or ``"zeros"``.
        reset_optimizer_state: zero params-shaped optimizer moments at swapped slots.

    Returns:
        ``(params, connectivity, opt_state)``.

    Example:
        >>> import jax, jax.numpy as jnp, optax
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        >>> opt = optax.adam(1e-3)
        >>> p, c, s = resample_dendritic(v["params"], v["connectivity"], opt.init(v["params"]),
        ...                              key=jax.random.key(1), fraction=0.5)
        >>> c["dendritic"]["indices"].shape
        (4, 4)
    """
    check_choice("new_weights", new_weights, NEW_WEIGHTS)

    def event(number, layer, kernel, indices):
        n_inputs = connectivity_leaf(connectivity, layer, "n_inputs")
        return resample_synapses(kernel, indices, key=jax.random.fold_in(key, number),
                                 fraction=fraction, n_inputs=n_inputs, new_weights=new_weights)

    return _apply_to_layers(params, connectivity, opt_state, reset_optimizer_state, event)


def connectivity_leaf(connectivity: Mapping, layer: tuple[str, ...], name: str) -> Any:
    """The variable ``name`` of the dendritic layer at path ``layer``.

    Example:
        >>> connectivity_leaf({"a": {"n_inputs": 7}}, ("a",), "n_inputs")
        7
    """
    node = connectivity
    for part in (*layer, name):
        node = node[part]
    return node


def dendrite_input_gradients(
    apply_fn: Callable[..., Any],
    variables: Mapping,
    x: jax.Array,
    y: jax.Array,
    loss_fn: Callable[[jax.Array, jax.Array], jax.Array] | None = None,
) -> dict[tuple[str, ...], jax.Array]:
    """``dL/dW`` of a dense ``(dendrites, n_inputs)`` kernel for every dendritic layer, i.e. the
    gradient each possible synapse would get, connected or not (RigL's growth criterion).

    ``apply_fn`` is ``model.apply``. The layer exposes its pre-activation as a Flax
    perturbation and sows its input, so this is ``sum_b dL/dpre[b, d] * x[b, i]``. ``loss_fn(logits,
    y)`` defaults to the mean softmax cross-entropy with integer labels.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        >>> g = dendrite_input_gradients(model.apply, v, jnp.ones((5, 30)), jnp.zeros(5, int))
        >>> g[("dendritic",)].shape
        (4, 30)
    """
    variables = {name: value for name, value in variables.items() if name != "perturbations"}
    _, state = apply_fn(variables, x, mutable=["perturbations", "intermediates"])
    perturbations, intermediates = state["perturbations"], state["intermediates"]

    def loss(pert):
        logits = apply_fn({**variables, "perturbations": pert}, x)
        if loss_fn is None:
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss_fn(logits, y)

    deltas = traverse_util.flatten_dict(dict(jax.grad(loss)(perturbations)))
    inputs = traverse_util.flatten_dict(dict(intermediates))
    result = {}
    for layer in dendritic_layer_paths(variables["connectivity"]):
        delta = deltas[(*layer, "dendrite_preactivation")]
        layer_input = inputs[(*layer, "dendrite_input")][0]
        result[layer] = jnp.einsum("bd,bi->di", delta, layer_input)
    return result


def rigl_resample_dendritic(
    params: Any,
    connectivity: Any,
    opt_state: Any,
    dense_gradients: Mapping[tuple[str, ...], jax.Array],
    *,
    fraction: jax.Array | float,
    reset_optimizer_state: bool = True,
) -> tuple[Any, Any, Any]:
    """RigL-style resampling of every dendritic layer (grow at the largest ``|gradient|``, new
    weights zero); ``dense_gradients`` comes from :func:`dendrite_input_gradients`.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        >>> g = dendrite_input_gradients(model.apply, v, jnp.ones((5, 30)), jnp.zeros(5, int))
        >>> p, c, _ = rigl_resample_dendritic(v["params"], v["connectivity"], None, g, fraction=0.5)
        >>> int((p["dendritic"]["dendrite_kernel"] == 0).sum()) >= 0
        True
    """

    def event(number, layer, kernel, indices):
        return rigl_synapses(kernel, indices, dense_gradients[layer], fraction=fraction)

    return _apply_to_layers(params, connectivity, opt_state, reset_optimizer_state, event)


def maybe_resample(
    params: Any,
    connectivity: Any,
    opt_state: Any,
    *,
    step: jax.Array | int,
    steps_to_resample: jax.Array | int,
    key: jax.Array,
    fraction: jax.Array | float,
    new_weights: str = "he_input",
    reset_optimizer_state: bool = True,
    axis_name: str | None = None,
) -> tuple[Any, Any, Any]:
    """:func:`resample_dendritic` when ``step % steps_to_resample == 0`` and ``fraction > 0``
    (``lax.cond``), else the inputs unchanged. ``step``, ``steps_to_resample`` and ``fraction`` may be traced.

    Under ``jax.vmap`` a ``lax.cond`` on a per-trial condition becomes a select that computes the
    resampling at every step. Inside ``jax.vmap(..., axis_name=axis_name)`` pass the axis name: the
    condition is then whether *any* trial of the axis is due (one ``psum``), so the resampling is computed
    only at those steps (each trial keeps its own result only when it is due itself), and never in a batch
    whose trials all have ``fraction == 0``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import dendritic_simple
        >>> model = dendritic_simple(3, n_neurons=2, n_dendrites=2, n_dendrite_inputs=4)
        >>> v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        >>> p, c, _ = jax.jit(lambda p, c: maybe_resample(p, c, None, step=3, steps_to_resample=2,
        ...     key=jax.random.key(1), fraction=0.5))(v["params"], v["connectivity"])
        >>> bool((c["dendritic"]["indices"] == v["connectivity"]["dendritic"]["indices"]).all())
        True
    """
    check_choice("new_weights", new_weights, NEW_WEIGHTS)

    def resample(operands):
        p, c, s = operands
        return resample_dendritic(p, c, s, key=key, fraction=fraction, new_weights=new_weights,
                                  reset_optimizer_state=reset_optimizer_state)

    operands = (params, connectivity, opt_state)
    due = (jnp.remainder(jnp.asarray(step), jnp.asarray(steps_to_resample)) == 0) & (jnp.asarray(fraction) > 0)
    if axis_name is None:
        return jax.lax.cond(due, resample, lambda ops: ops, operands)

    def resample_where_due(ops):
        return jax.tree.map(lambda new, old: jnp.where(due, new, old), resample(ops), ops)

    any_due = jax.lax.psum(due.astype(jnp.int32), axis_name) > 0
    return jax.lax.cond(any_due, resample_where_due, lambda ops: ops, operands)
