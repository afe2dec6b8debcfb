"""The results file under faults, with real processes: a second search on the same file is refused, kill -9
at any moment then ``--resume`` gives exactly the uninterrupted run's trials and numbers, an unwritable
path fails before training, and a writer killed mid-write never leaves a partial file."""

import fcntl
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from biojax.search import HyperparameterSearcher, ResultsStore
from biojax.search.results_lock import ResultsInUseError, ResultsLock

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import make_dataset  # noqa: E402

ROOT = pathlib.Path(__file__).parents[2]
ENV = {**{k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}, "JAX_PLATFORMS": "cpu", "MPLBACKEND": "Agg",
       "PYTHONPATH": str(ROOT)}
GRID = {"n_neurons": [6, 8, 10], "n_dendrites": [4], "n_dendrite_inputs": [16], "synaptic_resampling": [False],
        "lr": [0.003, 0.01]}  # three structures, two trials each: three buckets of two


def _search_command(tmp_path, out, *extra, grid=GRID):
    spec = tmp_path / f"grid{len(grid['n_neurons'])}.json"
    spec.write_text(json.dumps(grid))
    return [sys.executable, "-m", "biojax", "search", "--dataset", "digits", "--subset-size", "200", "--grid",
            str(spec), "--out", str(out), "--max-params", "100000", "--min-param-ratio", "0", "--epochs", "1",
            "--batch-size", "64", "--max-bucket-size", "2", "--quiet", *extra]


def _records(out):
    return ResultsStore(out).records if out.exists() else []


def _wait_for(condition, process, seconds=240):
    deadline = time.time() + seconds
    while not condition() and process.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    return condition()


def _lock_is_held(out):
    lock = out.with_name(f".{out.name}.lock")
    if not lock.exists():
        return False
    with open(lock) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _comparable(records):
    return [{k: v for k, v in r.items() if k != "train_time"} for r in records]


def test_a_second_searcher_on_the_same_file_is_refused_until_the_first_is_closed(tmp_path):
    out = tmp_path / "r.jsonl"
    first = HyperparameterSearcher(make_dataset(), verbose=False, results_path=out)
    with pytest.raises(ResultsInUseError, match=rf"results_path '{out}' is already in use by another search"):
        HyperparameterSearcher(make_dataset(), verbose=False, results_path=out)
    first.close()
    with HyperparameterSearcher(make_dataset(), verbose=False, results_path=out, min_param_ratio=0.0) as again:
        assert again.store is not None
    ResultsLock(out).release()  # the with block released it
    with pytest.raises(ValueError, match="this searcher was closed"):
        again.run_configs([{"n_dendrite_inputs": 4}])


