"""The bio monitoring figure draws one panel per known key and one line per curve."""

import matplotlib

matplotlib.use("Agg")

import pytest

from biojax.viz import plot_bio_monitoring


def test_panels_and_curves():
    fig = plot_bio_monitoring(
        {"crystallized": [[0, 1, 2], [0, 2, 4]], "rejuvenated": [5, 4, 3], "fuzzy_std": [0.1, 0.1, 0.1]}
    )
    assert [ax.get_title() for ax in fig.axes] == [
        "Crystallized weights", "Rejuvenated weights", "Learning-rate variability"
    ]
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 1
    assert list(fig.axes[1].lines[0].get_ydata()) == [5, 4, 3]


def test_unknown_keys_rejected():
    with pytest.raises(ValueError, match="history must contain"):
        plot_bio_monitoring({"loss": [1.0]})
