"""The seed's ``tune_hyperparameters``: score every wiring of a grid, resumably."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from biojax.search.space import grid_configs
from biojax.search.store import ResultsStore
from biojax.wiring import Wiring


class TuningResult(NamedTuple):
    """Best configuration and score, and every ``{"config", "score"}`` record in grid order.

    Example:
        >>> TuningResult({"sparsity_level": 0.5}, 0.9, [])._fields
        ('best_config', 'best_score', 'records')
    """

    best_config: dict[str, Any]
    best_score: float
    records: list[dict[str, Any]]


def tune_hyperparameters(
    make_wiring: Callable[..., Wiring],
    param_grid: Mapping[str, Any],
    evaluate: Callable[[Wiring], float],
    *,
    max_trials: int | None = None,
    results_path: Any = None,
    seed: int = 0,
) -> TuningResult:
    """Builds ``make_wiring(**config)`` for each grid configuration and keeps the highest ``evaluate``.

    The grid is expanded by :func:`biojax.search.space.grid_configs` (``max_trials`` draws a seeded
    subset) and, with ``results_path``, every score is written atomically to a JSONL file by
    :class:`biojax.search.store.ResultsStore` as it is measured, so an interrupted run resumes where it
    stopped. For trials batched with ``jax.vmap`` use :class:`biojax.search.HyperparameterSearcher`.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> result = tune_hyperparameters(lambda **c: AutoNCP(16, 4, **c).build(3),
        ...                               {"sparsity_level": [0.1, 0.5, 0.9]},
        ...                               lambda w: -w.synapse_count)
        >>> result.best_config
        {'sparsity_level': 0.9}
    """
    configs = grid_configs(param_grid, max_trials, rng=np.random.default_rng(seed))
    store = ResultsStore(results_path) if results_path is not None else None
    done = {record["trial_id"]: record for record in (store.records if store else [])}
    records = []
    for config in configs:
        trial_id = json.dumps(config, sort_keys=True)
        if trial_id not in done:
            wiring = make_wiring(**config)
            if not isinstance(wiring, Wiring):
                raise TypeError(f"make_wiring must return a biojax.wiring.Wiring, got {type(wiring).__name__}")
            done[trial_id] = {"trial_id": trial_id, "config": config, "score": float(evaluate(wiring))}
            if store is not None:
                store.add([done[trial_id]])
        records.append({"config": done[trial_id]["config"], "score": done[trial_id]["score"]})
    best = max(records, key=lambda record: record["score"])
    return TuningResult(best["config"], best["score"], records)
