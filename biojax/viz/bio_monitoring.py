"""The monitoring figure of the bio-inspired learning rules (the anchor's advanced-usage plot).

Three panels over training: crystallized weights, rejuvenated weights, and the spread (standard
deviation) of the fuzzy learning-rate factors, from the values of :func:`biojax.learning.stats`.
"""

from collections.abc import Mapping, Sequence
from typing import Any

PANELS = (
    ("crystallized", "Crystallized weights", "Number of crystallized weights"),
    ("rejuvenated", "Rejuvenated weights", "Weights replaced in the last step"),
    ("fuzzy_std", "Learning-rate variability", "Std of fuzzy factors"),
)


def plot_bio_monitoring(history: Mapping[str, Sequence[float]], *, xlabel: str = "Epoch") -> Any:
    """Draws one panel per key of ``history`` among ``crystallized``, ``rejuvenated``, ``fuzzy_std``.

    Args:
        history: per-epoch values, e.g. ``{"crystallized": [...], "rejuvenated": [...]}``; a key may hold
            one curve, or several (a list of curves, e.g. one per seed).
        xlabel: label of the x axes.

    Returns:
        A ``matplotlib.figure.Figure``.

    Example:
        >>> fig = plot_bio_monitoring({"crystallized": [0, 3, 5], "fuzzy_std": [0.05, 0.05, 0.05]})
        >>> len(fig.axes)
        2
    """

    import matplotlib.pyplot as plt
    import numpy as np

    panels = [p for p in PANELS if p[0] in history]
    if not panels:
        names = ", ".join(p[0] for p in PANELS)
        raise ValueError(f"history must contain at least one of {names}, got keys {sorted(history)}")
    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4), squeeze=False)
    for ax, (key, title, ylabel) in zip(axes[0], panels):
        values = np.asarray(history[key], dtype=float)
        for curve in np.atleast_2d(values):
            ax.plot(np.arange(1, curve.size + 1), curve)
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    fig.tight_layout()
    return fig
