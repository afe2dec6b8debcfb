"""Bio-inspired learning rules as Optax gradient transformations.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.learning.synaptic_resampling import (
    dendrite_input_gradients,
    maybe_resample,
    resample_dendritic,
    resample_synapses,
    rigl_resample_dendritic,
    rigl_synapses,
)
from biojax.learning.selection import kernel_mask, layer_order
from biojax.learning.fuzzy_learning_rates import Distribution, FuzzyLRState, fuzzy_learning_rates
from biojax.learning.crystallize import CrystallizeState, crystallize
from biojax.learning.volume_dependent_lr import VolumeLRState, volume_dependent_lr
from biojax.learning.dales_principle import DaleState, check_signs, dale_init, dales_principle
from biojax.learning.rejuvenate import RejuvenateState, rejuvenate
from biojax.learning.bio_config import BioConfig, resolve_activation
from biojax.learning.bio_optimizer import ALL_RULES, PAPER_RULES, BioChainState, bio_chain, bio_optimizer
from biojax.learning.stats import stats
from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
