"""Flax Linen modules: liquid cells, sparse and dendritic layers, a small transformer.

Each public module is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.nn.transformer import HeadMaskTransformer, HeadMaskedAttention, TransformerBlock, causal_attention_mask
from biojax.nn.multisynaptic_dense import MultiSynapticDense
from biojax.nn.dendritic_layer import DendriticLayer
from biojax.nn.dendritic_models import DendriticClassifier, MLP, count_params, dendritic_simple, dendritic_with_hidden, mlp_for_budget, param_formula, soma_disabled

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
