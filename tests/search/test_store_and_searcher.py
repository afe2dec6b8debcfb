import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from biojax.search import HyperparameterSearcher, ResultsStore, SearchResult, Trial
from biojax.search.result import result_from_metrics

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import gather_factory, make_dataset  # noqa: E402

ROOT = pathlib.Path(__file__).parents[2]


def _searcher(**kwargs):
    options = dict(max_params=100, min_param_ratio=0.5, n_epochs=1, batch_size=64, verbose=False,
                   model_factory=gather_factory)
    options.update(kwargs)
    return HyperparameterSearcher(make_dataset(), **options)


def test_importing_and_writing_results_never_touch_the_umask(tmp_path):
    script = textwrap.dedent("""
        import os, sys
        calls = []
        real_umask = os.umask
        os.umask = lambda mask: calls.append(mask) or real_umask(mask)
        real_umask(0o027)
        import biojax.search
        from biojax.search import ResultsStore
        ResultsStore(sys.argv[1]).add([{"trial_id": "a"}])
        print(len(calls), oct(os.stat(sys.argv[1]).st_mode & 0o777))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "r.jsonl")], capture_output=True,
                            text=True, timeout=300, env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert result.stdout.split() == ["0", "0o640"], result.stderr[-2000:]


def test_store_round_trip_and_a_truncated_last_line_is_reported_and_skipped(tmp_path):
    path = tmp_path / "r.jsonl"
    store = ResultsStore(path)
    store.add([{"trial_id": "a", "x": 1.0}, {"trial_id": "b", "x": float("nan")}])
    store.add([{"trial_id": "c", "x": 3}])
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl"]  # no temp file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not the temp file's owner-only mode
    with open(path, "a") as handle:
        handle.write('{"trial_id": "d", "x": ')  # a crash mid-line from another writer
    again = ResultsStore(path)
    assert [r["trial_id"] for r in again.records] == ["a", "b", "c"]
    assert math.isnan(again.records[1]["x"])
    assert len(again.problems) == 1 and "r.jsonl:4: unreadable line skipped" in again.problems[0]
    again.add([{"trial_id": "d", "x": 4}])  # the rewrite drops the broken line
    assert ResultsStore(path).problems == [] and len(ResultsStore(path).records) == 4


def test_budget_filter_uses_exact_counts_and_lists_skipped_configs_with_reasons():
    # GatherNet(hidden, k) on 10 features, 3 classes: hidden*k + hidden*3 + 3 params
    searcher = _searcher()
    results = searcher.grid_search({"hidden": [2, 8, 14], "k": [4]})
    assert [r.total_params for r in results] == [59]  # 8*4 + 8*3 + 3
    reasons = {s.params["hidden"]: (s.status, s.reason) for s in searcher.skipped}
    assert reasons[2] == ("under_budget", "17 params < min_param_ratio 0.5 x max_params 100 = 50")
    assert reasons[14] == ("over_budget", "101 params > max_params 100")
    bad = searcher.grid_search({"hidden": [-1], "k": [4]})
    assert bad == [] and searcher.skipped[-1].status == "invalid"


def test_ranking_uses_validation_accuracy_and_reports_test_at_the_selected_epoch():
    searcher = _searcher()
    searcher.results = [
        SearchResult({"i": 0}, test_accuracy=0.99, train_accuracy=1.0, total_params=1, train_time=0.0,
                     final_test_loss=0.1, val_accuracy=0.50, val_loss=1.0),
        SearchResult({"i": 1}, 0.60, 1.0, 1, 0.0, 0.1, val_accuracy=0.80, val_loss=0.9),
        SearchResult({"i": 2}, 0.70, 1.0, 1, 0.0, 0.1, val_accuracy=0.80, val_loss=0.5),
        SearchResult({"i": 3}, 0.99, 1.0, 1, 0.0, float("nan"), val_accuracy=0.95, status="diverged"),
    ]
    assert [r.params["i"] for r in searcher.get_best_results(3)] == [2, 1, 0]
    metrics = {name: np.array([[0.0, 0.0, 0.0]]) for name in
               ("train_loss", "train_accuracy", "val_loss", "test_loss")}
    metrics["val_accuracy"] = np.array([[0.5, 0.9, 0.7]])
    metrics["test_accuracy"] = np.array([[0.4, 0.6, 0.95]])
    chosen = result_from_metrics(Trial("t", {"seed": 1}, 5), metrics, 0, "b", 0.0)
    assert chosen.best_epoch == 2 and chosen.test_accuracy == 0.6 and chosen.val_accuracy == 0.9


def test_diverged_trial_is_marked_and_not_ranked(tmp_path):
    searcher = _searcher(results_path=tmp_path / "r.jsonl")
    results = searcher.grid_search({"hidden": [8], "k": [4], "lr": [0.01, 1e30, 0.05]})  # 1e30 overflows
    assert [r.status for r in results] == ["ok", "diverged", "ok"]
    assert len({r.bucket_id for r in results}) == 1
    assert all(r.params["lr"] == r.params["lr"] for r in searcher.get_best_results(5))
    assert len(ResultsStore(tmp_path / "r.jsonl").records) == 3


def test_json_and_jsonl_round_trip_and_silence_when_not_verbose(tmp_path, capsys):
    searcher = _searcher()
    searcher.grid_search({"hidden": [8, 30], "k": [4], "lr": [0.01, 0.02]})
    assert capsys.readouterr() == ("", "")  # no progress bars, no skip messages with verbose=False
    for name in ("r.json", "r.jsonl"):
        searcher.save_results(tmp_path / name)
        loaded = _searcher().load_results(tmp_path / name)
        assert loaded == searcher.results and isinstance(loaded[0], SearchResult)
    assert isinstance(json.loads((tmp_path / "r.json").read_text()), list)


SEARCH_SCRIPT = textwrap.dedent(
    """
    import sys
    from biojax.search import HyperparameterSearcher
    from search_testkit import gather_factory, make_dataset
    searcher = HyperparameterSearcher(make_dataset(), max_params=400, min_param_ratio=0.0, n_epochs=1,
                                      batch_size=64, verbose=False, model_factory=gather_factory,
                                      results_path=sys.argv[1], max_bucket_size=4)
    results = searcher.grid_search({"hidden": [4, 5, 6, 7], "k": [3], "lr": [0.01, 0.02]})
    print("ran", len(searcher.trainer.trace_counts), "buckets;", len(results), "results")
    """
)


def test_killed_search_resumes_without_losing_or_repeating_trials(tmp_path):
    out = tmp_path / "results.jsonl"
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(pathlib.Path(__file__).parent)]))
    command = [sys.executable, "-c", SEARCH_SCRIPT, str(out)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if out.exists() and len(ResultsStore(out).records) >= 2:  # one bucket finished
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = ResultsStore(out).records
    assert 2 <= len(before) < 8, "the kill must land mid-search"
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    after = ResultsStore(out).records
    ids = [r["trial_id"] for r in after]
    assert len(ids) == 8 and len(set(ids)) == 8  # nothing lost, nothing repeated
    assert after[: len(before)] == before  # finished trials were not run again
    n_new_buckets = (8 - len(before)) // 2
    assert f"ran {n_new_buckets} buckets; 8 results" in finished.stdout
