"""Shared fixtures for the wiring-optimization tests: tiny wirings, cell params and a hand-written
map from wired-CfC kernel entries to synapses (independent of biojax.rewiring.synapse_layout)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import LTCCell, WiredCfCCell
from biojax.wiring import AutoNCP

HEADS = ("ff1", "ff2", "time_a", "time_b")


def total_synapses(wiring):
    return int(np.count_nonzero(wiring.adjacency_matrix) + np.count_nonzero(wiring.sensory_adjacency_matrix))


def to_numpy(tree):
    return jax.tree_util.tree_map(np.asarray, tree)


def cfc_kernel_entries(wiring):
    """Yields (layer, row, col, is_sensory, src, dest) for every kernel entry of a WiredCfCCell,
    computed from the layer lists alone: rows are [previous layer (or inputs) | own layer], columns
    the layer's neurons."""
    previous = None
    for layer in range(wiring.num_layers):
        neurons = list(wiring.get_neurons_of_layer(layer))
        sources = list(range(wiring.input_dim)) if previous is None else list(previous)
        rows = sources + neurons
        for r, src in enumerate(rows):
            for c, dest in enumerate(neurons):
                is_sensory = previous is None and r < len(sources)
                yield layer, r, c, is_sensory, src, dest, r >= len(sources)
        previous = neurons


def _init(module, wiring, seed):
    # eager init: JAX caches the compiled ops per shape, so later inits of the same wiring are cheap
    s, n = wiring.input_dim, wiring.units
    return module.init(jax.random.key(seed), jnp.ones((1, s)), jnp.zeros((1, n)))["params"]


def ltc_params(wiring, seed=0):
    return _init(LTCCell(wiring), wiring, seed)


def cfc_params(wiring, seed=0, intra_layer="wiring"):
    return _init(WiredCfCCell(wiring, intra_layer=intra_layer), wiring, seed)


@pytest.fixture(scope="session")
def ncp():
    return AutoNCP(16, 4, seed=3).build(3)


@pytest.fixture(scope="session")
def small_ncp():
    return AutoNCP(10, 2, seed=1).build(2)


@pytest.fixture(scope="session")
def helpers():
    import types

    return types.SimpleNamespace(to_numpy=to_numpy, total_synapses=total_synapses, cfc_kernel_entries=cfc_kernel_entries,
                                 ltc_params=ltc_params, cfc_params=cfc_params, HEADS=HEADS)


@pytest.fixture(scope="session")
def ltc_ncp_params(ncp):
    return ltc_params(ncp, seed=11)


@pytest.fixture(scope="session")
def cfc_ncp_params(ncp):
    return cfc_params(ncp, seed=12)
