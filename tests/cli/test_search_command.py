import json

import pytest

from biojax.cli import main

TINY = ["--dataset", "digits", "--max-params", "3000", "--epochs", "1", "--batch-size", "128", "--quiet"]


def test_search_command_end_to_end_then_resume(tmp_path, capsys):
    out = tmp_path / "results.jsonl"
    assert main(["search", *TINY, "--trials", "4", "--structures", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Top 10 of 4 trials (ranked on validation accuracy" in printed
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


def test_bad_search_arguments_exit_2_naming_the_argument(capsys):
    with pytest.raises(SystemExit) as info:
        main(["search", "--max-params", "0", "--out", "x.jsonl"])
    assert info.value.code == 2
    assert "max_params must be an integer >= 1, got 0" in capsys.readouterr().err


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


def test_cpu_devices_argument_is_checked(capsys):
    import jax

    for value, message in (("0", "cpu_devices must be an integer >= 1, got 0"),
                           (str(len(jax.devices("cpu")) + 1), "--cpu-devices")):
        with pytest.raises(SystemExit) as info:
            main(["search", "--cpu-devices", value, "--out", "x.jsonl"])
        assert info.value.code == 2
        assert message in capsys.readouterr().err


def test_search_command_searches_bio_rule_chains_in_the_same_buckets(tmp_path, capsys):
    out = tmp_path / "bio.jsonl"
    assert main(["search", *TINY, "--trials", "4", "--structures", "1", "--optimizer", "bio", "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4 and {r["params"]["optimizer"] for r in records} == {"bio"}
    assert len({r["params"]["fuzzy_learning_rate_factor_nu"] for r in records}) == 4  # traced, drawn per trial
    assert len({r["bucket_id"] for r in records}) == 1
    assert all(r["status"] == "ok" for r in records)
