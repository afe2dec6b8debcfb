"""Wiring optimization: pure functions on a wiring and its cell's params (see ``docs/wiring_optimization.md``).

Pruning to a density while keeping a sensory-to-motor path for every motor neuron, gradual pruning as an
Optax transformation with a sparsity schedule, synapse importance from activity or gradients, adaptive
wiring (prune and grow), k-means weight sharing, and metrics (synapses, bytes, FLOPs, step time). It sits
above :mod:`biojax.nn`, whose cells' params it reads; the wirings themselves are :mod:`biojax.wiring`.

Example:
    >>> import jax, jax.numpy as jnp
    >>> from biojax.nn import LTCCell
    >>> from biojax.wiring import AutoNCP
    >>> wiring = AutoNCP(16, 4).build(3)
    >>> params = LTCCell(wiring).init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 16)))["params"]
    >>> pruned, pruned_params = prune_to_density(wiring, params, 0.5)
    >>> pruned.synapse_count + pruned.sensory_synapse_count
    20
"""

from biojax.rewiring.synapse_layout import SynapseCell, SynapseLayout, synapse_layout
from biojax.rewiring.synapse_values import synapse_strength
from biojax.rewiring.prune import prune_to_density, target_synapse_count
from biojax.rewiring.sparsity_schedule import SparsitySchedule, sparsity_schedule
from biojax.rewiring.gradual_pruning import (
    GradualPruningState,
    WiringPruningState,
    gradual_pruning,
    gradual_wiring_pruning,
)
from biojax.rewiring.importance import Activity, record_activity, synapse_importance
from biojax.rewiring.adapt import AdaptResult, adapt_wiring
from biojax.rewiring.weight_sharing import SharedWeights, make_shared_train_step, share_weights, sharing_report, unshare
from biojax.rewiring.metrics import (
    ltc_flops,
    measure_step_seconds,
    monitor_performance,
    wired_cfc_flops,
    wiring_metrics,
)

__all__ = [
    "Activity",
    "AdaptResult",
    "GradualPruningState",
    "SharedWeights",
    "SparsitySchedule",
    "SynapseCell",
    "SynapseLayout",
    "WiringPruningState",
    "adapt_wiring",
    "gradual_pruning",
    "gradual_wiring_pruning",
    "ltc_flops",
    "make_shared_train_step",
    "measure_step_seconds",
    "monitor_performance",
    "prune_to_density",
    "record_activity",
    "share_weights",
    "sharing_report",
    "sparsity_schedule",
    "synapse_importance",
    "synapse_layout",
    "synapse_strength",
    "target_synapse_count",
    "unshare",
    "wired_cfc_flops",
    "wiring_metrics",
]
