"""A dendrite's fan-in is checked against the dataset's input width before any training (some value of the
spec, or the default, must fit; configurations with the others are skipped as invalid): grid, random and
default values, the Python API and the CLI (the other bad specs: tests/search/test_architecture_and_optimizer.py
and tests/cli/test_search_command.py)."""

import json
import pathlib
import sys

import pytest

from biojax.cli import main
from biojax.search import HyperparameterSearcher, TrialPlan

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import make_dataset  # noqa: E402


def _searcher(**kwargs):
    return HyperparameterSearcher(make_dataset(n_features=10), max_params=2000, min_param_ratio=0.0, n_epochs=1,
                                  batch_size=64, verbose=False, **kwargs)


BAD_GRIDS = [
    ({"n_dendrite_inputs": [12, 11]}, "n_dendrite_inputs must be <= the input width 10 .* got 11; no value the spec "
                                      "gives fits, so no configuration could train"),
    ({"n_dendrite_inputs": [11]}, "n_dendrite_inputs must be <= the input width 10 .* got 11$"),
    ({"n_neurons": [4]}, "n_dendrite_inputs \\(the default, as the spec leaves it out\\) must be <= the input width 10"),
]


@pytest.mark.parametrize("grid, message", BAD_GRIDS, ids=[str(g) for g, _ in BAD_GRIDS])
def test_grids_whose_every_fan_in_exceeds_the_input_width_raise_before_any_training(grid, message):
    searcher = _searcher()
    with pytest.raises(ValueError, match=message):
        searcher.grid_search(grid)
    assert searcher.trainer.trace_counts == {} and searcher.results == [] and searcher.skipped == []


@pytest.mark.parametrize("spec, message", [
    ({"n_dendrite_inputs": (11, 12)}, "n_dendrite_inputs must be <= the input width 10 .* got 11"),
    ({"n_dendrite_inputs": {"type": "randint", "low": 14, "high": 64}}, "got 14"),
    ({"n_dendrite_inputs": {"type": "choice", "values": [40, 11]}}, "got 11"),
    ({"n_neurons": (4, 8)}, "n_dendrite_inputs \\(the default"),
])
def test_random_specs_whose_every_fan_in_exceeds_the_input_width_raise_before_drawing(spec, message):
    searcher = _searcher()
    with pytest.raises(ValueError, match=message):
        searcher.random_search(spec, n_trials=2)
    assert searcher.trainer.trace_counts == {} and searcher.skipped == []


def test_fan_ins_that_do_not_fit_beside_ones_that_do_are_skipped_with_the_reason():
    searcher = _searcher()
    results = searcher.grid_search({"n_neurons": [2], "n_dendrites": [2], "n_dendrite_inputs": [4, 11]})
    assert [r.params["n_dendrite_inputs"] for r in results if r.status == "ok"] == [4]
    (skipped,) = searcher.skipped
    assert skipped.status == "invalid" and skipped.params["n_dendrite_inputs"] == 11
    assert "n_dendrite_inputs must be <= the input width 10 (each dendrite reads distinct inputs), got 11" \
        in skipped.reason


def test_fan_in_checks_follow_the_architecture_and_the_searcher_defaults():
    plan = TrialPlan({})
    plan.check_spec({"n_dendrite_inputs": [4, 10]}, (2, 5))  # input width 2 x 5 = 10: allowed
    plan.check_spec({"n_dendrite_inputs": [4, 11]}, (2, 5))  # one fits: 11 is skipped when the search runs
    plan.check_spec({"n_dendrite_inputs": [64]})  # no dataset yet: not checked against a width
    with pytest.raises(ValueError, match="got 11"):
        plan.check_spec({"architecture": ["soma_disabled", "dendritic_simple"], "n_dendrite_inputs": [11]}, (10,))


def test_a_custom_model_factory_has_no_fan_in_setting():
    from search_testkit import gather_factory

    searcher = HyperparameterSearcher(make_dataset(), max_params=100, min_param_ratio=0.0, n_epochs=1,
                                      batch_size=64, verbose=False, model_factory=gather_factory)
    searcher.plan.check_spec({"hidden": [4], "k": [64]}, searcher.input_shape)


CLI = ["search", "--dataset", "digits", "--epochs", "1", "--quiet"]


@pytest.mark.parametrize("option", ["--grid", "--space"])
def test_cli_fan_in_errors_exit_2_before_training(tmp_path, capsys, option):
    out = tmp_path / "r.jsonl"
    (tmp_path / "wide.json").write_text(json.dumps({"n_dendrite_inputs": [65, 96]}))
    with pytest.raises(SystemExit) as info:
        main([*CLI, option, str(tmp_path / "wide.json"), "--out", str(out)])
    assert info.value.code == 2
    assert f"{option}: n_dendrite_inputs must be <= the input width 64 (each dendrite reads distinct inputs), got 65; no value" \
        in capsys.readouterr().err
    assert not out.exists()
