"""Ranking finished trials and printing them as a leaderboard."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from biojax._validation import check_int
from biojax.search.result import SearchResult


def best_results(results: Sequence[SearchResult], n: int = 10) -> list[SearchResult]:
    """The ``n`` best ``"ok"`` trials by validation accuracy (then lower validation loss).

    Example:
        >>> rs = [SearchResult({}, 0.9, 0.9, 1, 0.0, 0.1, val_accuracy=v) for v in (0.5, 0.7)]
        >>> [r.val_accuracy for r in best_results(rs, 1)]
        [0.7]
    """
    ok = [r for r in results if r.status == "ok" and math.isfinite(r.val_accuracy)]
    return sorted(ok, key=lambda r: (-r.val_accuracy, r.val_loss))[: check_int("n", n, minimum=1)]


def format_leaderboard(results: Sequence[SearchResult], n: int = 10, n_skipped: int = 0) -> str:
    """The :func:`best_results` as a text table: the settings that vary between the rows shown, plus architecture.

    Example:
        >>> rs = [SearchResult({"architecture": "dendritic_simple", "n_neurons": n}, 0.9, 0.95, 7000, 1.0,
        ...                    0.3, val_accuracy=v) for n, v in ((8, 0.91), (12, 0.8))]
        >>> print(format_leaderboard(rs, 2).splitlines()[2])
           1   0.9100   0.9000   0.9500    7000      0  architecture=dendritic_simple, n_neurons=8
    """
    lines = [f"Top {n} of {len(results)} trials (ranked on validation accuracy; "
             f"{n_skipped} configurations skipped)",
             f"{'rank':>4} {'val_acc':>8} {'test_acc':>8} {'train_acc':>9} {'params':>7} {'epoch':>6}  "
             "config (settings that differ between the rows shown)"]
    best = best_results(results, n)
    varying = [k for k in (best[0].params if best else {})
               if len({json.dumps(r.params.get(k), sort_keys=True) for r in best}) > 1 or k == "architecture"]
    for rank, r in enumerate(best, start=1):
        shown = {k: r.params[k] for k in varying if k in r.params}
        text = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
        lines.append(f"{rank:>4} {r.val_accuracy:>8.4f} {r.test_accuracy:>8.4f} {r.train_accuracy:>9.4f} "
                     f"{r.total_params:>7} {r.best_epoch:>6}  {text}")
    diverged = sum(r.status == "diverged" for r in results)
    if diverged:
        lines.append(f"({diverged} diverged trial(s) not ranked)")
    return "\n".join(lines)
