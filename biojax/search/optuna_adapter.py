"""Optuna adapter: ask a batch of trials, train them as vmapped buckets, tell the results.

Optuna (extra ``biojax[search]``) proposes configurations; biojax trains a whole batch at once. With an
RDB storage (``optuna.create_study(storage="sqlite:///study.db"`` or a PostgreSQL/MySQL URL) several
machines can run :func:`optuna_search` on one study: each asks its own batches. The objective is the
validation accuracy (maximised). Out-of-budget or invalid configurations are told ``PRUNED`` and
diverged trials ``FAIL``, each with the reason in the trial's ``biojax_reason`` user attribute.

Each trial is told as soon as its bucket is trained (and streamed to the searcher's results file). Before
training, a trial records who runs it in user attributes: ``biojax_worker`` (``"host:pid"``),
``biojax_trial_id`` and ``biojax_results_path``, so that :func:`biojax.search.optuna_worker` can finish the
trials of a worker that was killed.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

from biojax._validation import check_int
from biojax.search.buckets import Trial, make_buckets
from biojax.search.searcher import HyperparameterSearcher, SearchResult
from biojax.search.space import check_distribution


def suggest_config(trial: Any, param_distributions: Mapping[str, Any]) -> dict[str, Any]:
    """Maps the seed's spec onto Optuna's ``suggest_*`` calls (constants are passed through).

    Example:
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> trial = optuna.create_study().ask()
        >>> config = suggest_config(trial, {"n_neurons": (8, 12), "arch": "dendritic_simple",
        ...                                 "lr": {"type": "loguniform", "low": 1e-4, "high": 1e-2}})
        >>> 8 <= config["n_neurons"] <= 12, config["arch"]
        (True, 'dendritic_simple')
    """
    config: dict[str, Any] = {}
    for name, spec in param_distributions.items():
        spec = check_distribution(name, spec)
        if isinstance(spec, list):
            config[name] = trial.suggest_categorical(name, spec)
        elif isinstance(spec, tuple):
            config[name] = trial.suggest_int(name, int(spec[0]), int(spec[1]))
        elif isinstance(spec, Mapping):
            kind = spec["type"]
            if kind == "choice":
                config[name] = trial.suggest_categorical(name, list(spec.get("values", spec.get("choices"))))
            elif kind == "randint":
                config[name] = trial.suggest_int(name, int(spec["low"]), int(spec["high"]))
            else:
                config[name] = trial.suggest_float(name, float(spec["low"]), float(spec["high"]),
                                                   log=kind == "loguniform")
        else:
            config[name] = spec
    return config


def optuna_search(searcher: HyperparameterSearcher, study: Any, param_distributions: Mapping[str, Any], *,
                  n_batches: int = 1, batch_size: int = 16) -> list[SearchResult]:
    """Runs ``n_batches`` ask/train/tell rounds of ``batch_size`` Optuna trials each.

    Args:
        searcher: the searcher that trains (its budget, data, training defaults and results file).
        study: an Optuna study with direction ``"maximize"`` (any storage).
        param_distributions: the seed's random-search spec (see :mod:`biojax.search.space`).
        n_batches: ask/tell rounds.
        batch_size: trials asked per round (trained together, grouped into buckets by structure).

    Returns:
        The results of the trained (and resumed) trials, in the order they were told (bucket by bucket).

    Example:
        >>> import numpy as np, flax.linen as nn, optuna
        >>> from types import SimpleNamespace
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> x = np.ones((32, 3), np.float32); y = np.zeros(32, np.int32)
        >>> data = SimpleNamespace(x_train=x, y_train=y, x_val=x, y_val=y, x_test=x, y_test=y, num_classes=2)
        >>> s = HyperparameterSearcher(data, max_params=8, n_epochs=1, batch_size=8, verbose=False,
        ...                            model_factory=lambda c, n: nn.Dense(n))
        >>> study = optuna.create_study(direction="maximize")
        >>> len(optuna_search(s, study, {"lr": {"type": "loguniform", "low": 1e-3, "high": 1e-1}}, batch_size=3))
        3
    """
    import optuna

    n_batches = check_int("n_batches", n_batches, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise ValueError(f"study must maximise validation accuracy, got direction {study.direction.name}")
    worker = f"{socket.gethostname()}:{os.getpid()}"
    done: list[SearchResult] = []
    for _ in range(n_batches):
        runnable: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
        trials: list[Trial] = []
        for trial in (study.ask() for _ in range(batch_size)):
            trial.set_user_attr("biojax_worker", worker)
            if searcher.store is not None:
                trial.set_user_attr("biojax_results_path", str(searcher.store.path.resolve()))
            config = suggest_config(trial, param_distributions)
            prepared = searcher._prepare(config)
            if isinstance(prepared, SearchResult):
                searcher.skipped.append(prepared)
                trial.set_user_attr("biojax_reason", f"{prepared.status}: {prepared.reason}")
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                continue
            trial.set_user_attr("biojax_trial_id", prepared.trial_id)
            if prepared.trial_id not in runnable:
                trials.append(prepared)
            runnable.setdefault(prepared.trial_id, []).append((trial, config))
        for bucket in make_buckets(trials, searcher.plan.static_part):
            results = searcher.run_configs([runnable[t.trial_id][0][1] for t in bucket.trials])
            for result in results:
                for trial, _ in runnable[result.trial_id]:
                    tell_result(study, trial, result)
                    done.append(result)
    return done


def tell_result(study: Any, trial: Any, result: SearchResult) -> None:
    """Tells ``study`` one trained trial: its validation accuracy, or ``FAIL`` with the reason.

    The trial's ``total_params`` and ``test_accuracy`` user attributes are set first.

    Example:
        >>> import optuna
        >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
        >>> study = optuna.create_study(direction="maximize")
        >>> tell_result(study, study.ask(), SearchResult({}, 0.5, 0.5, 10, 0.0, 1.0, val_accuracy=0.75))
        >>> study.best_value, study.best_trial.user_attrs["total_params"]
        (0.75, 10)
    """
    import optuna

    trial.set_user_attr("total_params", result.total_params)
    trial.set_user_attr("test_accuracy", result.test_accuracy)
    if result.status == "ok":
        study.tell(trial, result.val_accuracy)
    else:
        trial.set_user_attr("biojax_reason", f"{result.status}: {result.reason}")
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
