"""The search figure: every point visible (legend outside the axes), structures tagged, budget drawn."""

import matplotlib

matplotlib.use("Agg")

from biojax.viz.search_plots import plot_accuracy_vs_params, structure_labels  # noqa: E402


def _results():
    rows = []
    for n_params, n_neurons, k in ((6488, 82, 32), (7230, 76, 40)):
        for i, acc in enumerate((0.12, 0.2, 0.26, 0.3)):
            rows.append({"total_params": n_params, "val_accuracy": acc + n_neurons / 1000, "test_accuracy": acc,
                         "status": "ok", "params": {"architecture": "dendritic_simple", "n_neurons": n_neurons,
                                                    "n_dendrite_inputs": k, "lr": 0.001 * (i + 1), "n_epochs": 2}})
    rows.append({"total_params": 9999, "val_accuracy": float("nan"), "test_accuracy": float("nan"),
                 "status": "over_budget", "params": {"n_neurons": 200}})
    return rows


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_the_legend_covers_no_point():
    fig = plot_accuracy_vs_params(_results(), budget=(6400, 8000))
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    points = [ax.transData.transform(p) for c in ax.collections if hasattr(c, "get_offsets")
              for p in c.get_offsets()]
    assert len(points) == 8
    assert not any(legend.x0 <= x <= legend.x1 and legend.y0 <= y <= legend.y1 for x, y in points)
    assert not _overlaps(legend, ax.get_window_extent())


def test_each_structure_is_tagged_and_listed_with_its_settings():
    assert structure_labels(_results()) == [("S1", 6488, "n_neurons=82, n_dendrite_inputs=32"),
                                           ("S2", 7230, "n_neurons=76, n_dendrite_inputs=40")]
    fig = plot_accuracy_vs_params(_results())
    assert [t.get_text() for t in fig.axes[0].texts] == ["S1", "S2"]
    key = "\n".join(t.get_text() for t in fig.texts)
    assert "S1 (6488 params): n_neurons=82, n_dendrite_inputs=32" in key
    assert "S2 (7230 params): n_neurons=76, n_dendrite_inputs=40" in key
    assert fig.axes[0].get_title() == "8 trials, 2 structures"


def test_the_budget_window_is_drawn_and_in_view():
    fig = plot_accuracy_vs_params(_results(), budget=(6400, 8000))
    ax = fig.axes[0]
    edges = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert edges == [6400, 8000]
    low, high = ax.get_xlim()
    assert low <= 6400 and high >= 8000
    assert "budget 6400 to 8000 params" in ax.get_legend_handles_labels()[1]


def test_without_a_budget_nothing_is_shaded():
    ax = plot_accuracy_vs_params(_results()).axes[0]
    assert not [line for line in ax.lines if line.get_linestyle() == "--"]
