"""Flax NNX versions of biojax's Linen modules, through ``flax.nnx.bridge.ToNNX``.

Each cell and layer has one implementation, the Linen module in :mod:`biojax.nn`; these functions
wrap it as a stateful NNX module that works with ``nnx.grad``, ``nnx.value_and_grad``, ``nnx.jit`` and
``nnx.Optimizer``, and gives the same numbers as the Linen module for the same variables.
"""

from biojax.nnx.bridge import Connectivity, from_linen, linen_variables, to_nnx
from biojax.nnx.optimizer import on_pure_dicts, optimizer

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
