"""``save_best`` / ``--save-best`` and ``load_best``: the winning trial's model comes back with the leaderboard's
numbers; missing, corrupt and foreign directories give clear errors and are never overwritten."""

import json
import pathlib
import sys

import jax
import numpy as np
import pytest

from biojax import checkpoint
from biojax.cli import main
from biojax.data import load
from biojax.search import HyperparameterSearcher, load_best, read_best_result
from biojax.search.engine import SplitData, make_bucket_fn

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import gather_factory, make_dataset  # noqa: E402

GRID = {"hidden": [6, 8], "k": [3], "lr": [0.003, 0.03], "seed": [0, 1]}


def _same_accuracy(model, variables, x, y, reported):
    """The same count of correct predictions as the search reported (its accuracies are float32 means)."""
    correct = int(np.sum(np.argmax(np.asarray(model.apply(variables, x)), -1) == y))
    return correct == round(reported * len(y)) and abs(correct / len(y) - reported) < 1e-6


def _gather_search(data, best_dir, **kwargs):
    options = dict(max_params=200, min_param_ratio=0.0, n_epochs=4, batch_size=32, verbose=False,
                   model_factory=gather_factory, save_best=best_dir)
    options.update(kwargs)
    return HyperparameterSearcher(data, **options)


def _two_trial_bucket(first_lr):
    """The data, a gather model, its device split and two trials' traced settings (learning rates first_lr, 0.01)."""
    data = make_dataset()
    split = SplitData.from_numpy(data.x_train, data.y_train, data.x_val, data.y_val, data.x_test, data.y_test)
    hparams = {"lr": np.array([first_lr, 0.01], np.float32), "weight_decay": np.zeros(2, np.float32),
               "seed": np.arange(2, dtype=np.uint32)}
    return data, gather_factory({"hidden": 8, "k": 3}, 3), split, hparams


def _snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_the_best_of_several_buckets_comes_back_with_its_validation_and_test_accuracy(tmp_path):
    data = make_dataset()
    searcher = _gather_search(data, tmp_path / "best")
    searcher.grid_search(GRID)
    best = searcher.get_best_results(1)[0]
    assert len({r.bucket_id for r in searcher.results}) == 2  # two structures, two buckets
    model, variables = load_best(tmp_path / "best", model_factory=gather_factory)
    assert set(variables) == {"params", "connectivity"}  # the non-trainable gather indices are kept too
    assert _same_accuracy(model, variables, data.x_val, data.y_val, best.val_accuracy)
    assert _same_accuracy(model, variables, data.x_test, data.y_test, best.test_accuracy)
    assert read_best_result(tmp_path / "best") == best


def test_kept_variables_are_those_of_the_best_epoch_not_the_last():
    data, model, split, hparams = _two_trial_bucket(first_lr=0.3)
    out = jax.jit(make_bucket_fn(model, n_epochs=6, batch_size=32, eval_mode="map", keep_best=True))(hparams, split)
    best_epochs = []
    for trial in range(2):
        variables = jax.tree.map(lambda leaf, t=trial: leaf[t], out["best_variables"])
        accuracies, losses = np.asarray(out["val_accuracy"][trial]), np.asarray(out["val_loss"][trial])
        best_epoch = int(np.lexsort((losses, -accuracies))[0])
        best_epochs.append(best_epoch)
        assert _same_accuracy(model, variables, data.x_val, data.y_val, accuracies[best_epoch])
    assert min(best_epochs) < 5, best_epochs  # some trial peaked before its last epoch


def test_training_numbers_do_not_change_when_the_best_variables_are_kept():
    data, model, split, hparams = _two_trial_bucket(first_lr=0.03)
    runs = [jax.jit(make_bucket_fn(model, n_epochs=3, batch_size=32, eval_mode="map", keep_best=keep))(hparams, split)
            for keep in (False, True)]
    for name in ("train_loss", "val_accuracy", "val_loss", "test_accuracy"):
        np.testing.assert_allclose(runs[0][name], runs[1][name], rtol=1e-6)


def test_a_resumed_search_keeps_the_saved_best_as_the_bar(tmp_path, capsys):
    data = make_dataset()
    results, best_dir = tmp_path / "r.jsonl", tmp_path / "best"
    with _gather_search(data, best_dir, results_path=results) as first:
        first.grid_search({**GRID, "hidden": [8], "lr": [0.03]})
        saved = read_best_result(best_dir)
    before = _snapshot(best_dir)
    with _gather_search(data, best_dir, results_path=results) as second:  # a much worse learning rate
        second.grid_search({**GRID, "hidden": [8], "lr": [0.03, 1e-5]})
    assert len(second.results) == 4 and second.get_best_results(1)[0] == saved  # the new trials are worse
    assert second.best_keeper.saved == saved and _snapshot(best_dir) == before


