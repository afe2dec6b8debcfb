"""Sparsity, memory and compute of a wired cell: synapse counts, bytes, FLOPs and step time.

FLOPs are hand counts per sample and time step of what biojax's cells execute, with one FLOP per
add, multiply or divide and four per ``sigmoid``/``tanh`` (exp, add, divide, and the negation or
scaling). The LTC works on a synapse list, so its cost follows the synapse count; the wired CfC
multiplies masked dense kernels, so its cost does not shrink with sparsity. ``synapse_flops``
is what a synapse-list CfC would cost, i.e. the share of the work sparsity could save.
"""

from __future__ import annotations

import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice, check_int
from biojax.nn import LTCCell, WiredCfCCell
from biojax.nn.wired_cfc_cell import INTRA_LAYER
from biojax.wiring import Wiring

CELLS = ("ltc", "wired_cfc")
_TRANSCENDENTAL = 4


def ltc_flops(wiring: Wiring, ode_unfolds: int = 6) -> int:
    """FLOPs of one :class:`~biojax.nn.LTCCell` step (affine input and output mappings) per sample.

    Per sensory synapse 10 (``sigma * (x - mu)``, sigmoid, ``* w``, ``* erev``, two sums), per
    recurrent synapse 10 per unfold, per neuron 4 once and 6 per unfold (numerator, denominator,
    divide), and 2 per input and per motor neuron for the mappings.

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> ltc_flops(FullyConnected(2).build(1), ode_unfolds=1)
        86
    """
    per_synapse = 6 + _TRANSCENDENTAL
    n = wiring.units
    return int(per_synapse * wiring.sensory_synapse_count + 4 * n
               + ode_unfolds * (per_synapse * wiring.synapse_count + 6 * n)
               + 2 * wiring.input_dim + 2 * wiring.output_dim)


def wired_cfc_flops(wiring: Wiring, intra_layer: str = "dense", *, synapses_only: bool = False) -> int:
    """FLOPs of one :class:`~biojax.nn.WiredCfCCell` step (mode ``"default"``) per sample.

    Per layer of ``n`` neurons and ``f`` inputs (previous layer plus its own state): the four heads'
    matrix product and bias, ``4 * n * (2 * f + 1)``, then two tanh, the gate's ``t_a * ts + t_b`` and
    sigmoid, and the blend, ``18 * n``. With ``synapses_only`` the product counts only the wiring's
    synapses (plus the dense within-layer block with ``intra_layer="dense"``).

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> wired_cfc_flops(FullyConnected(2).build(1))
        92
    """
    check_choice("intra_layer", intra_layer, INTRA_LAYER)
    adjacency = np.abs(wiring.adjacency_matrix) > 0
    sensory = np.abs(wiring.sensory_adjacency_matrix) > 0
    total, previous = 0, None
    for layer in range(wiring.num_layers):
        neurons = wiring.get_neurons_of_layer(layer)
        n = len(neurons)
        incoming = sensory[:, neurons] if previous is None else adjacency[np.ix_(previous, neurons)]
        within = adjacency[np.ix_(neurons, neurons)] if intra_layer == "wiring" else np.ones((n, n), bool)
        connections = int(incoming.sum() + within.sum()) if synapses_only else incoming.size + within.size
        total += 4 * (2 * connections + n) + (4 * _TRANSCENDENTAL + 2) * n
        previous = neurons
    return int(total)


def _cell_module(wiring: Wiring, cell: str, intra_layer: str) -> Any:
    return LTCCell(wiring) if cell == "ltc" else WiredCfCCell(wiring, intra_layer=intra_layer)


def _param_bytes(params: Any) -> int:
    return int(sum(np.dtype(leaf.dtype).itemsize * np.size(leaf) for leaf in jax.tree_util.tree_leaves(params)))


def measure_step_seconds(wiring: Wiring, cell: str = "ltc", *, batch_size: int = 64, steps: int = 100,
                         repeats: int = 5, intra_layer: str = "dense") -> float:
    """Seconds per cell step: the median over ``repeats`` of a jitted ``lax.scan`` of ``steps`` steps on
    ``batch_size`` samples (after compiling), divided by ``steps``, so dispatch overhead is amortised.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> measure_step_seconds(AutoNCP(8, 2).build(3), batch_size=4, steps=5, repeats=2) > 0
        True
    """
    check_choice("cell", cell, CELLS)
    check_int("batch_size", batch_size, minimum=1)
    check_int("steps", steps, minimum=1)
    check_int("repeats", repeats, minimum=1)
    module = _cell_module(wiring, cell, intra_layer)
    xs = jnp.ones((steps, batch_size, wiring.input_dim))
    h = jnp.zeros((batch_size, wiring.units))
    params = module.init(jax.random.key(0), xs[0], h)["params"]
    step = module.step_function(params, wiring.input_dim)

    @jax.jit
    def run(state: jax.Array) -> jax.Array:
        return jax.lax.scan(lambda carry, x: (step(x, carry)[1], None), state, xs)[0]

    jax.block_until_ready(run(h))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(run(h))
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / steps


