"""NCP wirings as immutable NumPy masks (ncps and velora semantics), and wiring optimization:
pruning to a density, gradual pruning schedules, synapse importance, adaptive wiring, weight sharing
and metrics (see ``docs/wiring_optimization.md``).

Example:
    >>> from biojax.wiring import AutoNCP
    >>> wiring = AutoNCP(16, 4).build(3)
    >>> wiring.adjacency_matrix.shape, wiring.sensory_adjacency_matrix.shape
    ((16, 16), (3, 16))
"""

from biojax.wiring.base import Wiring
from biojax.wiring.fully_connected import FullyConnected
from biojax.wiring.layered import LayeredWiring, LayerMasks, NeuronCounts, SynapseCounts
from biojax.wiring.ncp import NCP, AutoNCP
from biojax.wiring.random_wiring import Random
from biojax.wiring.synapse_layout import SynapseLayout, SynapseWeights, synapse_layout
from biojax.wiring.synapse_values import mask_wiring, synapse_strength, wiring_mask
from biojax.wiring.paths import critical_paths, unreachable_motor_neurons
from biojax.wiring.prune import prune_to_density, target_synapse_count
from biojax.wiring.sparsity_schedule import SparsitySchedule, sparsity_schedule
from biojax.wiring.gradual_pruning import (
    GradualPruningState,
    WiringPruningState,
    gradual_pruning,
    gradual_wiring_pruning,
)
from biojax.wiring.importance import Activity, record_activity, synapse_importance
from biojax.wiring.adapt import AdaptResult, adapt_wiring
from biojax.wiring.weight_sharing import SharedWeights, make_shared_train_step, share_weights, sharing_report, unshare
from biojax.wiring.metrics import ltc_flops, measure_step_seconds, monitor_performance, wired_cfc_flops, wiring_metrics
from biojax.wiring.tuning import TuningResult, tune_hyperparameters

__all__ = [
    "NCP",
    "Activity",
    "AdaptResult",
    "AutoNCP",
    "FullyConnected",
    "GradualPruningState",
    "LayerMasks",
    "LayeredWiring",
    "NeuronCounts",
    "Random",
    "SharedWeights",
    "SparsitySchedule",
    "SynapseCounts",
    "SynapseLayout",
    "SynapseWeights",
    "TuningResult",
    "Wiring",
    "WiringPruningState",
    "adapt_wiring",
    "critical_paths",
    "gradual_pruning",
    "gradual_wiring_pruning",
    "ltc_flops",
    "make_shared_train_step",
    "mask_wiring",
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
    "tune_hyperparameters",
    "unreachable_motor_neurons",
    "unshare",
    "wired_cfc_flops",
    "wiring_mask",
    "wiring_metrics",
]