def test_the_leaderboard_best_from_an_earlier_run_without_save_best_is_reported(tmp_path, capsys):
    data = make_dataset()
    results = tmp_path / "r.jsonl"
    with _gather_search(data, None, results_path=results) as first:
        first.grid_search({**GRID, "hidden": [8]})
    with _gather_search(data, tmp_path / "best", results_path=results, verbose=True) as second:
        second.grid_search({**GRID, "hidden": [8]})
    out = capsys.readouterr().out
    assert "was trained in an earlier run without save_best" in out
    assert not (tmp_path / "best").exists()  # nothing was trained, so nothing could be saved


@pytest.mark.parametrize("damage", ["arrays", "meta", "missing_arrays"])
def test_a_corrupt_checkpoint_is_refused_and_left_as_it_was(tmp_path, damage):
    data = make_dataset()
    best_dir = tmp_path / "best"
    _gather_search(data, best_dir).grid_search({**GRID, "hidden": [8], "seed": [0]})
    if damage == "arrays":
        (best_dir / "arrays.msgpack").write_bytes((best_dir / "arrays.msgpack").read_bytes()[:-7])
    elif damage == "meta":
        (best_dir / "meta.json").write_text("{not json")
    else:
        (best_dir / "arrays.msgpack").unlink()
    before = _snapshot(best_dir)
    with pytest.raises(ValueError, match="not a readable best-trial checkpoint"):
        load_best(best_dir, model_factory=gather_factory)
    with pytest.raises(ValueError, match=r"^save_best: .* nothing was changed there"):
        _gather_search(data, best_dir)
    assert _snapshot(best_dir) == before


def test_foreign_and_missing_directories(tmp_path):
    data = make_dataset()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="save_best"):
        _gather_search(data, mine)
    assert (mine / "notes.txt").read_text() == "keep me"
    plain = checkpoint.save(tmp_path / "plain", {"w": np.ones(2)})
    with pytest.raises(ValueError, match="not one of a search's best trial"):
        _gather_search(data, plain)
    with pytest.raises(FileNotFoundError, match="no best-trial checkpoint"):
        load_best(tmp_path / "absent")
    with pytest.raises(TypeError, match="save_best must be a directory path, got int"):
        _gather_search(data, 3)


def test_a_factory_search_needs_its_factory_to_load(tmp_path):
    _gather_search(make_dataset(), tmp_path / "best").grid_search({**GRID, "hidden": [8], "seed": [0]})
    with pytest.raises(ValueError, match="architecture 'custom', which is not registered.*model_factory"):
        load_best(tmp_path / "best")
    meta = json.loads((tmp_path / "best" / "meta.json").read_text())
    assert meta["config"]["model_config"] == {"hidden": 8, "k": 3}


def test_search_command_save_best_with_a_registered_architecture(tmp_path, capsys):
    out, best_dir = tmp_path / "cfc.jsonl", tmp_path / "best"
    args = ["search", "--model", "cfc", "--dataset", "digits", "--max-params", "3000", "--epochs", "2",
            "--trials", "2", "--structures", "1", "--batch-size", "128", "--quiet", "--out", str(out),
            "--save-best", str(best_dir)]
    assert main(args) == 0
    assert f"best model: {best_dir}" in capsys.readouterr().out
    records = [json.loads(line) for line in out.read_text().splitlines()]
    best = max(records, key=lambda r: (r["val_accuracy"], -r["val_loss"]))
    model, variables = load_best(best_dir)  # no factory: the architecture is registered
    digits = load("digits", seed=0, as_sequence=True)  # what the command trained on
    assert _same_accuracy(model, variables, digits.x_val, digits.y_val, best["val_accuracy"])
    assert _same_accuracy(model, variables, digits.x_test, digits.y_test, best["test_accuracy"])


def test_search_command_names_the_flag_for_a_foreign_directory(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    args = ["search", "--dataset", "digits", "--max-params", "3000", "--epochs", "1", "--trials", "2",
            "--structures", "1", "--quiet", "--out", str(tmp_path / "r.jsonl"), "--save-best", str(tmp_path / "mine")]
    with pytest.raises(SystemExit):
        main(args)
    assert "--save-best:" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
