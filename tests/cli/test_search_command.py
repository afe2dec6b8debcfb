import argparse
import json

import pytest

from biojax.cli import main
from biojax.cli.search_setup import TRAINING_DEFAULTS, training_defaults

TINY = ["--dataset", "digits", "--max-params", "3000", "--epochs", "1", "--batch-size", "128", "--quiet"]


def test_search_command_end_to_end_then_resume(tmp_path, capsys):
    out = tmp_path / "results.jsonl"
    assert main(["search", *TINY, "--trials", "4", "--structures", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Top 4 of 4 trials (ranked on validation accuracy" in printed
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4 and all(2400 <= r["total_params"] <= 3000 for r in records)
    assert len({r["bucket_id"] for r in records}) == 1  # one structure; resampling on/off is traced
    assert (tmp_path / "results.png").stat().st_size > 5000
    assert main(["search", *TINY, "--trials", "4", "--structures", "1", "--out", str(out), "--resume"]) == 0
    assert len(out.read_text().splitlines()) == 4  # nothing repeated


def test_search_command_with_a_grid_file_lists_skipped_configs(tmp_path, capsys):
    grid = tmp_path / "grid.json"
    grid.write_text(json.dumps({"n_neurons": [4, 36], "n_dendrites": [4], "n_dendrite_inputs": [16],
                                "synaptic_resampling": [False], "lr": [0.003, 0.01]}))
    out = tmp_path / "g.jsonl"
    assert main(["search", *TINY, "--grid", str(grid), "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2  # n_neurons=4 is under the budget window
    assert "2 configurations skipped" in capsys.readouterr().out


def _misuse(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(["search", *argv])
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert err.startswith("usage: biojax search"), err
    assert "Traceback" not in err
    return err.split("biojax search: error: ", 1)[1].strip()


@pytest.mark.parametrize("argv, message", [
    (["--trials", "0"], "argument --trials: must be an integer >= 1, got '0'"),
    (["--max-params", "0"], "argument --max-params: must be an integer >= 1, got '0'"),
    (["--epochs", "two"], "argument --epochs: must be an integer >= 1, got 'two'"),
    (["--top", "-1"], "argument --top: must be an integer >= 1, got '-1'"),
    (["--seed", "-1"], "argument --seed: must be an integer >= 0, got '-1'"),
    (["--lr", "0"], "argument --lr: must be a number > 0.0, got '0'"),
    (["--min-param-ratio", "1.5"], "argument --min-param-ratio: must be a number in [0.0, 1.0], got '1.5'"),
    (["--cpu-devices", "0"], "argument --cpu-devices: must be an integer >= 1, got '0'"),
    (["--dataset", "cifar10"],
     "argument --dataset: must be one of mnist1d, digits, mnist, fashion-mnist, got 'cifar10'"),
    (["--grid", "/nonexistent.json"], "argument --grid: cannot read '/nonexistent.json': no such file"),
    (["--out", "/nonexistent/r.jsonl"],
     "argument --out: the folder '/nonexistent' of '/nonexistent/r.jsonl' does not exist"),
    (["--dataset", "digits", "--data-dir", "/tmp"],
     "--data-dir applies to --dataset mnist or fashion-mnist, not to --dataset digits"),
])
def test_misuse_names_the_flag_under_the_search_usage(capsys, argv, message):
    assert _misuse(capsys, *argv) == message


def test_grid_and_space_files_are_checked_before_training(tmp_path, capsys):
    bad_json, a_list, unknown, empty = (tmp_path / name for name in ("bad.json", "list.json", "unknown.json",
                                                                     "empty.json"))
    bad_json.write_text("{'n_neurons': [8]}")
    a_list.write_text("[8, 12]")
    unknown.write_text(json.dumps({"n_neuron": [8]}))
    empty.write_text(json.dumps({"n_neurons": []}))
    assert _misuse(capsys, "--grid", str(bad_json)).startswith(f"argument --grid: '{bad_json}' is not valid JSON (")
    assert _misuse(capsys, "--space", str(a_list)) == (
        f"argument --space: '{a_list}' must hold a JSON object {{name: values, ...}}, got a JSON list")
    assert _misuse(capsys, *TINY, "--grid", str(unknown)).startswith(
        "--grid: unknown setting 'n_neuron' (did you mean 'n_neurons'?); known settings: architecture, optimizer,")
    assert _misuse(capsys, *TINY, "--grid", str(empty)) == "--grid: param_grid['n_neurons'] must not be an empty list"
    assert _misuse(capsys, "--grid", str(empty), "--space", str(empty)) == (
        "argument --space: not allowed with argument --grid")


def test_a_budget_outside_the_default_space_says_what_fits(capsys):
    message = _misuse(capsys, *TINY, "--max-params", "10", "--out", "x.jsonl")
    assert message.startswith("--max-params 10: the default search space has no dendritic structure with 8 to 10 "
                              "parameters for digits (64 inputs, 10 classes); its structures have ")
    low, high = (int(n) for n in message.split("its structures have ")[1].split(" parameters")[0].split(" to "))
    assert 10 < low < 3000 < high


def test_missing_idx_files_are_named_with_the_folder_and_the_ways_to_give_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BIOJAX_DATA_DIR", str(tmp_path))
    message = _misuse(capsys, "--dataset", "fashion-mnist", "--out", str(tmp_path / "r.jsonl"))
    assert message.startswith(f"--dataset fashion-mnist reads its IDX files from {tmp_path / 'fashion-mnist'}, "
                              "but train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                              "t10k-labels-idx1-ubyte (plain or .gz) are not there")
    assert "--data-dir DIR" in message and "BIOJAX_DATA_DIR" in message and "README, section Datasets" in message
    assert not (tmp_path / "r.jsonl").exists()


def test_search_reads_idx_files_from_data_dir(tmp_path, capsys):
    import numpy as np

    from biojax.data import write_idx

    rng = np.random.default_rng(0)
    for split, n in (("train", 200), ("t10k", 40)):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", rng.integers(0, 256, (n, 8, 8), dtype=np.uint8))
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    out = tmp_path / "idx.jsonl"
    assert main(["search", *TINY, "--dataset", "mnist", "--data-dir", str(tmp_path), "--trials", "2",
                 "--structures", "1", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 and {r["status"] for r in records} == {"ok"}


def test_missing_extras_end_in_one_line_naming_the_extra(tmp_path):
    import subprocess
    import sys

    code = ("import sys\n"
            "sys.modules['tqdm'] = sys.modules['mnist1d'] = None\n"
            "from biojax.cli import main\n"
            "sys.exit(main(['search', '--fast', '--out', 'r.jsonl']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == ('biojax search --dataset mnist1d needs tqdm, mnist1d (not installed): '
                                     'pip install "biojax[all]"')
    assert not (tmp_path / "r.jsonl").exists()


def test_resampling_settings_share_one_bucket_and_take_effect():
    from biojax.search import HyperparameterSearcher

    searcher = HyperparameterSearcher("digits", max_params=3000, min_param_ratio=0.5, n_epochs=1, batch_size=64,
                                      verbose=False)
    results = searcher.grid_search({"n_neurons": [20], "n_dendrites": [4], "n_dendrite_inputs": [16],
                                    "synaptic_resampling": [False, True], "percentage_resample": [0.5],
                                    "steps_to_resample": [2]})
    assert [r.status for r in results] == ["ok", "ok"]
    assert results[0].bucket_id == results[1].bucket_id
    assert list(searcher.trainer.trace_counts.values()) == [1]
    assert results[0].val_loss != results[1].val_loss  # rewiring every 2 steps changes the run


def test_too_many_cpu_devices_after_jax_started_names_the_flag(capsys):
    import jax

    too_many = str(len(jax.devices("cpu")) + 1)
    message = _misuse(capsys, *TINY, "--cpu-devices", too_many, "--out", "x.jsonl")
    assert message.startswith(f"--cpu-devices {too_many}: use_cpu_cores({too_many}) came too late")


def test_search_command_searches_bio_rule_chains_in_the_same_buckets(tmp_path, capsys):
    out = tmp_path / "bio.jsonl"
    assert main(["search", *TINY, "--trials", "4", "--structures", "1", "--optimizer", "bio", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4 and {r["params"]["optimizer"] for r in records} == {"bio"}
    assert len({r["params"]["fuzzy_learning_rate_factor_nu"] for r in records}) == 4  # traced, drawn per trial
    assert len({r["bucket_id"] for r in records}) == 1
    assert all(r["status"] == "ok" for r in records)


def test_model_and_optimizer_flags_offer_what_the_search_registers():
    from biojax.cli.search_setup import MODELS, OPTIMIZER_NAMES
    from biojax.search.architecture import get_architecture
    from biojax.search.optimizers import OPTIMIZERS

    assert set(OPTIMIZER_NAMES) == set(OPTIMIZERS)
    assert [get_architecture(m).name for m in MODELS[1:]] == ["cfc", "ltc"]


@pytest.mark.parametrize("model, given, expected", [
    ("dendritic", {}, (15, 256)),
    ("cfc", {}, (TRAINING_DEFAULTS["cfc"]["epochs"], TRAINING_DEFAULTS["cfc"]["batch_size"])),
    ("ltc", {"epochs": 3}, (3, TRAINING_DEFAULTS["ltc"]["batch_size"])),
    ("cfc", {"epochs": 2, "batch_size": 64}, (2, 64)),
])
def test_epochs_and_batch_size_default_per_model(model, given, expected):
    args = argparse.Namespace(model=model, epochs=given.get("epochs"), batch_size=given.get("batch_size"))
    training_defaults(args)
    assert (args.epochs, args.batch_size) == expected
