import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.train import evaluate, make_epoch_fn, make_stateful_epoch_fn, make_train_step


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


def test_stateful_epoch_tracks_the_running_accuracy_of_its_own_batches():
    model = nn.Dense(3)
    x = jax.random.normal(jax.random.key(0), (96, 4))
    y = jnp.argmax(x[:, :3], axis=1)
    params = model.init(jax.random.key(1), x[:1])["params"]
    opt = optax.sgd(0.5)
    apply = lambda p, s, xb: model.apply({"params": p}, xb)  # noqa: E731
    key = jax.random.key(2)
    tracked = make_stateful_epoch_fn(apply, opt, 32, track_accuracy=True)
    new_params, _, _, loss, acc = tracked(params, opt.init(params), {}, x, y, key, 0)
    # Replay the same three steps by hand: accuracy of each batch before its update.
    order = jax.random.permutation(jax.random.split(key)[0], 96).reshape(3, 32)
    step = make_train_step(lambda p, xb: model.apply({"params": p}, xb), opt)
    p, s, correct, losses = params, opt.init(params), 0, []
    for idx in order:
        correct += int(jnp.sum(jnp.argmax(model.apply({"params": p}, x[idx]), -1) == y[idx]))
        p, s, batch_loss = step(p, s, x[idx], y[idx])
        losses.append(float(batch_loss))
    np.testing.assert_allclose(float(acc), correct / 96, atol=1e-6)
    np.testing.assert_allclose(float(loss), np.mean(losses), rtol=1e-6)
    assert 0.0 < float(acc) < 1.0  # the replay is a real check, not a trivial 0 or 1
    chex.assert_trees_all_close(new_params, p, atol=1e-6)
    untracked = make_stateful_epoch_fn(apply, opt, 32)(params, opt.init(params), {}, x, y, key, 0)
    assert len(untracked) == 4
