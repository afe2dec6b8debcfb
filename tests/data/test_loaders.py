"""Offline dataset loaders: splits, standardisation, IDX files, checksums and error messages."""

import gzip

import numpy as np
import pytest

from biojax.data import Dataset, load, read_idx, write_idx
from biojax.data.dataset import build_dataset
from biojax.data.idx import IDX_FILES, md5_of


def _write_fixture(root, *, gz, n_train=30, n_test=6, side=5, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, side, side), dtype=np.uint8),
        "train_labels": (np.arange(n_train) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, side, side), dtype=np.uint8),
        "test_labels": (np.arange(n_test) % 10).astype(np.uint8),
    }
    suffix = ".gz" if gz else ""
    paths = {role: write_idx(root / f"{IDX_FILES[role]}{suffix}", arr) for role, arr in arrays.items()}
    return arrays, paths


def _own_checksums(paths):
    return {p.name: md5_of(p) for p in paths.values()}


def test_unknown_name_lists_known_names():
    with pytest.raises(ValueError, match="'mnist1d', 'digits', 'mnist', 'fashion-mnist'.*'cifar10'"):
        load("cifar10")


def test_digits_splits_are_deterministic_and_seeded():
    a, b, c = load("digits", seed=3), load("digits", seed=3), load("digits", seed=4)
    np.testing.assert_array_equal(a.x_val, b.x_val)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.x_val, c.x_val)
    # the test images never depend on seed (only the training statistics that scale them do)
    np.testing.assert_array_equal(a.y_test, c.y_test)
    assert np.corrcoef(a.x_test.ravel(), c.x_test.ravel())[0, 1] > 1 - 1e-6
    assert a.x_train.shape[0] + a.x_val.shape[0] + a.x_test.shape[0] == 1797
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int32
    assert abs(float(a.x_train.mean())) < 1e-5 and abs(float(a.x_train.std()) - 1) < 1e-5


def test_digits_as_sequence_and_subset():
    d = load("digits", as_sequence=True, subset_size=100)
    assert d.x_train.shape == (100, 8, 8) and d.input_shape == (8, 8)
    assert d.x_val.shape[0] == 153


def test_mnist1d_flat_and_sequence():
    flat = load("mnist1d", seed=0, val_fraction=0.2)
    seq = load("mnist1d", seed=0, val_fraction=0.2, as_sequence=True)
    assert flat.x_train.shape == (3200, 40) and flat.x_test.shape == (1000, 40)
    assert seq.x_train.shape == (3200, 40, 1) and seq.input_shape == (40, 1)
    np.testing.assert_array_equal(flat.x_train, seq.x_train[..., 0])
    assert set(np.unique(flat.y_train)) == set(range(10))
    again = load("mnist1d", seed=0, val_fraction=0.2)
    np.testing.assert_array_equal(flat.x_val, again.x_val)


def test_standardisation_uses_training_rows_only():
    x_train = np.full((10, 2), 5.0) + np.arange(10)[:, None]
    x_test = np.full((3, 2), 100.0)
    d = build_dataset("toy", x_train, np.zeros(10), x_test, np.zeros(3), num_classes=2,
                      example_shape=(2,), seed=0, val_fraction=0.0, subset_size=None)
    mean, std = x_train.mean(), x_train.std()
    np.testing.assert_allclose(d.x_test, (100.0 - mean) / std, rtol=1e-6)
    assert abs(float(d.x_train.mean())) < 1e-6


