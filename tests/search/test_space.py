import numpy as np
import pytest

from biojax.search.space import budget_status, check_distribution, grid_configs, sample_config


def test_every_random_spec_form_samples_within_its_range():
    spec = {
        "n_neurons": (8, 15),
        "n_dendrites": [4, 6, 8, 10],
        "n_dendrite_inputs": {"type": "randint", "low": 32, "high": 200},
        "pct": {"type": "uniform", "low": 0.1, "high": 0.5},
        "lr": {"type": "loguniform", "low": 1e-4, "high": 1e-2},
        "arch": {"type": "choice", "values": ["a", "b"]},
        "constant": "dendritic_simple",
    }
    rng = np.random.default_rng(0)
    draws = [sample_config(spec, rng) for _ in range(400)]
    assert {d["n_neurons"] for d in draws} == set(range(8, 16))  # inclusive on both ends
    assert {d["n_dendrites"] for d in draws} == {4, 6, 8, 10}
    assert all(32 <= d["n_dendrite_inputs"] <= 200 and isinstance(d["n_dendrite_inputs"], int) for d in draws)
    assert all(0.1 <= d["pct"] <= 0.5 for d in draws)
    logs = np.log10([d["lr"] for d in draws])
    assert logs.min() >= -4 and logs.max() <= -2 and abs(np.median(logs) + 3) < 0.25  # uniform in log space
    assert {d["arch"] for d in draws} == {"a", "b"}
    assert all(d["constant"] == "dendritic_simple" for d in draws)


@pytest.mark.parametrize(
    "spec, error, message",
    [
        ([], ValueError, "n: a choice list must not be empty"),
        ((1, 2, 3), ValueError, "must be (low, high)"),
        ((5, 1), ValueError, "needs low <= high, got (5, 1)"),
        ((1.5, 3), TypeError, "n low must be an integer, got 1.5"),
        ({"type": "normal", "low": 0, "high": 1}, ValueError, "distribution type must be one of 'uniform'"),
        ({"type": "uniform", "low": 0}, ValueError, "needs 'low' and 'high'"),
        ({"type": "loguniform", "low": 0.0, "high": 1.0}, ValueError, "n low must be in (0.0, inf), got 0.0"),
        ({"type": "choice", "values": []}, ValueError, "needs a non-empty 'values' list"),
        ({"type": "uniform", "low": 2.0, "high": 1.0}, ValueError, "needs low <= high"),
        (object(), TypeError, "a spec must be a list, a (low, high) tuple"),
    ],
)
def test_bad_random_specs_name_the_parameter_and_the_problem(spec, error, message):
    with pytest.raises(error) as info:
        check_distribution("n", spec)
    assert message in str(info.value)


def test_grid_is_the_full_product_and_max_trials_is_a_seeded_subset():
    grid = {"a": [1, 2, 3], "b": [True, False], "c": "x"}
    combos = grid_configs(grid)
    assert len(combos) == 6 and all(c["c"] == "x" for c in combos)
    assert len({tuple(sorted(c.items())) for c in combos}) == 6
    first = grid_configs(grid, 4, rng=np.random.default_rng(3))
    again = grid_configs(grid, 4, rng=np.random.default_rng(3))
    assert first == again and len(first) == 4 and all(c in combos for c in first)
    assert grid_configs(grid, 100) == combos


@pytest.mark.parametrize(
    "grid, error, message",
    [
        ({"a": []}, ValueError, "param_grid['a'] must not be an empty list"),
        ({"a": {"type": "uniform"}}, TypeError, "param_grid['a'] must be a list of values"),
        ([("a", [1])], TypeError, "param_grid must be a dict"),
        ({1: [1]}, TypeError, "parameter names must be strings"),
    ],
)
def test_bad_grids_raise_clear_errors(grid, error, message):
    with pytest.raises(error) as info:
        grid_configs(grid)
    assert message in str(info.value)


def test_bad_max_trials():
    with pytest.raises(ValueError, match="max_trials must be an integer >= 1, got 0"):
        grid_configs({"a": [1]}, 0)


def test_budget_rule_is_inclusive_at_both_ends_and_exact():
    assert budget_status(8000, 8000, 0.8)[0] == "ok"
    assert budget_status(6400, 8000, 0.8)[0] == "ok"
    assert budget_status(6399, 8000, 0.8)[0] == "under_budget"
    assert budget_status(8001, 8000, 0.8) == ("over_budget", "8001 params > max_params 8000")
    # exact comparison, not the seed's int() floor: 0.8 * 8001 = 6400.8, so 6400 is under budget
    assert budget_status(6400, 8001, 0.8)[0] == "under_budget"
    assert budget_status(1, 8000, 0.0)[0] == "ok"
