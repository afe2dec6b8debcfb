"""scikit-learn's 8x8 handwritten digits (shipped inside scikit-learn: no download)."""

import numpy as np

from biojax.data.dataset import Dataset, build_dataset
from biojax.data.optional import require

DIGITS_TEST_FRACTION = 0.15
DIGITS_TEST_SEED = 0


def load_digits(
    *,
    seed: int = 0,
    val_fraction: float = 0.1,
    as_sequence: bool = False,
    subset_size: int | None = None,
) -> Dataset:
    """The 1,797 8x8 digit images of ``sklearn.datasets.load_digits``.

    The test split is fixed (15%, 270 images, chosen with a fixed shuffle) so that every ``seed``
    is scored on the same images; ``seed`` chooses the validation rows among the other 1,527.

    Args:
        seed: seed of the train/validation split.
        val_fraction: fraction of the non-test images held out for validation.
        as_sequence: examples of shape ``(8, 8)`` (rows as time steps) instead of ``(64,)``.
        subset_size: keep only this many training rows.

    Example:
        >>> d = load_digits(seed=0)
        >>> d.x_train.shape, d.x_val.shape, d.x_test.shape, d.num_classes
        ((1374, 64), (153, 64), (270, 64), 10)
    """
    require(["sklearn.datasets"], "the 'digits' dataset")
    from sklearn.datasets import load_digits as sklearn_load_digits

    bunch = sklearn_load_digits()
    x, y = np.asarray(bunch.data, np.float64), np.asarray(bunch.target)
    order = np.random.default_rng(DIGITS_TEST_SEED).permutation(x.shape[0])
    n_test = int(round(DIGITS_TEST_FRACTION * x.shape[0]))
    test, rest = order[:n_test], order[n_test:]
    shape = (8, 8) if as_sequence else (64,)
    return build_dataset("digits", x[rest], y[rest], x[test], y[test], num_classes=10,
                         example_shape=shape, seed=seed, val_fraction=val_fraction,
                         subset_size=subset_size)
