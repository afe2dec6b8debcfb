"""The dataset a search trains on: a :func:`biojax.data.load` name, or the user's own splits."""

from __future__ import annotations

from typing import Any

from biojax.data import load

SPLITS = ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")


def load_search_data(dataset: Any, seed: int, subset_size: int | None, val_fraction: float,
                     as_sequence: bool = False) -> Any:
    """Loads a named dataset with :func:`biojax.data.load` (as sequences for sequence models), or checks
    that an object has the six splits.

    Example:
        >>> from types import SimpleNamespace
        >>> data = SimpleNamespace(**{name: [] for name in SPLITS})
        >>> load_search_data(data, 0, None, 0.1) is data
        True
    """
    if isinstance(dataset, str):
        return load(dataset, seed=seed, subset_size=subset_size, val_fraction=val_fraction, as_sequence=as_sequence)
    for name in SPLITS:
        if not hasattr(dataset, name):
            raise TypeError(f"dataset must be a name or an object with x_train ... y_test, got {dataset!r}")
    return dataset
