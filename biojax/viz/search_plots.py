"""Accuracy against parameter count for a hyperparameter search (matplotlib imported lazily)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from biojax.search.pareto import pareto_front, result_field


def plot_accuracy_vs_params(results: Iterable[Any], ax: Any = None, *, accuracy: str = "val_accuracy") -> Any:
    """Scatter of accuracy against exact parameter count, one colour per architecture, Pareto front drawn.

    Args:
        results: ``SearchResult`` objects or their dicts (e.g. lines of a results JSONL file).
        ax: matplotlib Axes to draw into (default: a new figure).
        accuracy: ``"val_accuracy"`` (what the search ranks on) or ``"test_accuracy"``.

    Returns:
        The matplotlib Figure.

    Example:
        >>> import matplotlib; matplotlib.use("Agg")
        >>> rs = [{"total_params": p, "val_accuracy": a, "test_accuracy": a, "status": "ok",
        ...        "params": {"architecture": "dendritic_simple"}} for p, a in [(10, .5), (30, .9)]]
        >>> fig = plot_accuracy_vs_params(rs)
        >>> fig.axes[0].get_xlabel()
        'trainable parameters'
    """
    import matplotlib.pyplot as plt

    results = [r for r in results if result_field(r, "status") == "ok"]
    fig = ax.figure if ax is not None else plt.subplots(figsize=(6, 4))[0]
    ax = ax if ax is not None else fig.axes[0]
    groups: dict[str, list[Any]] = {}
    for r in results:
        groups.setdefault(str(result_field(r, "params").get("architecture", "model")), []).append(r)
    for name, members in sorted(groups.items()):
        ax.scatter([result_field(r, "total_params") for r in members], [result_field(r, accuracy) for r in members],
                   s=18, alpha=0.7, label=name)
    front = pareto_front(results, accuracy)
    if front:
        ax.step([result_field(r, "total_params") for r in front], [result_field(r, accuracy) for r in front],
                where="post", color="black", linewidth=1, label="Pareto front")
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel(accuracy.replace("_", " "))
    ax.set_title(f"{len(results)} trials")
    if groups:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
