"""Synaptic resampling: fan-in invariant, weakest-only rewiring, moment reset, jit/vmap, RigL."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biojax.learning import (
    dendrite_input_gradients,
    resample_dendritic,
    resample_synapses,
    rigl_resample_dendritic,
)
from biojax.learning.synaptic_resampling import removal_candidates
from biojax.nn import dendritic_simple


def _layer_arrays(seed, n_d, k, n_inputs):
    rng = np.random.default_rng(seed)
    idx = np.stack([rng.choice(n_inputs, k, replace=False) for _ in range(n_d)]).astype(np.int32)
    return jnp.asarray(rng.normal(size=(n_d, k)), jnp.float32), jnp.asarray(idx)


N_D, K = 5, 8
_jitted_resample = jax.jit(lambda kernel, idx, key, fraction, n_inputs: resample_synapses(
    kernel, idx, key=key, fraction=fraction, n_inputs=n_inputs))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), extra=st.integers(0, 12), fraction=st.floats(0.0, 1.0))
def test_fan_in_stays_exactly_k_and_only_the_weakest_change(seed, extra, fraction):
    # shapes fixed so one compiled program serves every example; n_inputs and fraction traced
    n_d, k, n_inputs = N_D, K, K + extra
    kernel, idx = _layer_arrays(seed, n_d, k, n_inputs)
    new_kernel, new_idx, swapped = _jitted_resample(kernel, idx, jax.random.key(seed), fraction,
                                                    n_inputs)
    new_idx, swapped = np.asarray(new_idx), np.asarray(swapped)
    assert new_idx.shape == (n_d, k) and new_idx.min() >= 0 and new_idx.max() < n_inputs
    assert all(len(set(row)) == k for row in new_idx)  # exactly k distinct inputs per dendrite
    r = int(k * fraction + 1e-3)
    weakest = np.argsort(np.abs(np.asarray(kernel)), axis=1, kind="stable")[:, :r]
    allowed = np.zeros((n_d, k), bool)
    np.put_along_axis(allowed, weakest, True, axis=1)
    assert not (swapped & ~allowed).any()
    np.testing.assert_array_equal(new_idx[~swapped], np.asarray(idx)[~swapped])
    np.testing.assert_array_equal(np.asarray(new_kernel)[~swapped], np.asarray(kernel)[~swapped])
    assert (new_idx[swapped] != np.asarray(idx)[swapped]).all()


def test_acceptance_rate_matches_the_anchor():
    kernel, idx = _layer_arrays(0, 200, 128, 784)
    _, _, swapped = resample_synapses(kernel, idx, key=jax.random.key(0), fraction=0.25, n_inputs=784)
    rate = float(swapped.sum()) / (200 * 32)
    assert 0.80 < rate < 0.88  # ~84% of proposals succeed at k=128 of 784 (reference note B.2)


def test_removal_candidates_count():
    kernel = jnp.arange(1.0, 11.0)[None]
    for fraction, r in [(0.0, 0), (0.25, 2), (0.7, 7), (1.0, 10)]:
        assert int(removal_candidates(kernel, fraction).sum()) == r
        assert removal_candidates(kernel, fraction)[0, :r].all()


@pytest.fixture(scope="module")
def trained():
    model = dendritic_simple(3, n_neurons=3, n_dendrites=2, n_dendrite_inputs=6)
    x = jax.random.normal(jax.random.key(0), (32, 20))
    y = jnp.arange(32) % 3
    variables = model.init(jax.random.key(1), x)
    opt = optax.adam(1e-2)
    params, state = variables["params"], opt.init(variables["params"])

    def loss(p):
        logits = model.apply({"params": p, "connectivity": variables["connectivity"]}, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    grad = jax.jit(jax.grad(loss))
    for _ in range(3):
        updates, state = opt.update(grad(params), state, params)
        params = optax.apply_updates(params, updates)
    return model, params, variables["connectivity"], state, x, y


def test_optimizer_moments_reset_at_swapped_slots_only(trained):
    _, params, conn, state, _, _ = trained
    new_params, new_conn, new_state = resample_dendritic(params, conn, state, key=jax.random.key(5),
                                                         fraction=0.5)
    swapped = np.asarray(new_conn["dendritic"]["indices"] != conn["dendritic"]["indices"])
    assert swapped.any()
    adam = new_state[0]
    for moment, old in ((adam.mu, state[0].mu), (adam.nu, state[0].nu)):
        kernel_moment = np.asarray(moment["dendritic"]["dendrite_kernel"])
        old_moment = np.asarray(old["dendritic"]["dendrite_kernel"])
        assert (kernel_moment[swapped] == 0).all() and (old_moment[swapped] != 0).all()
        np.testing.assert_array_equal(kernel_moment[~swapped], old_moment[~swapped])
        chex.assert_trees_all_equal(moment["Dense_0"], old["Dense_0"])
    assert int(adam.count) == int(state[0].count)
    kept, _, untouched = resample_dendritic(params, conn, state, key=jax.random.key(5), fraction=0.5,
                                            reset_optimizer_state=False)
    chex.assert_trees_all_equal(untouched, state)
    chex.assert_trees_all_equal(kept, new_params)


class TestJit(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_jit_and_eager_agree(self):
        model = dendritic_simple(3, n_neurons=2, n_dendrites=3, n_dendrite_inputs=5)
        v = model.init(jax.random.key(0), jnp.ones((1, 30)))
        opt = optax.sgd(0.1, momentum=0.9)
        state = opt.init(v["params"])

        @self.variant
        def run(params, conn, state, key, fraction):
            return resample_dendritic(params, conn, state, key=key, fraction=fraction)

        out = run(v["params"], v["connectivity"], state, jax.random.key(2), 0.4)
        reference = resample_dendritic(v["params"], v["connectivity"], state, key=jax.random.key(2),
                                       fraction=0.4)
        chex.assert_trees_all_close(out, reference)


def test_vmap_over_traced_fractions_compiles_once():
    model = dendritic_simple(3, n_neurons=2, n_dendrites=3, n_dendrite_inputs=5)
    v = model.init(jax.random.key(0), jnp.ones((1, 30)))

    @jax.jit
    @chex.assert_max_traces(n=1)
    def run(fractions, keys):
        return jax.vmap(lambda f, k: resample_dendritic(v["params"], v["connectivity"], None, key=k,
                                                        fraction=f))(fractions, keys)

    keys = jax.random.split(jax.random.key(1), 3)
    _, conn, _ = run(jnp.array([0.0, 0.4, 1.0]), keys)
    _, conn2, _ = run(jnp.array([0.2, 0.6, 0.8]), keys)
    idx = conn["dendritic"]["indices"]
    np.testing.assert_array_equal(idx[0], v["connectivity"]["dendritic"]["indices"])
    assert (idx[2] != idx[0]).sum() > (idx[1] != idx[0]).sum() > 0
    assert conn2["dendritic"]["indices"].shape == (3, 6, 5)


def test_dense_input_gradients_agree_with_the_kernel_gradient(trained):
    model, params, conn, _, x, y = trained
    variables = {"params": params, "connectivity": conn}
    dense = np.asarray(dendrite_input_gradients(model.apply, variables, x, y)[("dendritic",)])

    def loss(p):
        return optax.softmax_cross_entropy_with_integer_labels(
            model.apply({"params": p, "connectivity": conn}, x), y).mean()

    kernel_grad = np.asarray(jax.grad(loss)(params)["dendritic"]["dendrite_kernel"])
    idx = np.asarray(conn["dendritic"]["indices"])
    np.testing.assert_allclose(np.take_along_axis(dense, idx, axis=1), kernel_grad, rtol=1e-4, atol=1e-6)


def test_rigl_grows_at_largest_gradient_with_zero_weights(trained):
    model, params, conn, state, x, y = trained
    variables = {"params": params, "connectivity": conn}
    grads = dendrite_input_gradients(model.apply, variables, x, y)
    new_params, new_conn, new_state = rigl_resample_dendritic(params, conn, state, grads, fraction=0.5)
    old, new = np.asarray(conn["dendritic"]["indices"]), np.asarray(new_conn["dendritic"]["indices"])
    dense = np.abs(np.asarray(grads[("dendritic",)]))
    swapped = old != new
    assert swapped.sum() == old.shape[0] * 3  # 3 of 6 per dendrite; 14 free inputs, always room
    assert (np.asarray(new_params["dendritic"]["dendrite_kernel"])[swapped] == 0).all()
    for row in range(old.shape[0]):
        unconnected = np.setdiff1d(np.arange(20), old[row])
        best = unconnected[np.argsort(-dense[row, unconnected], kind="stable")[:3]]
        assert set(new[row][swapped[row]]) == set(best)
        assert len(set(new[row])) == 6
    assert (np.asarray(new_state[0].mu["dendritic"]["dendrite_kernel"])[swapped] == 0).all()


def test_bad_new_weights_is_named():
    kernel, idx = _layer_arrays(0, 2, 3, 5)
    with pytest.raises(ValueError, match="new_weights must be one of"):
        resample_synapses(kernel, idx, key=jax.random.key(0), fraction=0.5, n_inputs=5, new_weights="he")
