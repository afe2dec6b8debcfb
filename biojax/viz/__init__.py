"""Matplotlib figures (optional extra ``biojax[viz]``); every function returns a Figure and works headless.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.viz.bio_monitoring import plot_bio_monitoring
from biojax.viz.wiring_graph import draw_wiring
from biojax.viz.search_plots import plot_accuracy_vs_params
from biojax.viz.pruning_plots import plot_head_entropy, plot_head_importance, plot_pruning_decisions, plot_recovery_curve

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
