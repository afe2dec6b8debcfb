"""Offline datasets: MNIST-1D, scikit-learn digits, MNIST/Fashion-MNIST from local IDX files.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.data.dataset import Dataset
from biojax.data.digits import load_digits
from biojax.data.idx import download_idx, load_idx_arrays, load_idx_dataset, missing_idx_files, read_idx, write_idx
from biojax.data.mnist1d import load_mnist1d
from biojax.data.optional import MissingExtraError, require
from biojax.data.registry import KNOWN_DATASETS, load

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
