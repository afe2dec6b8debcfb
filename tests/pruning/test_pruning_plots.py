"""Pruning figures render headless, mark the pruned heads and reject bad shapes."""

import numpy as np
import pytest

from biojax.viz import plot_head_entropy, plot_head_importance, plot_pruning_decisions, plot_recovery_curve

SCORES = np.array([[0.1, 0.7, 0.4], [0.9, 0.2, 0.5]])
MASK = np.array([[False, True, False], [True, False, False]])


def test_heatmaps_save_and_mark_pruned_heads(tmp_path):
    for name, figure in {
        "entropy": plot_head_entropy(SCORES),
        "importance": plot_head_importance(SCORES, MASK),
        "decisions": plot_pruning_decisions(SCORES, MASK),
    }.items():
        path = tmp_path / f"{name}.png"
        figure.savefig(path)
        assert path.stat().st_size > 1000
    assert len(plot_head_importance(SCORES, MASK).axes[0].patches) == 2
    assert len(plot_head_entropy(SCORES).axes[0].texts) == 6
    assert "2 of 6 heads pruned" in plot_pruning_decisions(SCORES, MASK).axes[0].get_title()


def test_recovery_curve_draws_mean_and_band_per_strategy(tmp_path):
    curves = {
        "random": {"pruned": [[1.0, 0.5, 0.2], [1.0, 0.6, 0.1]], "final": [[1.0, 0.8, 0.6], [1.0, 0.9, 0.5]]},
        "gradient": {"pruned": [1.0, 0.9, 0.5], "final": [1.0, 0.95, 0.8]},
    }
    figure = plot_recovery_curve([0.0, 0.4, 0.8], curves, metric="accuracy")
    ax = figure.axes[0]
    assert len(ax.lines) == 4 and len(ax.collections) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.55, 0.15])
    figure.savefig(tmp_path / "curve.png")


def test_bad_shapes_raise():
    with pytest.raises(ValueError, match="scores must be a \\[layers, heads\\]"):
        plot_head_entropy(np.ones(3))
    with pytest.raises(ValueError, match="prune_mask shape"):
        plot_pruning_decisions(SCORES, MASK[:, :2])
    with pytest.raises(ValueError, match="needs 2 values per row"):
        plot_recovery_curve([0.0, 0.5], {"random": {"final": [1.0, 0.5, 0.2]}})
