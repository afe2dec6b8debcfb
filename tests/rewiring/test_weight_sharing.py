"""share_weights / unshare / make_shared_train_step / sharing_report."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.rewiring import SharedWeights, make_shared_train_step, share_weights, sharing_report, unshare


def _params(seed=0):
    rng = np.random.default_rng(seed)
    kernel = rng.normal(size=(12, 8)).astype(np.float32)
    kernel[rng.random(kernel.shape) < 0.25] = 0.0
    return {"dense": {"kernel": jnp.asarray(kernel), "bias": jnp.asarray(rng.normal(size=8), jnp.float32)},
            "out": {"kernel": jnp.asarray(rng.normal(size=(8, 3)), jnp.float32)}}


@pytest.mark.parametrize("n_clusters", [2, 4, 16])
def test_reconstruction_is_nearest_center(n_clusters):
    params = _params()
    shared = share_weights(params, n_clusters)
    full = unshare(shared)
    for path in (("dense", "kernel"), ("out", "kernel")):
        orig = np.asarray(params[path[0]][path[1]], np.float64)
        recon = np.asarray(full[path[0]][path[1]], np.float64)
        centers = np.asarray(shared.values[path[0]][path[1]], np.float64)
        assignment = np.asarray(shared.assignments[path[0]][path[1]])
        assert centers.shape == (n_clusters,)
        assert recon.shape == orig.shape and full[path[0]][path[1]].dtype == jnp.float32
        # zeros stay exactly zero and are not assigned a cluster
        assert np.all(recon[orig == 0] == 0.0)
        np.testing.assert_array_equal(assignment == -1, orig == 0)
        nz = orig != 0
        used = np.unique(assignment[nz])
        distance = np.abs(orig[nz][:, None] - centers[used][None, :]).min(axis=1)
        np.testing.assert_allclose(np.abs(recon[nz] - orig[nz]), distance, atol=1e-6)
        assert len(np.unique(recon[nz])) <= n_clusters
    # biases (1-D) are not shared
    np.testing.assert_array_equal(np.asarray(full["dense"]["bias"]), np.asarray(params["dense"]["bias"]))
    assert shared.assignments["dense"]["bias"] is None


def test_few_distinct_values_exact():
    kernel = jnp.array([[0.5, -1.0, 2.0], [0.0, 0.5, 2.0], [-1.0, -1.0, 0.0]], jnp.float32)
    shared = share_weights({"k": kernel}, 4)
    np.testing.assert_array_equal(np.asarray(unshare(shared)["k"]), np.asarray(kernel))
    shared3 = share_weights({"k": kernel}, 3)  # exactly 3 distinct non-zero values
    np.testing.assert_array_equal(np.asarray(unshare(shared3)["k"]), np.asarray(kernel))


@pytest.mark.parametrize("n_clusters", [3, 8])
def test_better_than_uniform_quantization(n_clusters):
    params = _params(3)
    shared = share_weights(params, n_clusters)
    orig = np.asarray(params["dense"]["kernel"], np.float64)
    recon = np.asarray(unshare(shared)["dense"]["kernel"], np.float64)
    nz = orig[orig != 0]
    levels = np.linspace(nz.min(), nz.max(), n_clusters)
    uniform = np.abs(nz[:, None] - levels[None, :]).min(axis=1)
    assert np.sum((recon[orig != 0] - nz) ** 2) <= np.sum(uniform ** 2)


def test_shared_train_step_gradient_is_sum_per_cluster():
    params = _params(1)
    shared = share_weights(params, 4)
    rng = np.random.default_rng(2)
    x = jnp.asarray(rng.normal(size=(16, 12)), jnp.float32)
    y = jnp.asarray(rng.normal(size=(16, 3)), jnp.float32)

    def loss_fn(p, x, y):
        hidden = jnp.tanh(x @ p["dense"]["kernel"] + p["dense"]["bias"])
        return jnp.mean((hidden @ p["out"]["kernel"] - y) ** 2)

    dense_grads = jax.grad(loss_fn)(unshare(shared), x, y)
    lr = 0.1
    step = jax.jit(make_shared_train_step(loss_fn, optax.sgd(lr)))
    new_shared, _, loss = step(shared, optax.sgd(lr).init(shared.values), x, y)
    assert float(loss) == pytest.approx(float(loss_fn(unshare(shared), x, y)), rel=1e-6)
    for name in ("dense", "out"):
        a = np.asarray(shared.assignments[name]["kernel"])
        g = np.asarray(dense_grads[name]["kernel"], np.float64)
        per_cluster = np.zeros(4)
        for k in range(4):
            per_cluster[k] = g[a == k].sum()
        want = np.asarray(shared.values[name]["kernel"], np.float64) - lr * per_cluster
        np.testing.assert_allclose(np.asarray(new_shared.values[name]["kernel"]), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(np.asarray(new_shared.assignments[name]["kernel"]), a)
    want_bias = np.asarray(shared.values["dense"]["bias"]) - lr * np.asarray(dense_grads["dense"]["bias"])
    np.testing.assert_allclose(np.asarray(new_shared.values["dense"]["bias"]), want_bias, rtol=1e-5, atol=1e-7)
    # several steps: assignments never change and zeros stay zero
    state = optax.sgd(lr).init(new_shared.values)
    for _ in range(3):
        new_shared, state, _ = step(new_shared, state, x, y)
    full = unshare(new_shared)
    assert np.all(np.asarray(full["dense"]["kernel"])[np.asarray(params["dense"]["kernel"]) == 0] == 0.0)
    for name in ("dense", "out"):
        np.testing.assert_array_equal(np.asarray(new_shared.assignments[name]["kernel"]),
                                      np.asarray(shared.assignments[name]["kernel"]))


def test_sharing_report_bytes():
    params = _params()
    shared = share_weights(params, 4)
    report = sharing_report(shared)
    bits = math.ceil(math.log2(4 + 1))  # 3
    original = (12 * 8 + 8 * 3) * 4
    packed = 4 * 4 + math.ceil(12 * 8 * bits / 8) + 4 * 4 + math.ceil(8 * 3 * bits / 8)
    assert report["original_bytes"] == original
    assert report["shared_bytes"] == packed
    assert report["saved_bytes"] == original - packed
    assert report["compression"] == pytest.approx(original / packed)
    report16 = sharing_report(share_weights({"w": jnp.ones((10, 10)) * jnp.arange(100.0).reshape(10, 10)}, 16))
    assert report16["shared_bytes"] == 16 * 4 + math.ceil(100 * 5 / 8)


def test_where_selects_leaves():
    params = _params()
    shared = share_weights(params, 4, where=lambda path, leaf: "out" in jax.tree_util.keystr(path))
    assert shared.assignments["dense"]["kernel"] is None
    assert shared.assignments["out"]["kernel"] is not None
    np.testing.assert_array_equal(np.asarray(unshare(shared)["dense"]["kernel"]),
                                  np.asarray(params["dense"]["kernel"]))
    assert isinstance(shared, SharedWeights)
