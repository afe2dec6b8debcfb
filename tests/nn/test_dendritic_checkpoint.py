"""Restoring a dendritic model needs its connectivity: params alone, under another key, give other outputs."""

import jax
import numpy as np
from flax import serialization

from biojax.nn import dendritic_simple


def test_params_need_their_connectivity_to_give_the_same_outputs():
    model = dendritic_simple(10, n_neurons=8, n_dendrites=2, n_dendrite_inputs=4)
    x = np.random.default_rng(0).normal(size=(4, 40)).astype(np.float32)
    trained = model.init(jax.random.key(0), x)
    fresh = model.init(jax.random.key(1), x)
    pairs = zip(jax.tree.leaves(trained["connectivity"]), jax.tree.leaves(fresh["connectivity"]))
    assert any(not np.array_equal(a, b) for a, b in pairs)

    restored = serialization.from_bytes(fresh, serialization.to_bytes(trained))
    np.testing.assert_array_equal(model.apply(restored, x), model.apply(trained, x))

    params_only = {"params": trained["params"], "connectivity": fresh["connectivity"]}
    assert not np.allclose(model.apply(params_only, x), model.apply(trained, x))
