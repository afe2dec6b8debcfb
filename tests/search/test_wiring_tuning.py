"""tune_hyperparameters: best config and resuming from the JSONL file."""

from __future__ import annotations

import json

import pytest

from biojax.wiring import AutoNCP, Wiring
from biojax.search import tune_hyperparameters

GRID = {"sparsity_level": [0.2, 0.5, 0.8], "seed": [1, 2]}


def _make(**config):
    return AutoNCP(8, 2, **config).build(2)


def _score(wiring):
    # peak at sparsity 0.5 and seed 2 (seed is read back from the wiring config)
    config = wiring.get_config()
    return -abs(config["sparsity_level"] - 0.5) + 0.01 * config["seed"]


def test_picks_best_and_records_all():
    calls = []
    result = tune_hyperparameters(_make, GRID, lambda w: calls.append(1) or _score(w))
    assert result.best_config == {"sparsity_level": 0.5, "seed": 2}
    assert result.best_score == pytest.approx(0.02)
    assert len(result.records) == len(calls) == 6
    assert max(r["score"] for r in result.records) == result.best_score


def test_resume_does_not_re_evaluate(tmp_path):
    path = tmp_path / "results.jsonl"
    calls = []

    def evaluate(wiring):
        calls.append(wiring.get_config()["sparsity_level"])
        assert isinstance(wiring, Wiring)
        return _score(wiring)

    first = tune_hyperparameters(_make, GRID, evaluate, results_path=path)
    assert len(calls) == 6
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    assert len(lines) == 6
    assert all("score" in json.loads(line) for line in lines)
    second = tune_hyperparameters(_make, GRID, evaluate, results_path=path)
    assert len(calls) == 6  # nothing evaluated again
    assert second.best_config == first.best_config and second.records == first.records
    assert len([line for line in path.read_text().splitlines() if line.strip()]) == 6
    # a larger grid evaluates only the new configs
    bigger = {"sparsity_level": [0.2, 0.5, 0.8, 0.4], "seed": [1, 2]}
    third = tune_hyperparameters(_make, bigger, evaluate, results_path=path)
    assert len(calls) == 8 and sorted(calls[6:]) == [0.4, 0.4]
    assert len(third.records) == 8
    assert len([line for line in path.read_text().splitlines() if line.strip()]) == 8


def test_make_wiring_must_return_wiring():
    with pytest.raises(TypeError, match="Wiring"):
        tune_hyperparameters(lambda **c: None, {"a": [1]}, lambda w: 0.0)
