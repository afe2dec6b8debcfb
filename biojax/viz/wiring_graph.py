"""Drawing a wiring: neurons by type in columns, synapses coloured by polarity."""

from __future__ import annotations

from typing import Any

import numpy as np

from biojax.wiring.base import Wiring

NEURON_COLORS = {
    "sensory": "tab:olive",
    "inter": "tab:blue",
    "command": "tab:purple",
    "motor": "tab:orange",
}
SYNAPSE_STYLES = {
    "excitatory": {"color": "tab:green", "linestyle": "-"},
    "inhibitory": {"color": "tab:red", "linestyle": "--"},
}
_COLUMN_ORDER = ("sensory", "inter", "command", "motor")


def _neuron_positions(wiring: Wiring) -> tuple[dict[str, np.ndarray], dict[str, list[int]]]:
    groups: dict[str, list[int]] = {"sensory": list(range(wiring.input_dim))}
    for neuron in range(wiring.units):
        groups.setdefault(wiring.get_type_of_neuron(neuron), []).append(neuron)
    columns = [kind for kind in _COLUMN_ORDER if groups.get(kind)]
    columns += [kind for kind in groups if kind not in columns and groups[kind]]
    positions = {}
    for x, kind in enumerate(columns):
        ids = groups[kind]
        ys = np.linspace(1.0, 0.0, len(ids)) if len(ids) > 1 else np.array([0.5])
        positions[kind] = np.stack([np.full(len(ids), float(x)), ys], axis=1)
    return positions, {kind: groups[kind] for kind in columns}


def draw_wiring(wiring: Wiring, ax: Any = None, *, node_size: float = 60.0, alpha: float = 0.5) -> Any:
    """Draws a built wiring and returns the matplotlib Figure.

    Inputs, inter, command and motor neurons are drawn in columns from left to right, each type in its
    own colour (ncps draws command neurons like inter neurons); excitatory synapses are solid green,
    inhibitory ones dashed red. Synapses within a column (e.g. recurrent command synapses) are arcs.

    Args:
        wiring: a built :class:`~biojax.wiring.Wiring`.
        ax: matplotlib Axes to draw into; a new figure is made when ``None``.
        node_size: marker area of a neuron.
        alpha: opacity of the synapse lines.

    Returns:
        The ``matplotlib.figure.Figure`` that holds the drawing.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from biojax.wiring import AutoNCP
        >>> fig = draw_wiring(AutoNCP(16, 4).build(3))
        >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:4]
        ['sensory (3)', 'inter (8)', 'command (4)', 'motor (4)']
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    if not isinstance(wiring, Wiring):
        raise TypeError(f"wiring must be a biojax.wiring.Wiring, got {type(wiring).__name__}")
    if not wiring.is_built():
        raise ValueError("draw_wiring needs a built wiring: call wiring.build(input_dim) first")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    positions, groups = _neuron_positions(wiring)
    where = {}
    for kind, ids in groups.items():
        for neuron, xy in zip(ids, positions[kind]):
            where[(kind == "sensory", neuron)] = xy

    edges = [(True, src, dest, p) for (src, dest), p in np.ndenumerate(wiring.sensory_adjacency_matrix) if p]
    edges += [(False, src, dest, p) for (src, dest), p in np.ndenumerate(wiring.adjacency_matrix) if p]
    for polarity, name in ((1, "excitatory"), (-1, "inhibitory")):
        straight, arcs = [], []
        for sensory, src, dest, p in edges:
            if p != polarity:
                continue
            start, end = where[(sensory, src)], where[(False, dest)]
            (arcs if start[0] == end[0] else straight).append((start, end))
        style = SYNAPSE_STYLES[name]
        ax.add_collection(LineCollection(straight, colors=style["color"], linestyles=style["linestyle"],
                                         linewidths=0.8, alpha=alpha, zorder=1))
        for start, end in arcs:
            ax.add_patch(FancyArrowPatch(start, end, connectionstyle="arc3,rad=0.4", arrowstyle="-",
                                         color=style["color"], linestyle=style["linestyle"],
                                         linewidth=0.8, alpha=alpha, zorder=1))
    handles = []
    for kind, ids in groups.items():
        color = NEURON_COLORS.get(kind, "tab:gray")
        ax.scatter(*positions[kind].T, s=node_size, color=color, edgecolors="black", linewidths=0.5, zorder=2)
        handles.append(Line2D([], [], marker="o", linestyle="", color=color, label=f"{kind} ({len(ids)})"))
    for name, style in SYNAPSE_STYLES.items():
        handles.append(Line2D([], [], label=name, **style))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set_yticks([])
    ax.margins(0.1)
    ax.set_title(f"{type(wiring).__name__}: {wiring.synapse_count} synapses, "
                 f"{wiring.sensory_synapse_count} sensory")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.figure.tight_layout()
    return ax.figure
