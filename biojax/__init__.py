"""biojax: bio-inspired neural networks in JAX, Flax and Optax.

Subpackages are imported on first use, so ``import biojax`` stays cheap and
optional extras (matplotlib, mnist1d, optuna) are only needed by the parts
that use them. Names that moved between subpackages stay importable from
their old paths for one release, with a ``DeprecationWarning``
(:mod:`biojax._compat`).

Example:
    >>> import biojax
    >>> wiring = biojax.wiring.AutoNCP(16, 4).build(3)
    >>> int(wiring.synapse_count)
    28
"""

import importlib
from types import ModuleType

from biojax import _compat
from biojax._version import __version__

_compat.install()

_SUBPACKAGES = (
    "checkpoint",
    "checks",
    "cli",
    "data",
    "env",
    "interop",
    "learning",
    "nn",
    "nnx",
    "pruning",
    "rewiring",
    "search",
    "train",
    "viz",
    "wiring",
)

__all__ = ["__version__", *_SUBPACKAGES]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"biojax.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'biojax' has no attribute {name!r}")