def test_dataset_is_frozen():
    d = load("digits")
    assert isinstance(d, Dataset)
    with pytest.raises(AttributeError):
        d.name = "other"


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_idx_loader_reads_generated_files(tmp_path, gz, name):
    arrays, paths = _write_fixture(tmp_path, gz=gz)
    d = load(name, data_dir=tmp_path, checksums=_own_checksums(paths), val_fraction=0.2, seed=1)
    assert d.x_train.shape == (24, 25) and d.x_val.shape == (6, 25) and d.x_test.shape == (6, 25)
    pixels = arrays["train_images"].reshape(30, -1) / 255.0
    order = np.random.default_rng(1).permutation(30)
    train_rows = pixels[order[6:]]
    expected = (pixels[order[:6]] - train_rows.mean()) / train_rows.std()
    np.testing.assert_allclose(d.x_val, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(d.y_test, arrays["test_labels"])
    seq = load(name, data_dir=tmp_path, checksums={}, as_sequence=True)
    assert seq.input_shape == (5, 5) and seq.x_test.shape == (6, 5, 5)


def test_idx_checksum_mismatch_is_reported(tmp_path):
    _, paths = _write_fixture(tmp_path, gz=True)
    wrong = _own_checksums(paths) | {"t10k-labels-idx1-ubyte.gz": "0" * 32}
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz: MD5 checksum"):
        load("mnist", data_dir=tmp_path, checksums=wrong)
    with pytest.raises(ValueError, match="not the published mnist file"):
        load("mnist", data_dir=tmp_path)  # default: the published digests, which these are not


def test_missing_idx_files_say_where_to_put_them(tmp_path):
    _, paths = _write_fixture(tmp_path, gz=False)
    paths["test_images"].unlink()
    with pytest.raises(FileNotFoundError) as info:
        load("fashion-mnist", data_dir=tmp_path, checksums={})
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and str(tmp_path) in message
    assert "BIOJAX_DATA_DIR" in message and "train-labels-idx1-ubyte" in message


def test_idx_round_trip_and_malformed_file(tmp_path):
    arr = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "a.gz", arr)), arr)
    with gzip.open(tmp_path / "bad.gz", "wb") as handle:
        handle.write(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")
    with pytest.raises(ValueError, match="5 bytes of data"):
        read_idx(tmp_path / "bad.gz")
    (tmp_path / "junk").write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "junk")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="val_fraction"):
        load("digits", val_fraction=1.5)
    with pytest.raises(ValueError, match="subset_size"):
        load("digits", subset_size=0)
    with pytest.raises(ValueError, match="IDX datasets only"):
        load("digits", data_dir="/tmp")


@pytest.mark.parametrize("damage", ["not gzip", "truncated", "bad crc"])
def test_a_corrupt_gzip_idx_file_raises_a_value_error_naming_it(tmp_path, damage):
    path = write_idx(tmp_path / "x-idx1-ubyte.gz", np.arange(200, dtype=np.uint8))
    data = path.read_bytes()
    broken = {"not gzip": b"plain bytes, no gzip header",
              "truncated": data[: len(data) // 2],
              "bad crc": data[:-8] + bytes(8)}[damage]
    path.write_bytes(broken)
    with pytest.raises(ValueError, match=r"x-idx1-ubyte.gz is not a readable gzip file \(.+\); it is corrupt or truncated"):
        read_idx(path)


def test_idx_labels_outside_the_ten_classes_are_rejected(tmp_path):
    arrays, paths = _write_fixture(tmp_path, gz=False)
    labels = arrays["test_labels"].copy()
    labels[2] = 12
    write_idx(paths["test_labels"], labels)
    with pytest.raises(ValueError, match=r"mnist test \(.*t10k-labels-idx1-ubyte\) labels must be class ids in \[0, 10\), got values in \[0, 12\]"):
        load("mnist", data_dir=tmp_path, checksums={})


def test_build_dataset_checks_labels_and_features():
    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    common = dict(num_classes=2, example_shape=(2,), seed=0, val_fraction=0.25, subset_size=None)
    with pytest.raises(ValueError, match=r"toy train labels must be class ids in \[0, 2\), got values in \[-1, 1\]"):
        build_dataset("toy", x, np.array([0, 1, -1, 1]), x, y, **common)
    with pytest.raises(ValueError, match="toy test labels must be integer class ids, got dtype float64"):
        build_dataset("toy", x, y, x, np.array([0.0, 0.5, 1.0, 1.0]), **common)
    with pytest.raises(ValueError, match=r"toy train labels must have shape \(4,\), one per example, got \(3,\)"):
        build_dataset("toy", x, y[:3], x, y, **common)
    with pytest.raises(ValueError, match="toy train features must be finite, got 1 NaN or inf values"):
        build_dataset("toy", np.array([[np.nan, 0.0], [0, 0], [0, 0], [0, 0]]), y, x, y, **common)
