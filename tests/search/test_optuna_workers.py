"""Several worker processes share one Optuna study (SQLite, journal file, PostgreSQL); one is killed mid-run."""

import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

optuna = pytest.importorskip("optuna")

from biojax.search import ResultsStore, open_storage  # noqa: E402

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[1]
SPACE = {"hidden": [2, 8, 9], "k": 4, "lr": {"type": "loguniform", "low": 1e-3, "high": 1e-1}}
WORKER = f"""
import json, sys
sys.path.insert(0, {str(HERE)!r})
from search_testkit import gather_factory, make_dataset
from biojax.search import optuna_worker
options = dict(dataset=make_dataset(), max_params=100, min_param_ratio=0.5, n_epochs=1, batch_size=64,
               model_factory=gather_factory)
optuna_worker("shared", sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), n_batches=int(sys.argv[4]),
              batch_size=4, searcher_options=options)
"""
STATE = optuna.trial.TrialState


def start_worker(storage, out, n_batches):
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    env.update(JAX_PLATFORMS="cpu", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", WORKER, str(storage), str(out), json.dumps(SPACE), str(n_batches)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(worker, timeout=120):
    try:
        _, stderr = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise
    return stderr


def check_shared_study(storage, folder):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.create_study(study_name="shared", storage=open_storage(storage), direction="maximize")
    killed = start_worker(storage, folder / "a.jsonl", 50)
    deadline = time.monotonic() + 90
    while not (folder / "a.jsonl").exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)  # mid-run: at least one bucket streamed, more batches to come
    assert finish(killed) is not None and killed.returncode == -signal.SIGKILL
    killed_records = ResultsStore(folder / "a.jsonl").records
    assert killed_records
    workers = [start_worker(storage, folder / f"{name}.jsonl", 2) for name in "bc"]  # both recover, concurrently
    for worker in workers:
        stderr = finish(worker)
        assert worker.returncode == 0, stderr[-3000:]

    study = optuna.load_study(study_name="shared", storage=open_storage(storage))
    trials = study.get_trials(deepcopy=False)
    assert {t.state for t in trials} <= {STATE.COMPLETE, STATE.PRUNED, STATE.FAIL}  # none RUNNING or WAITING
    records = [r for name in "abc" for r in ResultsStore(folder / f"{name}.jsonl").records]
    by_id = {r["trial_id"]: r for r in records}
    assert len(by_id) == len(records)  # no trial trained twice
    complete = [t for t in trials if t.state == STATE.COMPLETE]
    assert sorted(t.user_attrs["biojax_trial_id"] for t in complete) == sorted(by_id)  # each told exactly once
    assert all(t.value == by_id[t.user_attrs["biojax_trial_id"]]["val_accuracy"] for t in complete)
    assert all(r["trial_id"] in {t.user_attrs["biojax_trial_id"] for t in complete} for r in killed_records)
    failed = [t for t in trials if t.state == STATE.FAIL]
    assert all("died before training it" in t.user_attrs["biojax_reason"] for t in failed)
    requeued = sorted(t.user_attrs["biojax_requeued_from"] for t in trials if "biojax_requeued_from" in t.user_attrs)
    assert requeued == sorted(t.number for t in failed if "biojax_trial_id" in t.user_attrs)
    assert all(t.params["hidden"] == 2 for t in trials if t.state == STATE.PRUNED)
    assert study.best_value == max(r["val_accuracy"] for r in records)
    assert sum(t.user_attrs.get("biojax_worker", "").endswith(f":{killed.pid}") for t in complete) >= 1


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_workers_share_a_study_and_recover_a_killed_one(kind, tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}" if kind == "sqlite" else tmp_path / "study.log"
    check_shared_study(storage, tmp_path)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL cluster in a temporary directory on a free port (run as ``postgres`` under root)."""
    tools = {name: shutil.which(name) or f"/usr/local/bin/{name}" for name in ("initdb", "pg_ctl", "postgres")}
    missing = sorted(name for name, path in tools.items() if not os.access(path, os.X_OK))
    if missing:
        pytest.skip(f"PostgreSQL server binaries not found on PATH or in /usr/local/bin: {missing}")
    pytest.importorskip("psycopg", reason='psycopg 3 (pip install "psycopg[binary]") is needed for PostgreSQL URLs')
    user = None
    folder = pathlib.Path(tempfile.mkdtemp(prefix="biojax-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        user = "postgres" if "postgres" in {p.pw_name for p in pwd.getpwall()} else "nobody"
        os.chown(folder, pwd.getpwnam(user).pw_uid, -1)
    data, port = folder / "data", _free_port()

    def run(*argv):
        subprocess.run([*argv], check=True, user=user, capture_output=True, timeout=120)

    try:
        run(tools["initdb"], "-D", str(data), "-U", "biojax", "--auth=trust", "-E", "UTF8", "--no-sync")
        run(tools["pg_ctl"], "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
            "-o", f"-p {port} -k {folder} -h 127.0.0.1 -F", "start")
        yield f"postgresql+psycopg://biojax@127.0.0.1:{port}/postgres"
        run(tools["pg_ctl"], "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_workers_share_a_postgresql_study(postgres_url, tmp_path):
    check_shared_study(postgres_url, tmp_path)


def test_recovery_leaves_live_and_foreign_workers_alone_and_reruns_what_died_untrained(tmp_path):
    from biojax.search import recover_trials

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    dead = f"{socket.gethostname()}:999999999"
    owners = [f"{socket.gethostname()}:{os.getpid()}", f"elsewhere:{os.getpid()}", dead, dead]
    for number, owner in enumerate(owners):
        trial = study.ask()
        trial.suggest_float("lr", 1e-3, 1e-1, log=True)
        trial.set_user_attr("biojax_worker", owner)
        if number == 3:  # drawn and about to train when its worker died
            trial.set_user_attr("biojax_trial_id", "t3")
            trial.set_user_attr("biojax_results_path", str(tmp_path / "missing.jsonl"))
    assert recover_trials(study) == [2, 3]
    states = [t.state for t in study.trials]
    assert states == [STATE.RUNNING, STATE.RUNNING, STATE.FAIL, STATE.FAIL, STATE.WAITING]
    assert study.trials[4].system_attrs["fixed_params"] == study.trials[3].params  # asked next with these
    assert study.trials[4].user_attrs["biojax_requeued_from"] == 3


def test_open_storage_rejects_other_objects():
    with pytest.raises(TypeError, match="storage must be a database URL, a journal file path or an Optuna storage"):
        open_storage(42)
