"""Flax Linen modules: liquid cells, sparse and dendritic layers, a small transformer.

Each public module is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.nn.sparse_linear import SparseLinear
from biojax.nn.ltc_cell import LTCCell
from biojax.nn.cfc_cell import CfCCell, lecun_tanh
from biojax.nn.wired_cfc_cell import WiredCfCCell
from biojax.nn.liquid_cell import NCPLiquidCell
from biojax.nn.mixed_memory import MixedMemoryLSTMCell
from biojax.nn.sequence_loop import SequenceCell, scan_cell
from biojax.nn.liquid_rnn import LTC, CfC
from biojax.nn.transformer import HeadMaskTransformer, HeadMaskedAttention, TransformerBlock, causal_attention_mask, check_tokens
from biojax.nn.multisynaptic_dense import MultiSynapticDense
from biojax.nn.dendritic_layer import DendriticLayer
from biojax.nn.dendritic_models import DendriticClassifier, MLP, count_params, dendritic_simple, dendritic_with_hidden, mlp_for_budget, param_formula, soma_disabled

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
