"""One trial's outcome: :class:`SearchResult`, and how it is read off a bucket's per-epoch metrics."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from biojax.search.buckets import Trial


@dataclasses.dataclass
class SearchResult:
    """One trial: the seed's fields plus validation accuracy, selected epoch, seed, status and bucket.

    ``test_accuracy``, ``train_accuracy`` and ``final_test_loss`` are measured at ``best_epoch`` (1-based),
    the epoch with the best validation accuracy; ``train_accuracy`` is that epoch's running accuracy over
    its own mini-batches (as the anchor's training loop counts it, but over the rows actually trained on).
    ``status`` is ``"ok"``, ``"diverged"`` (a NaN/inf loss), ``"over_budget"``, ``"under_budget"`` or
    ``"invalid"`` (the model could not be built; see ``reason``).

    Example:
        >>> r = SearchResult(params={"n_neurons": 8}, test_accuracy=0.8, train_accuracy=0.9, total_params=100,
        ...                  train_time=1.0, final_test_loss=0.5, val_accuracy=0.82)
        >>> SearchResult.from_dict(r.to_dict()) == r
        True
    """

    params: dict[str, Any]
    test_accuracy: float
    train_accuracy: float
    total_params: int
    train_time: float
    final_test_loss: float
    val_accuracy: float = float("nan")
    val_loss: float = float("nan")
    best_epoch: int = 0
    seed: int = 0
    status: str = "ok"
    bucket_id: str = ""
    trial_id: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN stays NaN; ``json`` writes it as ``NaN``)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> SearchResult:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchResult):
            return NotImplemented
        return json.dumps(self.to_dict(), sort_keys=True) == json.dumps(other.to_dict(), sort_keys=True)


def result_from_metrics(
    trial: Trial, metrics: Mapping[str, np.ndarray], row: int, bucket_id: str, seconds: float
) -> SearchResult:
    """The result of the trial in ``row`` of a bucket's ``(trials, epochs)`` metrics, at its best epoch.

    The best epoch has the highest validation accuracy (ties: lower validation loss); a trial with a
    non-finite loss anywhere is ``"diverged"`` and reported at its last epoch.

    Example:
        >>> m = {k: np.array([[0.5, 0.4]]) for k in ("train_loss", "val_loss", "test_loss")}
        >>> m.update({k: np.array([[0.6, 0.8]]) for k in ("val_accuracy", "test_accuracy", "train_accuracy")})
        >>> r = result_from_metrics(Trial("t", {"seed": 3}, 10), m, 0, "b", 1.0)
        >>> r.best_epoch, r.val_accuracy, r.status
        (2, 0.8, 'ok')
    """
    losses = np.concatenate([metrics["train_loss"][row], metrics["val_loss"][row], metrics["test_loss"][row]])
    diverged = not np.all(np.isfinite(losses))
    val_acc = metrics["val_accuracy"][row]
    best = int(np.lexsort((metrics["val_loss"][row], -val_acc))[0]) if not diverged else len(val_acc) - 1
    return SearchResult(
        params=trial.config,
        test_accuracy=float(metrics["test_accuracy"][row][best]),
        train_accuracy=float(metrics["train_accuracy"][row][best]),
        total_params=trial.n_params,
        train_time=seconds,
        final_test_loss=float(metrics["test_loss"][row][best]),
        val_accuracy=float(val_acc[best]),
        val_loss=float(metrics["val_loss"][row][best]),
        best_epoch=best + 1,
        seed=int(trial.config["seed"]),
        status="diverged" if diverged else "ok",
        bucket_id=bucket_id,
        trial_id=trial.trial_id,
        reason="non-finite loss" if diverged else "",
    )
