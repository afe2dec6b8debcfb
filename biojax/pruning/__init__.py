"""Attention-head pruning as functional mask operations.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.pruning.entropy import head_entropy
from biojax.pruning.importance import head_importance, normalize_per_layer
from biojax.pruning.masks import minmax, prune_scores, pruning_mask
from biojax.pruning.heads import attention_out_paths
from biojax.pruning.apply import MaskHeadUpdatesState, apply_head_mask, head_update_mask, mask_head_updates
from biojax.pruning.results import CycleMetrics, PruningResults
from biojax.pruning.cycle import run_pruning_cycle, sequence_accuracy, sequence_cross_entropy

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
