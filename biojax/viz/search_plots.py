"""Accuracy against parameter count for a hyperparameter search (matplotlib imported lazily)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from biojax.data.optional import require
from biojax.search.trial_plan import static_settings
from biojax.search.leaderboard import differing_settings
from biojax.search.pareto import pareto_front, result_field


def structure_labels(results: Iterable[Any]) -> list[tuple[str, int, str]]:
    """One ``(tag, params, settings)`` per structure (static settings) of ``"ok"`` results, by parameter count.

    ``settings`` lists the static settings that differ between the structures (all of them when there is
    only one), so the figure can name each column of points.

    Example:
        >>> rs = [{"total_params": p, "status": "ok", "params": {"n_neurons": n, "lr": lr}}
        ...       for p, n, lr in [(300, 12, 0.1), (200, 8, 0.1), (200, 8, 0.2)]]
        >>> structure_labels(rs)
        [('S1', 200, 'n_neurons=8'), ('S2', 300, 'n_neurons=12')]
    """
    structures: dict[str, tuple[int, dict[str, Any]]] = {}
    for r in results:
        if result_field(r, "status") == "ok":
            static = static_settings(dict(result_field(r, "params")))
            key = repr(sorted(static.items(), key=lambda item: item[0]))
            structures.setdefault(key, (int(result_field(r, "total_params")), static))
    ordered = sorted(structures.values(), key=lambda item: (item[0], repr(item[1])))
    shown = differing_settings([s for _, s in ordered]) if len(ordered) > 1 else list(ordered[0][1]) if ordered else []
    return [(f"S{i}", n, ", ".join(f"{k}={s[k]}" for k in shown if k in s))
            for i, (n, s) in enumerate(ordered, start=1)]


def plot_accuracy_vs_params(
    results: Iterable[Any], ax: Any = None, *, accuracy: str = "val_accuracy",
    budget: tuple[float, float] | None = None,
) -> Any:
    """Scatter of accuracy against exact parameter count: one colour per architecture, the Pareto front, each
    structure's column tagged (``S1``, ``S2`` ... listed under the plot with their settings), the budget shaded.

    Args:
        results: ``SearchResult`` objects or their dicts (e.g. lines of a results JSONL file).
        ax: matplotlib Axes to draw into (default: a new figure).
        accuracy: ``"val_accuracy"`` (what the search ranks on) or ``"test_accuracy"``.
        budget: ``(low, high)`` parameter window of the search, drawn as a shaded band with its edges.

    Returns:
        The matplotlib Figure (the legend sits outside the axes, so it hides no point).

    Example:
        >>> import matplotlib; matplotlib.use("Agg")
        >>> rs = [{"total_params": p, "val_accuracy": a, "test_accuracy": a, "status": "ok",
        ...        "params": {"architecture": "dendritic_simple", "n_neurons": n}}
        ...       for p, a, n in [(10, .5, 1), (30, .9, 3)]]
        >>> fig = plot_accuracy_vs_params(rs, budget=(8, 32))
        >>> fig.axes[0].get_xlabel(), [t.get_text() for t in fig.axes[0].texts]
        ('trainable parameters', ['S1', 'S2'])
    """
    require(["matplotlib"], "plot_accuracy_vs_params")
    import matplotlib.pyplot as plt

    results = [r for r in results if result_field(r, "status") == "ok"]
    labels = structure_labels(results)
    fig = ax.figure if ax is not None else plt.subplots(figsize=(7, 4 + 0.13 * len(labels)))[0]
    ax = ax if ax is not None else fig.axes[0]
    if budget is not None:
        low, high = budget
        ax.axvspan(low, high, color="0.93", zorder=0, label=f"budget {low:g} to {high:g} params")
        for edge in (low, high):
            ax.axvline(edge, color="0.5", linestyle="--", linewidth=0.8, zorder=1)
    groups: dict[str, list[Any]] = {}
    for r in results:
        groups.setdefault(str(result_field(r, "params").get("architecture", "model")), []).append(r)
    for name, members in sorted(groups.items()):
        ax.scatter([result_field(r, "total_params") for r in members], [result_field(r, accuracy) for r in members],
                   s=18, alpha=0.7, label=name, zorder=3)
    front = pareto_front(results, accuracy)
    if front:
        ax.step([result_field(r, "total_params") for r in front], [result_field(r, accuracy) for r in front],
                where="post", color="black", linewidth=1, label="Pareto front", zorder=2)
    columns: dict[int, list[str]] = {}
    for tag, n_params, _ in labels:
        columns.setdefault(n_params, []).append(tag)
    for n_params, tags in columns.items():
        top = max(result_field(r, accuracy) for r in results if result_field(r, "total_params") == n_params)
        ax.annotate(",".join(tags), (n_params, top), textcoords="offset points", xytext=(0, 6), ha="center",
                    fontsize=8)
    ax.margins(y=0.12)
    ax.set_xlabel("trainable parameters")
    ax.set_ylabel(accuracy.replace("_", " "))
    ax.set_title(f"{len(results)} trials, {len(labels)} structure{'' if len(labels) == 1 else 's'}")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    key = "\n".join(f"{tag} ({n_params} params): {settings}" for tag, n_params, settings in labels)
    if key:
        fig.text(0.01, 0.01, key, fontsize=7, va="bottom", ha="left", family="monospace")
    key_height = (len(labels) * 7 * 1.3 + 8) / (fig.get_figheight() * 72) if labels else 0.0
    fig.tight_layout(rect=(0, key_height, 1, 1))
    return fig
