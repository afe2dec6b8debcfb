"""``biojax.data.load``: one entry point for every offline dataset."""

import os

from biojax.data.dataset import Dataset
from biojax.data.digits import load_digits
from biojax.data.idx import load_idx_dataset
from biojax.data.mnist1d import load_mnist1d

KNOWN_DATASETS = ("mnist1d", "digits", "mnist", "fashion-mnist")
# The optional modules each dataset is made with (see biojax.data.optional); IDX files need none.
DATASET_MODULES = {"mnist1d": ("mnist1d.data",), "digits": ("sklearn.datasets",), "mnist": (), "fashion-mnist": ()}


def load(
    name: str,
    *,
    seed: int = 0,
    val_fraction: float = 0.1,
    as_sequence: bool = False,
    subset_size: int | None = None,
    data_dir: str | os.PathLike | None = None,
    checksums: dict[str, str] | None = None,
    download: bool = False,
) -> Dataset:
    """Loads a dataset by name, with a seeded validation split and train-only standardisation.

    Args:
        name: one of ``"mnist1d"``, ``"digits"``, ``"mnist"``, ``"fashion-mnist"``.
        seed: seed of the train/validation split (same seed, same split).
        val_fraction: fraction of the training rows held out for validation.
        as_sequence: examples shaped as sequences (``(40, 1)``, ``(8, 8)``, ``(28, 28)``)
            instead of flat vectors.
        subset_size: keep only this many training rows.
        data_dir: directory with the IDX files (MNIST, Fashion-MNIST only).
        checksums: expected MD5 per file name for IDX files (see
            :func:`biojax.data.idx.load_idx_arrays`).
        download: fetch missing IDX files first (needs network; never used by tests).

    Raises:
        ValueError: for an unknown name (the message lists the known names).

    Example:
        >>> d = load("digits", seed=1)
        >>> d.name, d.input_shape, d.num_classes
        ('digits', (64,), 10)
        >>> load("cifar")
        Traceback (most recent call last):
        ...
        ValueError: name must be one of 'mnist1d', 'digits', 'mnist', 'fashion-mnist', got 'cifar'
    """
    if not isinstance(name, str) or name not in KNOWN_DATASETS:
        options = ", ".join(repr(n) for n in KNOWN_DATASETS)
        raise ValueError(f"name must be one of {options}, got {name!r}")
    common = dict(seed=seed, val_fraction=val_fraction, as_sequence=as_sequence,
                  subset_size=subset_size)
    if name in ("mnist", "fashion-mnist"):
        return load_idx_dataset(name, data_dir=data_dir, checksums=checksums, download=download,
                                **common)
    if data_dir is not None or checksums is not None or download:
        raise ValueError(f"data_dir, checksums and download apply to IDX datasets only, not {name!r}")
    if name == "mnist1d":
        return load_mnist1d(**common)
    return load_digits(**common)