def wiring_metrics(
    wiring: Wiring,
    params: Any = None,
    *,
    cell: str = "ltc",
    intra_layer: str = "dense",
    ode_unfolds: int = 6,
    time_batch_size: int | None = None,
) -> dict[str, Any]:
    """Synapse count, density, parameter bytes, FLOPs per step and (optionally) measured step time.

    Args:
        wiring: a built wiring.
        params: the params to measure (any pytree); default: a fresh ``cell``'s params (by shape only).
        cell: ``"ltc"`` or ``"wired_cfc"``: the cell whose FLOPs and step time are reported.
        intra_layer: the wired CfC's ``intra_layer``.
        ode_unfolds: the LTC's ``ode_unfolds``.
        time_batch_size: if given, also measure the jitted step time on a batch of this size.

    Returns:
        A dict: ``synapses`` (recurrent), ``sensory_synapses``, ``total_synapses``, ``possible_synapses``,
        ``density`` (total over possible), ``param_bytes``, ``flops_per_step`` (per sample, as executed),
        ``synapse_flops_per_step`` (if only synapses were computed) and ``step_seconds`` (or ``None``).

    Example:
        >>> from biojax.wiring import FullyConnected
        >>> m = wiring_metrics(FullyConnected(2).build(1))
        >>> m["total_synapses"], m["density"], m["param_bytes"]
        (6, 1.0, 144)
    """
    if not isinstance(wiring, Wiring) or not wiring.is_built():
        raise ValueError("wiring_metrics needs a built biojax.wiring.Wiring (call build(input_dim) first)")
    check_choice("cell", cell, CELLS)
    check_int("ode_unfolds", ode_unfolds, minimum=1)
    if params is None:
        module = _cell_module(wiring, cell, intra_layer)
        shapes = jax.eval_shape(module.init, jax.random.key(0), jnp.ones((1, wiring.input_dim)),
                                jnp.zeros((1, wiring.units)))
        params = shapes["params"]
    total = wiring.synapse_count + wiring.sensory_synapse_count
    possible = wiring.input_dim * wiring.units + wiring.units ** 2
    if cell == "ltc":
        flops = sparse_flops = ltc_flops(wiring, ode_unfolds)
    else:
        flops = wired_cfc_flops(wiring, intra_layer)
        sparse_flops = wired_cfc_flops(wiring, intra_layer, synapses_only=True)
    seconds = None
    if time_batch_size is not None:
        seconds = measure_step_seconds(wiring, cell, batch_size=time_batch_size, intra_layer=intra_layer)
    return {
        "synapses": wiring.synapse_count,
        "sensory_synapses": wiring.sensory_synapse_count,
        "total_synapses": total,
        "possible_synapses": possible,
        "density": total / possible,
        "param_bytes": _param_bytes(params),
        "flops_per_step": flops,
        "synapse_flops_per_step": sparse_flops,
        "step_seconds": seconds,
    }


def monitor_performance(wiring: Wiring, params: Any = None, **kwargs: Any) -> dict[str, Any]:
    """The seed's ``monitor_performance``: ``sparsity`` (1 - density), ``efficiency`` (share of the
    executed FLOPs spent on synapses), ``memory_usage`` (parameter bytes) and ``computation_time``
    (seconds per step, measured when ``time_batch_size`` is given). Keywords go to
    :func:`wiring_metrics`.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> m = monitor_performance(AutoNCP(16, 4).build(3), cell="wired_cfc")
        >>> sorted(m), 0 < m["efficiency"] < 1
        (['computation_time', 'efficiency', 'memory_usage', 'sparsity'], True)
    """
    metrics = wiring_metrics(wiring, params, **kwargs)
    return {
        "sparsity": 1.0 - metrics["density"],
        "efficiency": metrics["synapse_flops_per_step"] / metrics["flops_per_step"],
        "memory_usage": metrics["param_bytes"],
        "computation_time": metrics["step_seconds"],
    }
