import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.train import evaluate, make_epoch_fn


def _problem():
    key = jax.random.key(0)
    x = jax.random.normal(key, (128, 4))
    y = (x[:, 0] > 0).astype(jnp.int32)
    return x, y


def test_epochs_reduce_loss_on_a_separable_problem():
    x, y = _problem()
    model = nn.Dense(2)
    params = model.init(jax.random.key(1), x[:1])["params"]
    apply = lambda p, xb: model.apply({"params": p}, xb)
    opt = optax.adam(0.05)
    epoch = jax.jit(make_epoch_fn(apply, opt, 16))
    state = opt.init(params)
    first_loss, _ = evaluate(apply, params, x, y)
    for i in range(20):
        params, state, _ = epoch(params, state, x, y, jax.random.key(i))
    loss, acc = evaluate(apply, params, x, y)
    assert loss < 0.5 * first_loss
    assert acc > 0.95


def test_epoch_is_vmappable_over_learning_rates():
    x, y = _problem()
    model = nn.Dense(2)
    apply = lambda p, xb: model.apply({"params": p}, xb)

    def train(lr):
        opt = optax.sgd(lr)
        params = model.init(jax.random.key(1), x[:1])["params"]
        params, _, loss = make_epoch_fn(apply, opt, 32)(params, opt.init(params), x, y, jax.random.key(2))
        return loss

    lrs = jnp.array([0.0, 0.1, 1.0])
    batched = jax.jit(jax.vmap(train))(lrs)
    single = jnp.stack([train(lr) for lr in lrs])
    np.testing.assert_allclose(batched, single, rtol=1e-5)


def test_batch_size_is_checked():
    with pytest.raises(ValueError, match="batch_size"):
        make_epoch_fn(lambda p, x: x, optax.sgd(0.1), 0)