def test_unwritable_results_paths_fail_when_the_searcher_is_made(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    with pytest.raises(ValueError, match=rf"results_path '{blocker}/r.jsonl' cannot be written"):
        HyperparameterSearcher(make_dataset(), verbose=False, results_path=blocker / "r.jsonl")
    with pytest.raises(ValueError, match=rf"results_path '{tmp_path}' is a directory"):
        HyperparameterSearcher(make_dataset(), verbose=False, results_path=tmp_path)


def test_resume_false_ignores_an_old_file_until_the_first_bucket_replaces_it(tmp_path):
    out = tmp_path / "r.jsonl"
    ResultsStore(out).add([{"trial_id": "old"}])
    with HyperparameterSearcher(make_dataset(), verbose=False, results_path=out, resume=False) as searcher:
        assert searcher.store.records == [] and ResultsStore(out).finished_ids() == {"old"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_folder_fails_when_the_searcher_is_made(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir(mode=0o500)
    with pytest.raises(ValueError, match="cannot be written"):
        HyperparameterSearcher(make_dataset(), verbose=False, results_path=folder / "r.jsonl")


def test_an_unwritable_out_fails_before_training(tmp_path):
    # /proc exists but takes no new files, even for root (for whom permission bits do not count); a missing
    # folder is refused when the command line is read (tests/cli/test_search_command.py).
    start = time.time()
    result = subprocess.run(_search_command(tmp_path, pathlib.Path("/proc/biojax-results.jsonl")), env=ENV,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "results_path '/proc/biojax-results.jsonl' cannot be written" in result.stderr
    assert result.stdout == "" and time.time() - start < 120


@pytest.mark.slow
def test_a_second_biojax_search_process_on_the_same_file_exits_2_and_leaves_the_first_ones_results(tmp_path):
    out = tmp_path / "r.jsonl"
    longer = {**GRID, "n_neurons": [6, 8, 10, 12, 14, 16, 18, 20]}
    first = subprocess.Popen(_search_command(tmp_path, out, "--epochs", "3", grid=longer), env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: len(_records(out)) >= 2, first), first.stderr.read()[-2000:]
        before = [r["trial_id"] for r in _records(out)]
        second = subprocess.run(_search_command(tmp_path, out), env=ENV, capture_output=True, text=True,
                                timeout=300)  # without --resume: it must not delete or replace the file
        assert second.returncode == 2, second.stderr[-2000:]
        assert f"results_path '{out}' is already in use by another search" in second.stderr
        store = ResultsStore(out)
        ids = [r["trial_id"] for r in store.records]
        assert store.problems == [] and len(ids) == len(set(ids)) and ids[: len(before)] == before
    finally:
        first.kill()
        first.wait()


@pytest.mark.slow
def test_kill_9_at_any_moment_then_resume_gives_exactly_the_uninterrupted_trials_and_numbers(tmp_path):
    reference_out = tmp_path / "reference.jsonl"
    done = subprocess.run(_search_command(tmp_path, reference_out), env=ENV, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    reference = _records(reference_out)
    assert len(reference) == 6 and len({r["bucket_id"] for r in reference}) == 3

    out = tmp_path / "killed.jsonl"
    # kill -9 as it starts (the lock just taken), a second into compiling and training its first bucket, and
    # as soon as it has written a bucket; then --resume to the end
    for moment, new_records, delay in (("starting", 0, 0.0), ("in a bucket", 0, 1.0), ("a bucket written", 2, 0.0)):
        at_start = len(_records(out))
        process = subprocess.Popen(_search_command(tmp_path, out, "--resume"), env=ENV,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        reached = _wait_for(lambda: _lock_is_held(out) and len(_records(out)) >= at_start + new_records, process)
        time.sleep(delay)
        before = len(_records(out))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert reached, f"{moment}: exit status {process.returncode}: {process.stderr.read()[-2000:]}"
        partial = _records(out)  # whole buckets only, in the uninterrupted order; none written is lost
        assert len(partial) % 2 == 0 and before <= len(partial), (moment, len(partial))
        assert _comparable(partial) == _comparable(reference[: len(partial)]), moment
    assert len(partial) < 6, "the kills came too late to interrupt anything"
    finished = subprocess.run(_search_command(tmp_path, out, "--resume"), env=ENV, capture_output=True, text=True,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert _comparable(ResultsStore(out).records) == _comparable(reference) and ResultsStore(out).problems == []
    assert not list(tmp_path.glob(".killed.jsonl.*.tmp"))  # a write cut short leaves no temporary file behind


WRITER = textwrap.dedent("""
    import sys
    from biojax.search.results_lock import ResultsLock
    from biojax.search.store import ResultsStore
    lock = ResultsLock(sys.argv[1])
    store = ResultsStore(sys.argv[1])
    padding = "x" * 20000
    print("ready", flush=True)
    while True:
        store.add([{"trial_id": f"t{len(store.records) + i}", "padding": padding} for i in range(5)])
""")


def test_a_writer_killed_mid_write_leaves_only_whole_batches_and_the_next_lock_cleans_up(tmp_path):
    out = tmp_path / "r.jsonl"
    for delay in (0.05, 0.3, 0.7):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(out)], env=ENV, stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        store = ResultsStore(out)
        assert store.problems == [] and len(store.records) % 5 == 0
        assert [r["trial_id"] for r in store.records] == [f"t{i}" for i in range(len(store.records))]
    ResultsLock(out).release()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".r.jsonl.lock", "r.jsonl"]
