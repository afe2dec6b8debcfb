"""Figures for attention-head pruning: entropy and importance heatmaps, decisions, recovery curves.

Every function builds a ``matplotlib.figure.Figure`` without pyplot, so it works headless, and imports
matplotlib only when called.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def _heatmap(values: Any, title: str, cmap: str, label: str, annotate: bool, marks: Any = None) -> Any:
    from matplotlib.figure import Figure

    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"scores must be a [layers, heads] array, got shape {values.shape}")
    layers, heads = values.shape
    figure = Figure(figsize=(1.0 + 0.7 * heads, 1.2 + 0.5 * layers), layout="constrained")
    ax = figure.add_subplot()
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    figure.colorbar(image, ax=ax, label=label)
    if annotate:
        for (layer, head), value in np.ndenumerate(values):
            ax.text(head, layer, f"{value:.2f}", ha="center", va="center", fontsize=8, color="white")
    if marks is not None:
        for layer, head in np.argwhere(np.asarray(marks, dtype=bool)):
            ax.add_patch(_outline(layer, head))
    ax.set_xticks(range(heads))
    ax.set_yticks(range(layers))
    ax.set_xlabel("head")
    ax.set_ylabel("layer")
    ax.set_title(title)
    return figure


def _outline(layer: int, head: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((head - 0.5, layer - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5)


def plot_head_entropy(entropy: Any, *, title: str = "Attention entropy (normalised)", annotate: bool = True) -> Any:
    """Heatmap of ``[layers, heads]`` normalised entropies; returns the Figure.

    Example:
        >>> import numpy as np
        >>> figure = plot_head_entropy(np.array([[0.2, 0.9], [0.5, 0.1]]))
        >>> figure.axes[0].get_xlabel()
        'head'
    """
    return _heatmap(entropy, title, "viridis", "entropy / log(keys)", annotate)


def plot_head_importance(
    importance: Any, prune_mask: Any = None, *, title: str = "Head importance", annotate: bool = True
) -> Any:
    """Heatmap of ``[layers, heads]`` importances, pruned heads outlined in red; returns the Figure.

    Example:
        >>> import numpy as np
        >>> figure = plot_head_importance(np.array([[0.2, 0.9]]), np.array([[True, False]]))
        >>> len(figure.axes[0].patches)
        1
    """
    return _heatmap(importance, title, "plasma", "importance", annotate, marks=prune_mask)


def plot_pruning_decisions(
    scores: Any, prune_mask: Any, *, title: str = "Pruning decisions", annotate: bool = False
) -> Any:
    """Per-head scores with the pruned heads outlined; the title counts the pruned heads.

    Example:
        >>> import numpy as np
        >>> figure = plot_pruning_decisions(np.ones((2, 3)), np.eye(2, 3, dtype=bool))
        >>> figure.axes[0].get_title()
        'Pruning decisions: 2 of 6 heads pruned'
    """
    mask = np.asarray(prune_mask, dtype=bool)
    if mask.shape != np.shape(scores):
        raise ValueError(f"prune_mask shape {mask.shape} must equal the scores shape {np.shape(scores)}")
    return _heatmap(scores, f"{title}: {int(mask.sum())} of {mask.size} heads pruned", "YlOrRd", "score", annotate, mask)


def plot_recovery_curve(
    fractions: Sequence[float],
    curves: Mapping[str, Mapping[str, Any]],
    *,
    metric: str = "accuracy",
    title: str | None = None,
) -> Any:
    """Metric against prune fraction, one colour per strategy, dashed before and solid after fine-tuning.

    Args:
        fractions: prune fractions (x axis).
        curves: ``{strategy: {"pruned": values, "final": values}}``; each value array is ``[fractions]``
            or ``[seeds, fractions]`` (mean drawn, min-max band shaded).
        metric: y-axis label.
        title: figure title.

    Example:
        >>> figure = plot_recovery_curve([0.0, 0.5], {"random": {"pruned": [1.0, 0.4], "final": [1.0, 0.8]}})
        >>> len(figure.axes[0].lines)
        2
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.0), layout="constrained")
    ax = figure.add_subplot()
    x = np.asarray(fractions, dtype=float)
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")
    for color, (strategy, stages) in zip(colors * 4, curves.items()):
        for stage, style in (("pruned", "--"), ("final", "-")):
            if stage not in stages:
                continue
            values = np.atleast_2d(np.asarray(stages[stage], dtype=float))
            if values.shape[-1] != x.size:
                raise ValueError(
                    f"curves[{strategy!r}][{stage!r}] needs {x.size} values per row, got shape {values.shape}"
                )
            label = f"{strategy} ({'after pruning' if stage == 'pruned' else 'fine-tuned'})"
            ax.plot(x, values.mean(0), style, color=color, marker="o", markersize=3, label=label)
            if values.shape[0] > 1:
                ax.fill_between(x, values.min(0), values.max(0), color=color, alpha=0.12)
    ax.set_xlabel("fraction of heads pruned")
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric} vs heads pruned")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return figure
