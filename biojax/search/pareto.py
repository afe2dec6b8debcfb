"""The accuracy-against-parameters Pareto front of search results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def result_field(result: Any, name: str) -> Any:
    """``result[name]`` for a dict (a line of a results file), ``result.name`` for a ``SearchResult``.

    Example:
        >>> result_field({"val_accuracy": 0.5}, "val_accuracy")
        0.5
    """
    return result[name] if isinstance(result, Mapping) else getattr(result, name)


def pareto_front(results: Iterable[Any], accuracy: str = "val_accuracy") -> list[Any]:
    """Results not beaten by another with at most as many parameters and higher accuracy (``status == "ok"``).

    Example:
        >>> rs = [{"total_params": p, "val_accuracy": a, "status": "ok"} for p, a in [(10, .5), (20, .4), (30, .9)]]
        >>> [r["total_params"] for r in pareto_front(rs)]
        [10, 30]
    """
    ok = [r for r in results if result_field(r, "status") == "ok"]
    ok.sort(key=lambda r: (result_field(r, "total_params"), -result_field(r, accuracy)))
    front, best = [], float("-inf")
    for r in ok:
        if result_field(r, accuracy) > best:
            front.append(r)
            best = result_field(r, accuracy)
    return front
