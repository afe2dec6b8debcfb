import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import LineCollection

from biojax.viz import draw_wiring
from biojax.wiring import AutoNCP, FullyConnected, Wiring


def test_renders_ncp_to_png_with_distinct_colours(tmp_path):
    wiring = AutoNCP(16, 4).build(3)
    fig = draw_wiring(wiring)
    path = tmp_path / "wiring.png"
    fig.savefig(path)
    assert path.stat().st_size > 1000
    ax = fig.axes[0]
    node_colours = {tuple(np.round(c.get_facecolor()[0], 3)) for c in ax.collections if not isinstance(c, LineCollection)}
    assert len(node_colours) == 4  # sensory, inter, command, motor
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    drawn = sum(len(c.get_segments()) for c in lines) + len(ax.patches)
    assert drawn == wiring.synapse_count + wiring.sensory_synapse_count
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["sensory (3)", "inter (8)", "command (4)", "motor (4)", "excitatory", "inhibitory"]


def test_draws_into_given_axes_and_checks_input():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert draw_wiring(FullyConnected(3, output_dim=1).build(2), ax=ax) is fig
    with pytest.raises(ValueError, match="built"):
        draw_wiring(AutoNCP(16, 4))
    with pytest.raises(TypeError, match="Wiring"):
        draw_wiring(np.eye(3))
    plt.close("all")


def test_unlayered_wiring_has_inter_and_motor_columns():
    fig = draw_wiring(Wiring.from_adjacency(np.eye(3, dtype=int), np.ones((2, 3), int), output_dim=1))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["sensory", "inter", "motor"]
