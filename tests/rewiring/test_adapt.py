"""adapt_wiring: prune the least important synapses, grow new ones."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from biojax.wiring import SynapseWeights, critical_paths
from biojax.rewiring import adapt_wiring


def _flat(a, b):
    return np.concatenate([np.asarray(a).ravel(), np.asarray(b).ravel()])


def _exists(w):
    return _flat(w.sensory_adjacency_matrix != 0, w.adjacency_matrix != 0)


def _random_weights(wiring, seed):
    rng = np.random.default_rng(seed)
    return SynapseWeights(rng.random(wiring.sensory_adjacency_matrix.shape),
                          rng.random(wiring.adjacency_matrix.shape))


def _cfc_representable(wiring):
    """Positions where a WiredCfCCell with intra_layer='wiring' has kernel entries (by hand)."""
    sensory = np.zeros(wiring.sensory_adjacency_matrix.shape, bool)
    recurrent = np.zeros(wiring.adjacency_matrix.shape, bool)
    previous = None
    for layer in range(wiring.num_layers):
        neurons = list(wiring.get_neurons_of_layer(layer))
        if previous is None:
            sensory[:, neurons] = True
        else:
            recurrent[np.ix_(previous, neurons)] = True
        recurrent[np.ix_(neurons, neurons)] = True
        previous = neurons
    return _flat(sensory, recurrent)


def test_match_keeps_count_prunes_least_important_grows_best(ncp, helpers, ltc_ncp_params):
    params = ltc_ncp_params
    importance = _random_weights(ncp, 0)
    growth = _random_weights(ncp, 1)
    result = adapt_wiring(ncp, params, importance, prune_fraction=0.25, growth_scores=growth)
    before, after = _exists(ncp), _exists(result.wiring)
    assert helpers.total_synapses(result.wiring) == helpers.total_synapses(ncp)
    removed = before & ~after
    grown = after & ~before
    assert result.pruned == removed.sum() == round(0.25 * before.sum())
    assert result.grown == grown.sum() == result.pruned
    # least important non-protected synapses were pruned
    strength = SynapseWeights(*(np.logaddexp(0, np.asarray(params[k])) for k in ("sensory_w", "w")))
    protected = critical_paths(ncp, strength)
    protected = _flat(protected.sensory, protected.recurrent)
    assert not np.any(removed & protected)
    score = _flat(*importance)
    survivors = before & ~removed & ~protected
    assert score[removed].max() <= score[survivors].min()
    # grown: had no synapse and are the best-scoring free positions (LTC can hold any position)
    g = _flat(*growth)
    free = ~before
    assert not np.any(grown & before)
    assert g[grown].min() >= g[free & ~grown].max()
    # LTC: new synapses get erev = polarity (default +1), pruned ones erev 0
    erev = _flat(result.params["sensory_erev"], result.params["erev"])
    assert np.all(erev[grown] == 1.0)
    assert np.all(erev[removed] == 0.0)
    polarity = _flat(result.wiring.sensory_adjacency_matrix, result.wiring.adjacency_matrix)
    assert np.all(polarity[grown] == 1)


def test_negative_polarity_ltc(ncp, ltc_ncp_params):
    result = adapt_wiring(ncp, ltc_ncp_params, _random_weights(ncp, 2), prune_fraction=0.2,
                          growth_scores=_random_weights(ncp, 3), polarity=-1)
    grown = _exists(result.wiring) & ~_exists(ncp)
    assert grown.sum() > 0
    erev = _flat(result.params["sensory_erev"], result.params["erev"])
    assert np.all(erev[grown] == -1.0)
    polarity = _flat(result.wiring.sensory_adjacency_matrix, result.wiring.adjacency_matrix)
    assert np.all(polarity[grown] == -1)


def test_grown_never_the_just_pruned(ncp, ltc_ncp_params):
    # growth scores are highest exactly where synapses exist, so a naive grower would re-grow them
    importance = _random_weights(ncp, 4)
    growth = SynapseWeights(np.abs(ncp.sensory_adjacency_matrix) * 10.0, np.abs(ncp.adjacency_matrix) * 10.0)
    result = adapt_wiring(ncp, ltc_ncp_params, importance, prune_fraction=0.3, growth_scores=growth)
    before, after = _exists(ncp), _exists(result.wiring)
    removed = before & ~after
    assert removed.sum() == result.pruned > 0
    assert result.grown == result.pruned  # enough free positions
    assert not np.any((after & ~before) & before)


def test_cfc_grows_only_representable_with_zero_kernels(ncp, helpers, cfc_ncp_params):
    params = cfc_ncp_params
    result = adapt_wiring(ncp, params, _random_weights(ncp, 5), prune_fraction=0.25, key=jax.random.key(0),
                          intra_layer="wiring")
    before, after = _exists(ncp), _exists(result.wiring)
    grown, removed = after & ~before, before & ~after
    assert grown.sum() == removed.sum() == result.pruned > 0
    assert np.all(_cfc_representable(ncp)[grown])
    new = helpers.to_numpy(result.params)
    old = helpers.to_numpy(params)
    units, s = ncp.units, ncp.input_dim
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(ncp):
        index = src * units + dest if is_sensory else s * units + src * units + dest
        for head in helpers.HEADS:
            value = new[f"layer_{layer}"][head]["kernel"][r, c]
            if grown[index] or removed[index]:
                assert value == 0.0
            elif after[index]:
                assert value == old[f"layer_{layer}"][head]["kernel"][r, c]


def test_cfc_growth_scores_pick_best_representable(ncp, cfc_ncp_params):
    growth = _random_weights(ncp, 6)
    result = adapt_wiring(ncp, cfc_ncp_params, _random_weights(ncp, 7), prune_fraction=0.2,
                          growth_scores=growth, intra_layer="wiring")
    before, after = _exists(ncp), _exists(result.wiring)
    grown = after & ~before
    free = _cfc_representable(ncp) & ~before
    g = _flat(*growth)
    assert grown.sum() == result.grown > 0
    assert g[grown].min() >= g[free & ~grown].max()


def test_int_grow_budget(ncp, helpers, ltc_ncp_params):
    result = adapt_wiring(ncp, ltc_ncp_params, _random_weights(ncp, 8), prune_fraction=0.1, grow=3,
                          growth_scores=_random_weights(ncp, 9))
    assert result.grown == 3
    assert helpers.total_synapses(result.wiring) == helpers.total_synapses(ncp) - result.pruned + 3
    zero = adapt_wiring(ncp, ltc_ncp_params, _random_weights(ncp, 8), prune_fraction=0.1, grow=0)
    assert zero.grown == 0
    assert helpers.total_synapses(zero.wiring) == helpers.total_synapses(ncp) - zero.pruned


def test_prune_threshold(ncp, ltc_ncp_params):
    importance = _random_weights(ncp, 10)
    result = adapt_wiring(ncp, ltc_ncp_params, importance, prune_threshold=0.3, grow=0, keep_paths=False)
    before, after = _exists(ncp), _exists(result.wiring)
    score = _flat(*importance)
    np.testing.assert_array_equal(before & ~after, before & (score < 0.3))


def test_errors(ncp, ltc_ncp_params):
    importance = _random_weights(ncp, 0)
    with pytest.raises(ValueError, match="prune_fraction"):
        adapt_wiring(ncp, ltc_ncp_params, importance)
    with pytest.raises(ValueError, match="prune_fraction"):
        adapt_wiring(ncp, ltc_ncp_params, importance, prune_fraction=0.1, prune_threshold=0.2)
    with pytest.raises(ValueError, match="polarity"):
        adapt_wiring(ncp, ltc_ncp_params, importance, prune_fraction=0.1, polarity=0, key=jax.random.key(0))
    with pytest.raises(ValueError, match="key"):
        adapt_wiring(ncp, ltc_ncp_params, importance, prune_fraction=0.1)
    with pytest.raises(ValueError, match="grow"):
        adapt_wiring(ncp, ltc_ncp_params, importance, prune_fraction=0.1, grow="all", key=jax.random.key(0))
    with pytest.raises(ValueError, match="importance"):
        adapt_wiring(ncp, ltc_ncp_params, SynapseWeights(np.ones((1, 1)), np.ones((1, 1))), prune_fraction=0.1,
                     key=jax.random.key(0))
