"""synapse_importance and record_activity against hand computations."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import WiredCfCCell
from biojax.wiring import FullyConnected, SynapseWeights, Wiring
from biojax.rewiring import Activity, record_activity, synapse_importance


def _raw_net():
    rng = np.random.default_rng(0)
    wiring = FullyConnected(2).build(2)
    weights = SynapseWeights(rng.normal(size=(2, 2)), rng.normal(size=(2, 2)))
    inputs = rng.normal(size=(3, 4, 2))
    states = rng.normal(size=(3, 4, 2))
    previous = rng.normal(size=(3, 4, 2))
    return wiring, weights, inputs, states, previous


def _hand_activity(inputs, pre, post, weight):
    x, p, q = (np.abs(a).reshape(-1, a.shape[-1]) for a in (inputs, pre, post))
    sensory = np.zeros((x.shape[1], q.shape[1]))
    recurrent = np.zeros((p.shape[1], q.shape[1]))
    for i in range(x.shape[1]):
        for j in range(q.shape[1]):
            sensory[i, j] = np.mean(x[:, i] * q[:, j]) * (1.0 if weight is None else abs(weight.sensory[i, j]))
    for i in range(p.shape[1]):
        for j in range(q.shape[1]):
            recurrent[i, j] = np.mean(p[:, i] * q[:, j]) * (1.0 if weight is None else abs(weight.recurrent[i, j]))
    return sensory, recurrent


def test_activity_importance_same_step():
    wiring, weights, inputs, states, _ = _raw_net()
    got = synapse_importance(wiring, weights, activity=Activity(inputs, states))
    want = _hand_activity(inputs, states, states, weights)
    np.testing.assert_allclose(got.sensory, want[0], rtol=1e-5)
    np.testing.assert_allclose(got.recurrent, want[1], rtol=1e-5)


def test_activity_importance_previous_states():
    wiring, weights, inputs, states, previous = _raw_net()
    got = synapse_importance(wiring, weights, activity=Activity(inputs, states, previous))
    want = _hand_activity(inputs, previous, states, weights)
    np.testing.assert_allclose(got.sensory, want[0], rtol=1e-5)
    np.testing.assert_allclose(got.recurrent, want[1], rtol=1e-5)
    # previous states matter: differs from the same-step version
    same = synapse_importance(wiring, weights, activity=Activity(inputs, states))
    assert not np.allclose(same.recurrent, got.recurrent)


def test_activity_importance_missing_synapses_and_unweighted():
    _, weights, inputs, states, previous = _raw_net()
    wiring = Wiring.from_adjacency([[1, 0], [0, -1]], [[1, 0], [0, 0]], output_dim=1)
    got = synapse_importance(wiring, weights, activity=Activity(inputs, states, previous))
    want = _hand_activity(inputs, previous, states, weights)
    np.testing.assert_allclose(got.sensory, want[0] * np.array([[1, 0], [0, 0]]), rtol=1e-5)
    np.testing.assert_allclose(got.recurrent, want[1] * np.eye(2), rtol=1e-5)
    co = synapse_importance(wiring, weights, activity=Activity(inputs, states, previous), weighted=False)
    co_want = _hand_activity(inputs, previous, states, None)
    np.testing.assert_allclose(co.sensory, co_want[0], rtol=1e-5)
    np.testing.assert_allclose(co.recurrent, co_want[1], rtol=1e-5)
    assert np.all(co.recurrent > 0) and np.all(co.sensory > 0)


def _fake_grads(params):
    rng = np.random.default_rng(42)
    return jax.tree_util.tree_map(lambda leaf: rng.normal(size=np.shape(leaf)).astype(np.float32), params)


def test_gradient_importance_wired_cfc(small_ncp, helpers):
    wiring = small_ncp
    params = helpers.cfc_params(wiring, seed=3)
    grads = _fake_grads(params)  # any pytree like params: the formula is |w * g|
    got = synapse_importance(wiring, params, grads=grads, intra_layer="wiring")
    params, grads = helpers.to_numpy(params), helpers.to_numpy(grads)
    sensory = np.zeros(wiring.sensory_adjacency_matrix.shape)
    recurrent = np.zeros(wiring.adjacency_matrix.shape)
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(wiring):
        for head in helpers.HEADS:
            w = float(params[f"layer_{layer}"][head]["kernel"][r, c])
            g = float(grads[f"layer_{layer}"][head]["kernel"][r, c])
            (sensory if is_sensory else recurrent)[src, dest] += abs(w * g)
    sensory *= wiring.sensory_adjacency_matrix != 0
    recurrent *= wiring.adjacency_matrix != 0
    assert recurrent.sum() > 0 and sensory.sum() > 0
    np.testing.assert_allclose(got.sensory, sensory, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(got.recurrent, recurrent, rtol=1e-5, atol=1e-9)


def test_gradient_importance_ltc(small_ncp, helpers):
    wiring = small_ncp
    params = helpers.ltc_params(wiring, seed=2)
    params = {**params, "w": params["w"] - 0.5, "sensory_w": params["sensory_w"] + 0.3}  # some negative w
    grads = _fake_grads(params)
    got = synapse_importance(wiring, params, grads=grads)

    def hand(w, g, mask):
        w, g = np.asarray(w, np.float64), np.asarray(g, np.float64)
        softplus = np.log1p(np.exp(w))
        sigmoid = 1.0 / (1.0 + np.exp(-w))
        return np.abs(softplus * g / sigmoid) * (mask != 0)

    want_s = hand(params["sensory_w"], grads["sensory_w"], wiring.sensory_adjacency_matrix)
    want_r = hand(params["w"], grads["w"], wiring.adjacency_matrix)
    assert want_r.sum() > 0
    np.testing.assert_allclose(got.sensory, want_s, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(got.recurrent, want_r, rtol=1e-5, atol=1e-12)


def test_both_or_neither_raises():
    wiring, weights, inputs, states, _ = _raw_net()
    with pytest.raises(ValueError, match="exactly one"):
        synapse_importance(wiring, weights)
    with pytest.raises(ValueError, match="exactly one"):
        synapse_importance(wiring, weights, grads=weights, activity=Activity(inputs, states))


def test_record_activity_wired_cfc_neuron_order(small_ncp, helpers):
    wiring = small_ncp
    params = helpers.cfc_params(wiring, seed=4, intra_layer="dense")
    cell = WiredCfCCell(wiring)
    xs = jax.random.normal(jax.random.key(2), (2, 3, wiring.input_dim))
    activity = record_activity(cell, params, xs)
    order = np.concatenate([wiring.get_neurons_of_layer(layer) for layer in range(wiring.num_layers)])
    assert not np.array_equal(order, np.arange(wiring.units))  # layer order differs from id order
    apply = jax.jit(lambda p, x, h: cell.apply({"params": p}, x, h))
    h = jnp.zeros((2, wiring.units))
    befores, afters = [], []
    for t in range(3):
        befores.append(np.asarray(h))
        _, h = apply(params, xs[:, t], h)
        afters.append(np.asarray(h))
    for t in range(3):
        want_after = np.zeros((2, wiring.units))
        want_after[:, order] = afters[t]  # layer-order column k is neuron order[k]
        want_before = np.zeros((2, wiring.units))
        want_before[:, order] = befores[t]
        np.testing.assert_allclose(np.asarray(activity.states)[:, t], want_after, atol=1e-5)
        np.testing.assert_allclose(np.asarray(activity.previous_states)[:, t], want_before, atol=1e-5)
    # motor neurons are ids 0..output_dim-1 and are the cell output
    out, _ = apply(params, xs[:, 0], jnp.zeros((2, wiring.units)))
    np.testing.assert_allclose(np.asarray(activity.states)[:, 0, : wiring.output_dim], np.asarray(out), atol=1e-5)
    np.testing.assert_array_equal(np.asarray(activity.inputs), np.asarray(xs))
