"""The common return type of every biojax dataset loader, and the split/standardise helpers."""

import dataclasses

import numpy as np

from biojax._validation import check_int, check_number


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Train/validation/test splits of one classification dataset, as NumPy arrays.

    Features are ``float32`` and standardised with the mean and standard deviation of the
    training split only (one scalar each, so no statistic leaks from validation or test rows);
    labels are ``int32`` class ids in ``[0, num_classes)``.

    Attributes:
        name: the dataset's registry name, e.g. ``"mnist1d"``.
        x_train, y_train, x_val, y_val, x_test, y_test: the splits; ``x_*`` has shape
            ``(rows, *input_shape)``.
        num_classes: number of classes.
        input_shape: shape of one example, e.g. ``(40,)`` or ``(40, 1)`` as a sequence.

    Example:
        >>> import numpy as np
        >>> d = Dataset("toy", np.zeros((4, 2), np.float32), np.zeros(4, np.int32),
        ...             np.zeros((1, 2), np.float32), np.zeros(1, np.int32),
        ...             np.zeros((1, 2), np.float32), np.zeros(1, np.int32), 2, (2,))
        >>> d.num_train, d.input_size
        (4, 2)
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    input_shape: tuple[int, ...]

    @property
    def num_train(self) -> int:
        """Number of training rows."""
        return int(self.x_train.shape[0])

    @property
    def input_size(self) -> int:
        """Number of features of one flattened example."""
        return int(np.prod(self.input_shape))


def split_train_val(
    x: np.ndarray, y: np.ndarray, *, seed: int, val_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffles rows with ``seed`` and holds out ``round(val_fraction * rows)`` for validation.

    Example:
        >>> import numpy as np
        >>> xt, yt, xv, yv = split_train_val(np.arange(10.0)[:, None], np.arange(10), seed=0,
        ...                                  val_fraction=0.2)
        >>> xt.shape, xv.shape
        ((8, 1), (2, 1))
    """
    seed = check_int("seed", seed, minimum=0)
    val_fraction = check_number("val_fraction", val_fraction, minimum=0.0, maximum=1.0,
                                max_inclusive=False)
    order = np.random.default_rng(seed).permutation(x.shape[0])
    n_val = int(round(val_fraction * x.shape[0]))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def check_split(split: str, x: np.ndarray, y: np.ndarray, num_classes: int) -> None:
    """Raises ``ValueError`` unless ``y`` holds one integer class id in ``[0, num_classes)`` per row of a
    finite ``x``.

    Example:
        >>> import numpy as np
        >>> check_split("toy train", np.zeros((2, 3)), np.array([0, 10]), 10)
        Traceback (most recent call last):
        ...
        ValueError: toy train labels must be class ids in [0, 10), got values in [0, 10]
    """
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"{split} labels must have shape ({x.shape[0]},), one per example, got {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not (np.all(np.isfinite(y)) and np.all(y == np.round(y))):
            raise ValueError(f"{split} labels must be integer class ids, got dtype {y.dtype} with fractional values")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"{split} labels must be class ids in [0, {num_classes}), got values in "
                         f"[{y.min():g}, {y.max():g}]")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        raise ValueError(f"{split} features must be finite, got {int(np.sum(~np.isfinite(x)))} NaN or inf values")


def build_dataset(
    name: str,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    num_classes: int,
    example_shape: tuple[int, ...],
    seed: int,
    val_fraction: float,
    subset_size: int | None,
) -> Dataset:
    """Splits off validation rows, optionally subsets training rows, standardises, casts.

    ``subset_size`` keeps the first ``subset_size`` rows of the (already shuffled) training split;
    validation and test splits are never subset. The scalar mean and standard deviation come
    from the final training rows only.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> d = build_dataset("toy", rng.normal(5, 2, (20, 3)), np.arange(20) % 2,
        ...                   rng.normal(5, 2, (4, 3)), np.arange(4) % 2, num_classes=2,
        ...                   example_shape=(3,), seed=0, val_fraction=0.25, subset_size=None)
        >>> d.x_train.shape, round(float(d.x_train.mean()), 6), d.y_train.dtype
        ((15, 3), 0.0, dtype('int32'))
    """
    num_classes = check_int("num_classes", num_classes, minimum=1)
    for arg, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        check_split(f"{name} {arg}", np.asarray(x), np.asarray(y), num_classes)
    x_tr, y_tr, x_val, y_val = split_train_val(x_train, y_train, seed=seed,
                                               val_fraction=val_fraction)
    if subset_size is not None:
        subset_size = check_int("subset_size", subset_size, minimum=1)
        x_tr, y_tr = x_tr[:subset_size], y_tr[:subset_size]
    x_tr = np.asarray(x_tr, np.float64)
    mean, std = float(x_tr.mean()), float(x_tr.std())
    std = std if std > 0 else 1.0

    def features(x: np.ndarray) -> np.ndarray:
        x = (np.asarray(x, np.float64) - mean) / std
        return x.reshape((x.shape[0], *example_shape)).astype(np.float32)

    def labels(y: np.ndarray) -> np.ndarray:
        return np.asarray(y).astype(np.int32)

    return Dataset(name, features(x_tr), labels(y_tr), features(x_val), labels(y_val),
                   features(x_test), labels(y_test), int(num_classes), tuple(example_shape))
