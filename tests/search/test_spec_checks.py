"""Search specs are checked before any training: the issue's bad grids, fan-in against the dataset's input
width (grid, random and default values), spec files, and the CLI's exit status for each."""

import json
import pathlib
import sys

import pytest

from biojax.cli import main
from biojax.search import HyperparameterSearcher, TrialPlan
from biojax.search.spec_files import load_spec_file

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import make_dataset  # noqa: E402


def _searcher(**kwargs):
    return HyperparameterSearcher(make_dataset(n_features=10), max_params=2000, min_param_ratio=0.0, n_epochs=1,
                                  batch_size=64, verbose=False, **kwargs)


BAD_GRIDS = [
    ({"n_neuron": [8], "n_dendrite_inputs": [4]}, ValueError, "unknown setting 'n_neuron' \\(did you mean 'n_neurons'\\?\\)"),
    ({"n_neurons": ["eight"], "n_dendrite_inputs": [4]}, TypeError, "n_neurons must be an integer, got 'eight'"),
    ({"lr": [-1e-3], "n_dendrite_inputs": [4]}, ValueError, "lr must be a finite number > 0, got -0.001"),
    ({"lr": [float("nan")], "n_dendrite_inputs": [4]}, ValueError, "lr must be"),
    ({"weight_decay": [-0.1], "n_dendrite_inputs": [4]}, ValueError, "weight_decay must be a finite number >= 0"),
    ({"percentage_resample": [1.5], "n_dendrite_inputs": [4]}, ValueError, "percentage_resample must be in \\[0.0, 1.0\\]"),
    ({"steps_to_resample": [0], "n_dendrite_inputs": [4]}, ValueError, "steps_to_resample must be an integer >= 1, got 0"),
    ({"seed": [-1], "n_dendrite_inputs": [4]}, ValueError, "seed must be an integer >= 0, got -1"),
    ({"n_dendrite_inputs": [4, 11]}, ValueError, "n_dendrite_inputs must be <= the input width 10 .* got 11"),
    ({"n_neurons": [4]}, ValueError, "n_dendrite_inputs \\(the default, as the spec leaves it out\\) must be <= the input width 10"),
]


@pytest.mark.parametrize("grid, error, message", BAD_GRIDS, ids=[str(g) for g, _, _ in BAD_GRIDS])
def test_bad_grids_raise_before_any_training(grid, error, message):
    searcher = _searcher()
    with pytest.raises(error, match=message):
        searcher.grid_search(grid)
    assert searcher.trainer.trace_counts == {} and searcher.results == [] and searcher.skipped == []


@pytest.mark.parametrize("spec, message", [
    ({"n_dendrite_inputs": (2, 12)}, "n_dendrite_inputs must be <= the input width 10 .* got 12"),
    ({"n_dendrite_inputs": {"type": "randint", "low": 4, "high": 64}}, "got 64"),
    ({"n_dendrite_inputs": {"type": "choice", "values": [4, 40]}}, "got 40"),
    ({"n_neurons": (4, 8)}, "n_dendrite_inputs \\(the default"),
])
def test_random_specs_whose_fan_in_can_exceed_the_input_width_raise_before_drawing(spec, message):
    searcher = _searcher()
    with pytest.raises(ValueError, match=message):
        searcher.random_search(spec, n_trials=2)
    assert searcher.trainer.trace_counts == {} and searcher.skipped == []


def test_fan_in_checks_follow_the_architecture_and_the_searcher_defaults():
    plan = TrialPlan({})
    plan.check_spec({"n_dendrite_inputs": [4, 10]}, (2, 5))  # input width 2 x 5 = 10: allowed
    plan.check_spec({"n_dendrite_inputs": [64]})  # no dataset yet: not checked against a width
    with pytest.raises(ValueError, match="got 11"):
        plan.check_spec({"architecture": ["soma_disabled", "dendritic_simple"], "n_dendrite_inputs": [11]}, (10,))


def test_a_custom_model_factory_has_no_fan_in_setting():
    from search_testkit import gather_factory

    searcher = HyperparameterSearcher(make_dataset(), max_params=100, min_param_ratio=0.0, n_epochs=1,
                                      batch_size=64, verbose=False, model_factory=gather_factory)
    searcher.plan.check_spec({"hidden": [4], "k": [64]}, searcher.input_shape)


@pytest.mark.parametrize("content, message", [
    (None, "--grid .*missing.json: no such file"),
    ("{\"lr\": [0.1,", "--grid .*spec.json is not valid JSON: Expecting value at line 1, column 13"),
    ("[1, 2]", "--grid .*spec.json must hold a JSON object \\{setting: values\\}, got a JSON list"),
    (b"\xff\xfe", "--grid .*spec.json cannot be read"),
])
def test_load_spec_file_names_the_option_and_the_file(tmp_path, content, message):
    path = tmp_path / ("missing.json" if content is None else "spec.json")
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_spec_file(path, "--grid")
    with pytest.raises(ValueError, match="--space .* is a directory; expected a JSON file"):
        load_spec_file(tmp_path, "--space")


CLI = ["search", "--dataset", "digits", "--epochs", "1", "--quiet"]


@pytest.mark.parametrize("option", ["--grid", "--space"])
def test_cli_spec_errors_exit_2_before_training(tmp_path, capsys, option):
    out = tmp_path / "r.jsonl"
    (tmp_path / "bad.json").write_text("{not json}")
    (tmp_path / "wide.json").write_text(json.dumps({"n_dendrite_inputs": [16, 65]}))
    for name, message in (("missing.json", "no such file"), ("bad.json", "is not valid JSON"),
                          ("wide.json", "n_dendrite_inputs must be <= the input width 64 (each dendrite reads "
                                        "distinct inputs), got 65")):
        with pytest.raises(SystemExit) as info:
            main([*CLI, option, str(tmp_path / name), "--out", str(out)])
        assert info.value.code == 2
        assert message in capsys.readouterr().err
    assert not out.exists()
