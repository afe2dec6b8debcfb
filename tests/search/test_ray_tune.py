import math
import os
import sys

import pytest

from biojax.data.optional import MissingExtraError
from biojax.search import ResultsStore, ray_tune_search

OPTIONS = {"dataset": "digits", "n_epochs": 1, "max_params": 2000, "min_param_ratio": 0.0, "batch_size": 128}
BUCKETS = [[{"n_neurons": n, "n_dendrites": 2, "n_dendrite_inputs": 8, "lr": lr, "seed": 0} for lr in (1e-3, 1e-2)]
           for n in (8, 12)]


@pytest.fixture
def local_ray(monkeypatch):
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.tune")
    monkeypatch.setenv("RAY_DEDUP_LOGS", "0")
    monkeypatch.setenv("JAX_PLATFORMS", "cpu")
    monkeypatch.delenv("XLA_FLAGS", raising=False)  # each worker uses one CPU device
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_two_ray_trials_stream_their_buckets_and_resume(local_ray, tmp_path):
    out = tmp_path / "results.jsonl"
    results = ray_tune_search(BUCKETS, out, searcher_options=OPTIONS, time_budget_s=240)
    records = ResultsStore(out).records
    assert len(results) == len(records) == 4 and not ResultsStore(out).problems
    assert {r.trial_id for r in results} == {record["trial_id"] for record in records}
    assert all(record["status"] == "ok" and 0.0 <= record["val_accuracy"] <= 1.0 for record in records)
    assert sorted(record["total_params"] for record in records) == [258, 258, 382, 382]
    assert {record["params"]["lr"] for record in records} == {1e-3, 1e-2}
    assert all(math.isfinite(record["test_accuracy"]) for record in records)
    best = max(records, key=lambda record: record["val_accuracy"])
    assert best["val_accuracy"] == max(r.val_accuracy for r in results)
    stamp = os.stat(out).st_mtime_ns
    again = ray_tune_search(BUCKETS, out, searcher_options=OPTIONS, time_budget_s=240)  # every bucket is done
    assert [r.trial_id for r in again] == [r.trial_id for r in results] and os.stat(out).st_mtime_ns == stamp


def test_reserved_searcher_options_are_rejected(tmp_path):
    with pytest.raises(ValueError, match=r"searcher_options must not set \['results_path'\]"):
        ray_tune_search(BUCKETS, tmp_path / "r.jsonl", searcher_options={"results_path": "x.jsonl"})
    with pytest.raises(TypeError, match=r"buckets\[0\] must be a non-empty list"):
        ray_tune_search([[]], tmp_path / "r.jsonl")


def test_without_ray_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.setitem(sys.modules, "ray.tune", None)
    with pytest.raises(MissingExtraError, match=r'ray_tune_search needs ray\[tune\] .*pip install "biojax\[ray\]"'):
        ray_tune_search(BUCKETS, tmp_path / "r.jsonl")
