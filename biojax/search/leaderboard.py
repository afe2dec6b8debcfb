"""Ranking finished trials and printing them as a leaderboard."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from biojax._validation import check_int
from biojax.search.result import SearchResult

# Settings that only act when a trial resamples its synapses (``synaptic_resampling`` true).
RESAMPLING_SETTINGS = ("percentage_resample", "steps_to_resample")


def best_results(results: Sequence[SearchResult], n: int = 10) -> list[SearchResult]:
    """The ``n`` best ``"ok"`` trials by validation accuracy (then lower validation loss).

    Example:
        >>> rs = [SearchResult({}, 0.9, 0.9, 1, 0.0, 0.1, val_accuracy=v) for v in (0.5, 0.7)]
        >>> [r.val_accuracy for r in best_results(rs, 1)]
        [0.7]
    """
    ok = [r for r in results if r.status == "ok" and math.isfinite(r.val_accuracy)]
    return sorted(ok, key=lambda r: (-r.val_accuracy, r.val_loss))[: check_int("n", n, minimum=1)]


def effective_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that act on a trial: the resampling settings are dropped when resampling is off.

    Example:
        >>> effective_settings({"n_neurons": 8, "synaptic_resampling": False, "percentage_resample": 0.25})
        {'n_neurons': 8, 'synaptic_resampling': False}
    """
    if params.get("synaptic_resampling", True):
        return dict(params)
    return {k: v for k, v in params.items() if k not in RESAMPLING_SETTINGS}


def differing_settings(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The names whose value is not the same in every row that has them (in first-seen order).

    Example:
        >>> differing_settings([{"a": 1, "b": 2}, {"a": 1, "b": 3}, {"b": 3}])
        ['b']
    """
    names = list(dict.fromkeys(name for row in rows for name in row))
    return [name for name in names
            if len({json.dumps(row[name], sort_keys=True, default=str) for row in rows if name in row}) > 1]


def _format_value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def format_leaderboard(results: Sequence[SearchResult], n: int = 10, n_skipped: int = 0) -> str:
    """The :func:`best_results` as a text table, each row with the settings that differ between the rows shown.

    A setting the same in every row shown (``architecture`` in a one-architecture search) is left out, and
    so are the resampling settings of trials that do not resample (:func:`effective_settings`); a single
    row shows all its settings. The title counts the rows actually shown.

    Example:
        >>> rs = [SearchResult({"architecture": "dendritic_simple", "n_neurons": n}, 0.9, 0.95, 7000, 1.0,
        ...                    0.3, val_accuracy=v) for n, v in ((8, 0.91), (12, 0.8))]
        >>> print(format_leaderboard(rs, 5))
        Top 2 of 2 trials (ranked on validation accuracy; 0 configurations skipped)
        rank  val_acc test_acc train_acc  params  epoch  config (settings that differ between the rows shown)
           1   0.9100   0.9000   0.9500    7000      0  n_neurons=8
           2   0.8000   0.9000   0.9500    7000      0  n_neurons=12
    """
    best = best_results(results, n)
    skipped = f"{n_skipped} configuration{'' if n_skipped == 1 else 's'} skipped"
    if not best:
        lines = [f"No finished trial to rank ({len(results)} trial(s) run; {skipped})"]
    else:
        lines = [f"Top {len(best)} of {len(results)} trials (ranked on validation accuracy; {skipped})",
                 f"{'rank':>4} {'val_acc':>8} {'test_acc':>8} {'train_acc':>9} {'params':>7} {'epoch':>6}  "
                 "config (settings that differ between the rows shown)"]
    rows = [effective_settings(r.params) for r in best]
    varying = differing_settings(rows) if len(rows) > 1 else [name for row in rows for name in row]
    for rank, (r, row) in enumerate(zip(best, rows), start=1):
        text = ", ".join(f"{k}={_format_value(row[k])}" for k in varying if k in row)
        lines.append(f"{rank:>4} {r.val_accuracy:>8.4f} {r.test_accuracy:>8.4f} {r.train_accuracy:>9.4f} "
                     f"{r.total_params:>7} {r.best_epoch:>6}  {text}".rstrip())
    diverged = sum(r.status == "diverged" for r in results)
    if diverged:
        lines.append(f"({diverged} diverged trial(s) not ranked)")
    return "\n".join(lines)
