"""Several worker processes sharing one Optuna study: storages, the worker loop and recovery of killed workers.

Start :func:`optuna_worker` in two or more processes (or machines) with the same ``study_name`` and
``storage``. Each asks batches of trials, trains them as vmapped buckets, streams them to its own JSONL
results file and tells them bucket by bucket (:func:`~biojax.search.optuna_adapter.optuna_search`).

A worker killed mid-batch (``SIGKILL``, a crash) leaves its unfinished trials ``RUNNING``. The next
worker started on the same host finishes them first (:func:`recover_trials`): a trial whose results the
killed worker had already written to its results file is told that result; any other is told ``FAIL``
(reason in ``biojax_reason``) and, when it had been drawn in full (it has its ``biojax_trial_id``), its
parameters are re-queued (``study.enqueue_trial``) so a worker trains them again. Trials of workers on
other hosts, and of live workers, are left alone (a worker is "dead" when no process of its id runs on
this host, so a reused process id keeps its trials waiting).
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import socket
from collections.abc import Mapping
from typing import Any

from biojax._validation import check_number
from biojax.search.optuna_adapter import optuna_search, tell_result
from biojax.search.result import SearchResult
from biojax.search.searcher import HyperparameterSearcher
from biojax.search.store import ResultsStore


class FlockJournalLock:
    """The journal file's lock as an ``fcntl.flock`` on ``<journal>.flock``: the OS drops it when its holder dies.

    Optuna's own file locks (a lock file or a symlink) stay behind when a worker is killed while writing,
    and the other workers wait for their grace period (30 s) before breaking them.

    Example:
        >>> import pathlib, tempfile
        >>> lock = FlockJournalLock(pathlib.Path(tempfile.mkdtemp()) / "study.log")
        >>> lock.acquire(); lock.release()
        True
    """

    def __init__(self, journal_path: str | os.PathLike):
        self.path = pathlib.Path(f"{os.fspath(journal_path)}.flock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Blocks until the lock is held; returns ``True``."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd
        return True

    def release(self) -> None:
        """Releases the lock."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def open_storage(storage: Any, *, timeout_s: float = 60.0) -> Any:
    """An Optuna storage for several processes: a URL, a journal file path, or a storage object as is.

    ``sqlite:///file.db`` opens an ``RDBStorage`` whose connections wait up to ``timeout_s`` for a locked
    database; another URL (``postgresql://...``, ``mysql://...``) an ``RDBStorage``; any other string or
    path a ``JournalStorage`` on that file (``JournalFileBackend``, which Optuna recommends for several
    processes on one machine) locked with :class:`FlockJournalLock`.

    Example:
        >>> import pathlib, tempfile
        >>> type(open_storage(pathlib.Path(tempfile.mkdtemp()) / "study.log")).__name__
        'JournalStorage'
        >>> type(open_storage(f"sqlite:///{tempfile.mkdtemp()}/study.db")).__name__
        'RDBStorage'
    """
    import optuna
    from optuna.storages.journal import JournalFileBackend

    timeout_s = check_number("timeout_s", timeout_s, minimum=0.0, min_inclusive=False)
    if isinstance(storage, str) and storage.startswith("sqlite:"):
        return optuna.storages.RDBStorage(storage, engine_kwargs={"connect_args": {"timeout": timeout_s}})
    if isinstance(storage, str) and "://" in storage:
        return optuna.storages.RDBStorage(storage)
    if isinstance(storage, (str, os.PathLike)):
        path = os.fspath(storage)
        return optuna.storages.JournalStorage(JournalFileBackend(path, lock_obj=FlockJournalLock(path)))
    if isinstance(storage, optuna.storages.BaseStorage):
        return storage
    raise TypeError(f"storage must be a database URL, a journal file path or an Optuna storage, got {storage!r}")


