"""Bio-inspired learning rules as Optax gradient transformations.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.learning.synaptic_resampling import dendrite_input_gradients, make_resampling_epoch_fn, maybe_resample, resample_dendritic, resample_synapses, rigl_resample_dendritic, rigl_synapses

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
