"""Ray Tune over biojax buckets: one Ray trial trains one bucket, the driver streams its rows to JSONL.

Each bucket is a list of configurations that normally share one static structure (layer sizes) and
differ in traced numbers (learning rate, weight decay, seed, ...), so a Ray worker trains it as one
vmapped call with :class:`~biojax.search.HyperparameterSearcher`. The worker sends its result records
back to the driver as JSON in the trial's reported metrics; the driver (a Ray Tune callback) appends
them to ``results_path`` with :class:`~biojax.search.ResultsStore` as each trial finishes, so the file
is always a complete set of buckets and is the same JSONL file ``biojax search --out`` writes. The
driver holds :class:`~biojax.search.ResultsLock` on it for the whole run. Calling again with the same
``results_path`` skips every bucket whose trials are all in the file.

Ray is optional (``pip install "biojax[ray]"``) and imported only inside these functions.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

from biojax._validation import check_number
from biojax.data.optional import require
from biojax.search.result import SearchResult
from biojax.search.results_lock import ResultsLock
from biojax.search.searcher import HyperparameterSearcher
from biojax.search.store import ResultsStore

_RESERVED_OPTIONS = ("results_path", "verbose", "resume", "model_factory")


def _import_tune() -> Any:
    require(["ray.tune"], "ray_tune_search")
    from ray import tune

    return tune


def _check_buckets(buckets: Any) -> list[list[dict[str, Any]]]:
    if isinstance(buckets, (str, Mapping)) or not isinstance(buckets, Sequence) or not buckets:
        raise TypeError(f"buckets must be a non-empty list of lists of configurations, got {buckets!r}")
    checked = []
    for number, bucket in enumerate(buckets):
        if (isinstance(bucket, (str, Mapping)) or not isinstance(bucket, Sequence) or not bucket
                or not all(isinstance(config, Mapping) for config in bucket)):
            raise TypeError(f"buckets[{number}] must be a non-empty list of configuration dicts, got {bucket!r}")
        checked.append([dict(config) for config in bucket])
    return checked


def _check_options(searcher_options: Mapping[str, Any] | None) -> dict[str, Any]:
    options = dict(searcher_options or {})
    reserved = sorted(set(options) & set(_RESERVED_OPTIONS))
    if reserved:
        raise ValueError(f"searcher_options must not set {reserved}: ray_tune_search sets them itself "
                         f"(allowed: the other HyperparameterSearcher arguments, as JSON-ready values)")
    return options


def _bucket_trainable(config: Mapping[str, Any], buckets: list[list[dict[str, Any]]],
                      options: dict[str, Any]) -> None:
    """Runs in a Ray worker: trains one bucket and reports its records (as JSON) and its best accuracy."""
    tune = _import_tune()
    searcher = HyperparameterSearcher(**options, verbose=False)
    results = searcher.run_configs(buckets[config["bucket"]])
    ok = [r.val_accuracy for r in results if r.status == "ok"]
    metrics = {"val_accuracy": max(ok) if ok else float("nan"), "n_trials": len(results),
               "biojax_records": json.dumps([r.to_dict() for r in results], allow_nan=True)}
    tune.report(metrics)


def _store_callback(tune: Any, store: ResultsStore) -> Any:
    class StoreRecords(tune.Callback):
        """Appends each finished bucket's records to the results store, in the driver."""

        def on_trial_result(self, iteration, trials, trial, result, **info):
            records = json.loads(result.get("biojax_records", "[]"))
            finished = store.finished_ids()
            new = [r for r in records if r["trial_id"] not in finished]
            if new:
                store.add(new)

    return StoreRecords()