def _dead_here(worker: Any) -> bool:
    host, _, pid = str(worker).rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_trials(study: Any) -> list[int]:
    """Finishes the ``RUNNING`` trials of dead workers of this host; returns their trial numbers.

    A trial whose ``biojax_trial_id`` is in its worker's results file is told that result; the others are
    told ``FAIL`` and, when they were drawn in full (a ``biojax_trial_id``), re-queued. A trial another
    process finishes first is skipped.

    Example:
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> trial = study.ask(); trial.set_user_attr("biojax_worker", f"{socket.gethostname()}:999999999")
        >>> recover_trials(study), study.trials[0].state.name
        ([0], 'FAIL')
    """
    import optuna
    from optuna.exceptions import UpdateFinishedTrialError

    recovered = []
    stores: dict[str, dict[str, dict[str, Any]]] = {}
    for frozen in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        attrs = frozen.user_attrs
        if not _dead_here(attrs.get("biojax_worker")):
            continue
        path = attrs.get("biojax_results_path")
        if path is not None and path not in stores:
            exists = pathlib.Path(path).exists()
            stores[path] = {r["trial_id"]: r for r in ResultsStore(path).records} if exists else {}
        record = stores.get(path, {}).get(attrs.get("biojax_trial_id"))
        trial = optuna.trial.Trial(study, frozen._trial_id)
        try:
            if record is not None:
                tell_result(study, trial, SearchResult.from_dict(record))
            else:
                trial.set_user_attr("biojax_reason", f"worker {attrs['biojax_worker']} died before training it")
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        except (ValueError, UpdateFinishedTrialError):
            continue
        if record is None and "biojax_trial_id" in attrs:
            study.enqueue_trial(frozen.params, user_attrs={"biojax_requeued_from": frozen.number})
        recovered.append(frozen.number)
    return recovered


def optuna_worker(study_name: str, storage: Any, results_path: str | os.PathLike,
                  param_distributions: Mapping[str, Any], *, n_batches: int = 1, batch_size: int = 16,
                  searcher_options: Mapping[str, Any] | None = None, sampler: Any = None) -> list[SearchResult]:
    """One worker of a shared study: recovers dead workers' trials, then runs ``n_batches`` batches.

    The study is created (direction ``"maximize"``) when it does not exist yet. Give every worker its own
    ``results_path`` (each file has one writer); a worker restarted on its old file resumes it.

    Args:
        study_name: the shared study.
        storage: see :func:`open_storage` (``"sqlite:///study.db"``, ``"postgresql://..."``, a journal
            file path, or an Optuna storage).
        results_path: this worker's JSONL results file.
        param_distributions: the random-search spec (see :mod:`biojax.search.space`).
        n_batches: ask/train/tell rounds.
        batch_size: trials asked per round.
        searcher_options: arguments of :class:`~biojax.search.HyperparameterSearcher` (not
            ``results_path`` or ``verbose``).
        sampler: the Optuna sampler of this worker (default: Optuna's default).

    Returns:
        The results this worker told, in the order it told them.

    Example:
        >>> import numpy as np, flax.linen as nn, pathlib, tempfile
        >>> from types import SimpleNamespace
        >>> x = np.ones((32, 3), np.float32); y = np.zeros(32, np.int32)
        >>> data = SimpleNamespace(x_train=x, y_train=y, x_val=x, y_val=y, x_test=x, y_test=y, num_classes=2)
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> options = {"dataset": data, "max_params": 8, "n_epochs": 1, "batch_size": 8,
        ...            "model_factory": lambda c, n: nn.Dense(n)}
        >>> results = optuna_worker("s", folder / "study.log", folder / "worker0.jsonl",
        ...                         {"lr": {"type": "loguniform", "low": 1e-3, "high": 1e-1}},
        ...                         batch_size=2, searcher_options=options)
        >>> len(results), len((folder / "worker0.jsonl").read_text().splitlines())
        (2, 2)
    """
    import optuna

    options = dict(searcher_options or {})
    for name in ("results_path", "verbose"):
        if name in options:
            raise ValueError(f"searcher_options must not set {name!r}: optuna_worker sets it itself")
    study = optuna.create_study(study_name=study_name, storage=open_storage(storage), direction="maximize",
                                sampler=sampler, load_if_exists=True)
    recover_trials(study)
    with HyperparameterSearcher(**options, verbose=False, results_path=results_path) as searcher:
        return optuna_search(searcher, study, param_distributions, n_batches=n_batches, batch_size=batch_size)
