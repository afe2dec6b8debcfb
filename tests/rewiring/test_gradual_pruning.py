"""gradual_pruning (generic Optax transform) and gradual_wiring_pruning (wiring synapses)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.wiring import mask_wiring, unreachable_motor_neurons
from biojax.rewiring import gradual_pruning, gradual_wiring_pruning, sparsity_schedule

IN, OUT, N = 6, 3, 64


def _data(n_in=IN, n_out=OUT):
    kx, kw = jax.random.split(jax.random.key(0))
    x = jax.random.normal(kx, (N, n_in))
    y = x @ jax.random.normal(kw, (n_in, n_out)) + 0.5
    return x, y


def _params():
    return {"kernel": 0.1 * jax.random.normal(jax.random.key(1), (IN, OUT)), "bias": jnp.zeros(OUT)}


def _loss(params, x, y):
    return jnp.mean((x @ params["kernel"] + params.get("bias", 0.0) - y) ** 2)


def _train(opt, params, steps):
    x, y = _data(*params["kernel"].shape)

    @jax.jit
    def step(params, state):
        grads = jax.grad(_loss)(params, x, y)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    state = opt.init(params)
    history = []
    for _ in range(steps):
        params, state = step(params, state)
        history.append((params, state))
    return history


def test_final_count_zeros_stay_and_masks_shrink():
    final, end = 0.3, 12
    target = round(final * IN * OUT)  # 5.4 -> 5
    opt = optax.chain(optax.adam(1e-2), gradual_pruning(sparsity_schedule(1.0, final, 0, end)))
    history = _train(opt, _params(), 30)
    masks = [np.asarray(state[1].masks["kernel"]) for _, state in history]
    assert all(state[1].masks["bias"] is None for _, state in history)
    for before, after in zip(masks, masks[1:]):
        assert not np.any(after & ~before)  # only shrink
    assert masks[0].all()  # density(0) = 1: nothing pruned on the first step
    assert masks[1].sum() < IN * OUT
    kernels = [np.asarray(p["kernel"]) for p, _ in history]
    for step in range(end + 1, 30):
        kernel = kernels[step]
        assert np.count_nonzero(kernel) == target
        # pruned entries are exactly 0.0 and the mask says which
        np.testing.assert_array_equal(kernel != 0, masks[step])
    zero_after_end = kernels[end + 1] == 0
    for kernel in kernels[end + 1:]:
        assert np.all(kernel[zero_after_end] == 0.0)
    # the bias kept learning (never pruned)
    assert np.all(np.asarray(history[-1][0]["bias"]) != 0.0)


def test_count_on_schedule_each_step():
    # with sgd(0) weights never change: the mask after step t keeps round(density(t) * size)
    schedule = sparsity_schedule(1.0, 0.25, 0, 8, "linear")
    params = {"kernel": jax.random.normal(jax.random.key(3), (4, 6)), "bias": jnp.ones(6)}
    opt = optax.chain(optax.sgd(0.0), gradual_pruning(schedule))
    history = _train(opt, params, 10)
    for t, (p, _) in enumerate(history):
        assert np.count_nonzero(np.asarray(p["kernel"])) == round(float(schedule(t)) * 24)
    # survivors are the largest magnitudes of the original kernel
    final = np.asarray(history[-1][0]["kernel"])
    original = np.abs(np.asarray(params["kernel"]))
    expected = original >= np.sort(original.ravel())[-6]
    np.testing.assert_array_equal(final != 0, expected)
    np.testing.assert_array_equal(final[expected], np.asarray(params["kernel"])[expected])
    np.testing.assert_array_equal(np.asarray(history[-1][0]["bias"]), np.ones(6))


def test_bias_updates_equal_plain_optimizer():
    params = _params()
    x, y = _data()
    grads = jax.grad(_loss)(params, x, y)
    adam = optax.adam(1e-2)
    opt = optax.chain(adam, gradual_pruning(sparsity_schedule(1.0, 0.5, 0, 1)))
    state = opt.init(params)
    updates, _ = opt.update(grads, state, params)
    plain, _ = adam.update(grads, adam.init(params), params)
    np.testing.assert_array_equal(np.asarray(updates["bias"]), np.asarray(plain["bias"]))
    # kept kernel entries get the optimizer update, pruned ones exactly -weight
    kernel_new = np.asarray(optax.apply_updates(params, updates)["kernel"])
    kept = kernel_new != 0
    assert kept.sum() == round(0.5 * IN * OUT) or kept.sum() == IN * OUT
    np.testing.assert_allclose(np.asarray(updates["kernel"])[kept], np.asarray(plain["kernel"])[kept])


def test_update_every():
    params = {"kernel": jax.random.normal(jax.random.key(3), (4, 6))}
    schedule = sparsity_schedule(1.0, 0.25, 0, 8, "linear")
    opt = optax.chain(optax.sgd(0.0), gradual_pruning(schedule, update_every=3))
    history = _train(opt, params, 9)
    counts = [int(np.count_nonzero(np.asarray(p["kernel"]))) for p, _ in history]
    for t in range(9):
        last = t - t % 3
        assert counts[t] == round(float(schedule(last)) * 24)


def test_explicit_initial_mask():
    rng = np.random.default_rng(0)
    init_mask = rng.random((IN, OUT)) < 0.6
    n_init = int(init_mask.sum())
    masks = {"kernel": init_mask, "bias": None}
    opt = optax.chain(optax.adam(1e-2), gradual_pruning(sparsity_schedule(1.0, 0.5, 2, 6), masks))
    history = _train(opt, _params(), 10)
    first = np.asarray(history[0][0]["kernel"])
    assert np.all(first[~init_mask] == 0.0)
    assert np.count_nonzero(first) == n_init  # density 1.0 until begin_step: the initial mask
    for p, state in history:
        assert np.all(np.asarray(p["kernel"])[~init_mask] == 0.0)
        assert int(state[1].initial_counts["kernel"]) == n_init
    assert np.count_nonzero(np.asarray(history[-1][0]["kernel"])) == round(0.5 * n_init)


def test_needs_params():
    opt = gradual_pruning(sparsity_schedule(1.0, 0.5, 0, 4))
    params = _params()
    with pytest.raises(ValueError, match="params"):
        opt.update(params, opt.init(params))


# ------------------------------------------------------------------ wiring pruning


def _cfc_train(wiring, params, opt, steps):
    # stand-in gradients (fixed random pytrees) keep the test fast; the pruner only sees the updates
    rng = np.random.default_rng(0)

    @jax.jit
    def step(p, state, grads):
        updates, state = opt.update(grads, state, p)
        return optax.apply_updates(p, updates), state

    state = opt.init(params)
    for _ in range(steps):
        grads = jax.tree_util.tree_map(lambda leaf: rng.normal(size=np.shape(leaf)).astype(np.float32), params)
        params, state = step(params, state, grads)
    return params, state


def test_wiring_pruning_cfc(ncp, helpers):
    params = helpers.cfc_params(ncp, seed=1)
    final = 0.5
    opt = optax.chain(optax.adam(1e-2), gradual_wiring_pruning(
        ncp, params, sparsity_schedule(1.0, final, 0, 5), intra_layer="wiring"))
    params, state = _cfc_train(ncp, params, opt, 9)
    params = helpers.to_numpy(params)
    keep = optax.tree_utils.tree_get(state, "keep")
    pruned = mask_wiring(ncp, keep)
    assert helpers.total_synapses(pruned) == round(final * helpers.total_synapses(ncp))
    assert unreachable_motor_neurons(pruned) == []
    n_removed = n_kept = 0
    for layer, r, c, is_sensory, src, dest, _ in helpers.cfc_kernel_entries(ncp):
        old = (ncp.sensory_adjacency_matrix if is_sensory else ncp.adjacency_matrix)[src, dest]
        now = (pruned.sensory_adjacency_matrix if is_sensory else pruned.adjacency_matrix)[src, dest]
        values = [float(params[f"layer_{layer}"][h]["kernel"][r, c]) for h in helpers.HEADS]
        if old != 0 and now == 0:
            n_removed += 1
            assert values == [0.0] * 4
        elif now != 0:
            n_kept += 1
            assert any(v != 0.0 for v in values)
    assert n_removed > 0 and n_kept == helpers.total_synapses(pruned)


def test_wiring_pruning_rejects_ltc(ncp, helpers):
    with pytest.raises(ValueError, match="LTC"):
        gradual_wiring_pruning(ncp, helpers.ltc_params(ncp), sparsity_schedule(1.0, 0.5, 0, 5))


def test_wiring_pruning_too_low_final_density(ncp, helpers):
    params = helpers.cfc_params(ncp)
    with pytest.raises(ValueError, match="final_density"):
        gradual_wiring_pruning(ncp, params, sparsity_schedule(1.0, 0.0, 0, 5), intra_layer="wiring")
    # without keeping paths it is allowed
    gradual_wiring_pruning(ncp, params, sparsity_schedule(1.0, 0.0, 0, 5), intra_layer="wiring", keep_paths=False)


def test_wiring_pruning_sweeps_final_density_under_vmap(ncp, helpers):
    params = helpers.cfc_params(ncp, seed=2)
    grads = jax.tree_util.tree_map(jnp.ones_like, params)
    total = helpers.total_synapses(ncp)

    def kept_after_training(final_density):
        opt = optax.chain(optax.sgd(1e-2), gradual_wiring_pruning(
            ncp, params, sparsity_schedule(1.0, final_density, 0, 3), intra_layer="wiring"))
        state, p = opt.init(params), params
        for _ in range(4):
            updates, state = opt.update(grads, state, p)
            p = optax.apply_updates(p, updates)
        keep = optax.tree_utils.tree_get(state, "keep")
        return keep.sensory.sum() + keep.recurrent.sum()

    densities = jnp.array([0.8, 0.5, 0.3])
    counts = jax.jit(jax.vmap(kept_after_training))(densities)
    assert counts.tolist() == [round(float(d) * total) for d in densities]
