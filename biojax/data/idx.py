"""MNIST and Fashion-MNIST from IDX files in a local directory (plain or gzip), with checksums.

Nothing is downloaded unless ``download=True`` is passed explicitly; tests never do.
"""

import gzip
import hashlib
import os
import pathlib
import struct
import urllib.request
import zlib

import numpy as np

from biojax._validation import check_choice
from biojax.data.dataset import Dataset, build_dataset, check_split

IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# MD5 digests of the published .gz files (the values torchvision and the datasets' pages use).
IDX_CHECKSUMS = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
}

IDX_URLS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
          np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def default_data_dir(name: str) -> pathlib.Path:
    """Where IDX files for ``name`` are looked for: ``$BIOJAX_DATA_DIR/<name>`` if that variable
    is set, else ``~/.cache/biojax/<name>``.

    Example:
        >>> default_data_dir("mnist").name
        'mnist'
    """
    root = os.environ.get("BIOJAX_DATA_DIR")
    base = pathlib.Path(root).expanduser() if root else pathlib.Path.home() / ".cache" / "biojax"
    return base / name


def md5_of(path: str | os.PathLike) -> str:
    """Hex MD5 digest of a file's bytes.

    Example:
        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
        >>> _ = p.write_bytes(b"abc")
        >>> md5_of(p)
        '900150983cd24fb0d6963f7d28e17f72'
    """
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_idx(path: str | os.PathLike, array: np.ndarray) -> pathlib.Path:
    """Writes ``array`` as an IDX file (gzip-compressed if ``path`` ends in ``.gz``).

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = write_idx(pathlib.Path(tempfile.mkdtemp()) / "x-idx1-ubyte", np.arange(3, dtype=np.uint8))
        >>> read_idx(p).tolist()
        [0, 1, 2]
    """
    path = pathlib.Path(path)
    array = np.asarray(array)
    dtype = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    if dtype not in _CODES:
        raise TypeError(f"array dtype {array.dtype} cannot be written as IDX; allowed: "
                        "uint8, int8, int16, int32, float32, float64")
    header = struct.pack(">BBBB", 0, 0, _CODES[dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(dtype).tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.write(payload)
    return path


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Reads an IDX file (gzip-compressed if its name ends in ``.gz``) into a NumPy array.

    Raises:
        ValueError: if the file is not a well-formed IDX file, or a ``.gz`` file is not readable gzip
            (corrupt or truncated).

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> p = write_idx(pathlib.Path(tempfile.mkdtemp()) / "x.gz", np.ones((2, 3), np.uint8))
        >>> read_idx(p).shape
        (2, 3)
    """
    path = pathlib.Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise ValueError(f"{path} is not a readable gzip file ({error}); it is corrupt or truncated: delete it "
                         "and copy or download it again") from error
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {data[:4]!r})")
    ndim = data[3]
    offset = 4 + 4 * ndim
    shape = struct.unpack(f">{ndim}I", data[4:offset])
    dtype = np.dtype(_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - offset != expected:
        raise ValueError(f"{path}: header says shape {shape} ({expected} bytes of data) but the "
                         f"file holds {len(data) - offset} bytes")
    return np.frombuffer(data, dtype, offset=offset).reshape(shape)


def _find(directory: pathlib.Path, stem: str) -> pathlib.Path | None:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    return None


def missing_idx_files(name: str, data_dir: str | os.PathLike | None = None) -> tuple[pathlib.Path, list[str]]:
    """The folder where ``name``'s IDX files are looked for, and the standard file names missing there.

    Args:
        name: ``"mnist"`` or ``"fashion-mnist"``.
        data_dir: the folder; default :func:`default_data_dir`.

    Example:
        >>> import pathlib, tempfile
        >>> folder, missing = missing_idx_files("mnist", tempfile.mkdtemp())
        >>> missing[0]
        'train-images-idx3-ubyte'
    """
    check_choice("name", name, tuple(IDX_CHECKSUMS))
    directory = pathlib.Path(data_dir).expanduser() if data_dir is not None else default_data_dir(name)
    return directory, [stem for stem in IDX_FILES.values() if _find(directory, stem) is None]


def download_idx(name: str, data_dir: str | os.PathLike | None = None) -> pathlib.Path:
    """Downloads the four ``.gz`` IDX files of ``name`` into ``data_dir`` and checks their MD5.

    Needs network access; nothing in biojax calls it unless asked (``load(..., download=True)``).

    Example:
        >>> download_idx("cifar")
        Traceback (most recent call last):
        ...
        ValueError: name must be one of 'mnist', 'fashion-mnist', got 'cifar'
    """
    check_choice("name", name, tuple(IDX_URLS))
    directory = pathlib.Path(data_dir).expanduser() if data_dir is not None else default_data_dir(name)
    directory.mkdir(parents=True, exist_ok=True)
    for stem in IDX_FILES.values():
        target = directory / f"{stem}.gz"
        if not target.is_file():
            urllib.request.urlretrieve(IDX_URLS[name] + target.name, target)
        if md5_of(target) != IDX_CHECKSUMS[name][target.name]:
            target.unlink()
            raise ValueError(f"downloaded {target.name} has the wrong MD5 checksum; removed it")
    return directory


def load_idx_arrays(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    checksums: dict[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reads ``(x_train, y_train, x_test, y_test)`` of ``name`` from its four standard IDX files.

    Each file may be plain (``train-images-idx3-ubyte``) or gzip (``...-ubyte.gz``).

    Args:
        name: ``"mnist"`` or ``"fashion-mnist"``.
        data_dir: directory holding the files; default :func:`default_data_dir`.
        checksums: file name -> expected MD5. ``None`` uses the published digests of the ``.gz``
            files (plain files have none and are only checked structurally); ``{}`` skips checks.

    Raises:
        FileNotFoundError: naming the missing files and where to put them.
        ValueError: on a checksum mismatch or a malformed file.

    Example:
        >>> import pathlib, tempfile
        >>> load_idx_arrays("mnist", pathlib.Path(tempfile.mkdtemp()))
        Traceback (most recent call last):
        ...
        FileNotFoundError: mnist: missing IDX files ...
    """
    check_choice("name", name, tuple(IDX_CHECKSUMS))
    directory, missing = missing_idx_files(name, data_dir)
    expected = IDX_CHECKSUMS[name] if checksums is None else checksums
    paths = {role: _find(directory, stem) for role, stem in IDX_FILES.items()}
    if missing:
        raise FileNotFoundError(
            f"{name}: missing IDX files {missing} in {directory}. Put the four standard files "
            f"({', '.join(IDX_FILES.values())}, each plain or .gz) in that directory, or pass "
            f"data_dir=..., or set BIOJAX_DATA_DIR (files then go in $BIOJAX_DATA_DIR/{name}), "
            f"or call biojax.data.load({name!r}, download=True) where the network is available "
            "(README, section Datasets)."
        )
    arrays = {}
    for role, path in paths.items():
        digest = expected.get(path.name)
        if digest is not None and md5_of(path) != digest:
            raise ValueError(f"{path}: MD5 checksum {md5_of(path)} does not match the expected "
                             f"{digest}; the file is corrupt or not the published {name} file")
        arrays[role] = read_idx(path)
    x_train, y_train = arrays["train_images"], arrays["train_labels"]
    x_test, y_test = arrays["test_images"], arrays["test_labels"]
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.shape[0] != y.shape[0] or y.ndim != 1:
            raise ValueError(f"{name} {split}: {x.shape[0]} images but labels of shape {y.shape}")
        check_split(f"{name} {split} ({paths[split + '_labels']})", x, y, 10)
    return x_train, y_train, x_test, y_test


def load_idx_dataset(
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
    """MNIST or Fashion-MNIST from local IDX files as a :class:`Dataset`.

    Pixels are scaled to ``[0, 1]`` and then standardised with the training split's statistics;
    the 10,000 ``t10k`` images are the test split and ``seed`` picks the validation rows among
    the training images. Examples are flat ``(rows*cols,)`` or, with ``as_sequence``,
    ``(rows, cols)`` (image rows as time steps).

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> root = pathlib.Path(tempfile.mkdtemp())
        >>> for stem, arr in [("train-images-idx3-ubyte", np.zeros((20, 4, 4), np.uint8)),
        ...                   ("train-labels-idx1-ubyte", np.arange(20, dtype=np.uint8) % 10),
        ...                   ("t10k-images-idx3-ubyte", np.zeros((5, 4, 4), np.uint8)),
        ...                   ("t10k-labels-idx1-ubyte", np.arange(5, dtype=np.uint8))]:
        ...     _ = write_idx(root / stem, arr)
        >>> d = load_idx_dataset("mnist", data_dir=root, val_fraction=0.25)
        >>> d.x_train.shape, d.x_test.shape, d.input_shape
        ((15, 16), (5, 16), (16,))
    """
    check_choice("name", name, tuple(IDX_CHECKSUMS))
    if download:
        data_dir = download_idx(name, data_dir)
    x_train, y_train, x_test, y_test = load_idx_arrays(name, data_dir, checksums=checksums)
    rows, cols = x_train.shape[1:3]
    shape = (rows, cols) if as_sequence else (rows * cols,)
    x_train = x_train.reshape(x_train.shape[0], -1) / 255.0
    x_test = x_test.reshape(x_test.shape[0], -1) / 255.0
    return build_dataset(name, x_train, y_train, x_test, y_test, num_classes=10,
                         example_shape=shape, seed=seed, val_fraction=val_fraction,
                         subset_size=subset_size)
