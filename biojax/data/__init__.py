"""Offline datasets: MNIST-1D, scikit-learn digits, MNIST/Fashion-MNIST from local IDX files.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