def ray_tune_search(buckets: Sequence[Sequence[Mapping[str, Any]]], results_path: str | os.PathLike, *,
                    searcher_options: Mapping[str, Any] | None = None, cpus_per_trial: float = 1.0,
                    time_budget_s: float | None = None, storage_path: str | os.PathLike | None = None,
                    ) -> list[SearchResult]:
    """Trains each bucket as one Ray Tune trial and streams the results to ``results_path``.

    Ray is started with default settings when it is not running yet; call ``ray.init(...)`` first to
    choose the cluster, CPUs or logging. A bucket that fails in its worker leaves no rows (its trials
    run again on the next call) and makes this function raise after the other buckets are stored.

    Args:
        buckets: lists of configurations; each list is one Ray trial (train one structure per list so
            that it compiles once).
        results_path: the JSONL results file (resumed when it exists: finished buckets are skipped).
        searcher_options: arguments of :class:`~biojax.search.HyperparameterSearcher` for every worker
            (``dataset`` must be a name, such as ``"digits"``; not ``results_path``, ``verbose``,
            ``resume`` or ``model_factory``).
        cpus_per_trial: Ray CPUs reserved by each trial (Ray runs as many trials at once as fit).
        time_budget_s: stop starting and running trials after this many seconds (default: no limit).
        storage_path: the directory of Ray Tune's own experiment files (default: ``ray_tune`` beside
            ``results_path``).

    Returns:
        The results of every bucket's trainable configurations (resumed ones included), bucket by bucket;
        :func:`~biojax.search.leaderboard.best_results` ranks them.

    Raises:
        biojax.data.optional.MissingExtraError: Ray Tune is not installed (an ``ImportError`` whose message
            says ``pip install "biojax[ray]"``).
        RuntimeError: a trial failed in its worker (the finished buckets are stored).

    Example:
        >>> import pathlib, tempfile
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "ray.jsonl"
        >>> buckets = [[{"n_neurons": 8, "lr": lr} for lr in (1e-3, 1e-2)]]
        >>> results = ray_tune_search(buckets, out, searcher_options={"dataset": "digits",
        ...                           "n_epochs": 1, "max_params": 4000})  # doctest: +SKIP
    """
    buckets = _check_buckets(buckets)
    options = _check_options(searcher_options)
    cpus_per_trial = check_number("cpus_per_trial", cpus_per_trial, minimum=0.0, min_inclusive=False)
    if time_budget_s is not None:
        time_budget_s = check_number("time_budget_s", time_budget_s, minimum=0.0, min_inclusive=False)
    tune = _import_tune()
    results_path = pathlib.Path(results_path)
    lock = ResultsLock(results_path)
    try:
        planner = HyperparameterSearcher(**options, verbose=False)
        trial_ids = [[p.trial_id for p in map(planner._prepare, bucket) if not isinstance(p, SearchResult)]
                     for bucket in buckets]
        store = ResultsStore(results_path)
        finished = store.finished_ids()
        todo = [number for number, ids in enumerate(trial_ids) if ids and not set(ids) <= finished]
        if todo:
            storage = pathlib.Path(storage_path) if storage_path is not None else results_path.parent / "ray_tune"
            _run_tuner(tune, buckets, options, {number: trial_ids[number] for number in todo}, store,
                       cpus_per_trial, time_budget_s, storage)
        by_id = {record["trial_id"]: record for record in store.records}
        return [SearchResult.from_dict(by_id[i]) for ids in trial_ids for i in ids if i in by_id]
    finally:
        lock.release()


def _run_tuner(tune: Any, buckets: list[list[dict[str, Any]]], options: dict[str, Any],
               todo: dict[int, list[str]], store: ResultsStore, cpus_per_trial: float, time_budget_s: float | None,
               storage_path: pathlib.Path) -> None:
    trainable = tune.with_resources(tune.with_parameters(_bucket_trainable, buckets=buckets, options=options),
                                    {"cpu": cpus_per_trial})
    tuner = tune.Tuner(
        trainable,
        param_space={"bucket": tune.grid_search(sorted(todo))},
        tune_config=tune.TuneConfig(metric="val_accuracy", mode="max", time_budget_s=time_budget_s),
        run_config=tune.RunConfig(storage_path=str(storage_path.resolve()), verbose=0,
                                  callbacks=[_store_callback(tune, store)]),
    )
    grid = tuner.fit()
    if grid.errors:
        raise RuntimeError(f"{len(grid.errors)} of {len(todo)} Ray Tune trial(s) failed (their buckets were not "
                           f"stored; run again to retry them): {grid.errors[0]!r}")
    missing = sorted(number for number, ids in todo.items() if not set(ids) <= store.finished_ids())
    if missing and time_budget_s is None:
        raise RuntimeError(f"Ray Tune finished without the results of bucket(s) {missing}")
