import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from biojax.train import TrainState, evaluate, make_epoch_fn, make_train_step


def _problem():
    key = jax.random.key(0)
    x = jax.random.normal(key, (128, 4))
    y = (x[:, 0] > 0).astype(jnp.int32)
    return x, y


def test_epochs_reduce_loss_on_a_separable_problem():
    x, y = _problem()
    model = nn.Dense(2)
    opt = optax.adam(0.05)
    state = TrainState.from_variables(model.init(jax.random.key(1), x[:1]), opt, key=jax.random.key(2))
    epoch = jax.jit(make_epoch_fn(model.apply, opt, 16))
    apply = lambda p, xb: model.apply({"params": p}, xb)  # noqa: E731
    first_loss, _ = evaluate(apply, state.params, x, y)
    for _ in range(20):
        state, _ = epoch(state, x, y)
    loss, acc = evaluate(apply, state.params, x, y)
    assert int(state.step) == 20 * 8
    assert loss < 0.5 * first_loss
    assert acc > 0.95


def test_epoch_is_vmappable_over_learning_rates():
    x, y = _problem()
    model = nn.Dense(2)

    def train(lr):
        opt = optax.sgd(lr)
        state = TrainState.from_variables(model.init(jax.random.key(1), x[:1]), opt, key=jax.random.key(2))
        return make_epoch_fn(model.apply, opt, 32)(state, x, y)[1]["loss"]

    lrs = jnp.array([0.0, 0.1, 1.0])
    batched = jax.jit(jax.vmap(train))(lrs)
    single = jnp.stack([train(lr) for lr in lrs])
    np.testing.assert_allclose(batched, single, rtol=1e-5)


def test_batch_size_is_checked():
    with pytest.raises(ValueError, match="batch_size"):
        make_epoch_fn(lambda v, x: x, optax.sgd(0.1), 0)
    state = TrainState.create({"w": jnp.zeros(2)}, optax.sgd(0.1), key=jax.random.key(0))
    with pytest.raises(ValueError, match="batch_size=64 is larger than the 10 training rows"):
        make_epoch_fn(lambda v, x: x, optax.sgd(0.1), 64)(state, jnp.ones((10, 2)), jnp.zeros(10, int))


def test_epoch_tracks_the_running_accuracy_of_its_own_batches():
    model = nn.Dense(3)
    x = jax.random.normal(jax.random.key(0), (96, 4))
    y = jnp.argmax(x[:, :3], axis=1)
    opt = optax.sgd(0.5)
    key = jax.random.key(2)
    state = TrainState.from_variables(model.init(jax.random.key(1), x[:1]), opt, key=key)
    new_state, metrics = make_epoch_fn(model.apply, opt, 32, track_accuracy=True)(state, x, y)
    # Replay the same three steps by hand: accuracy of each batch before its update. Epoch 0 shuffles
    # with fold_in(state.key, 0).
    order = jax.random.permutation(jax.random.fold_in(key, 0), 96).reshape(3, 32)
    step = make_train_step(lambda p, xb: model.apply({"params": p}, xb), opt)
    p, s, correct, losses = state.params, opt.init(state.params), 0, []
    for idx in order:
        correct += int(jnp.sum(jnp.argmax(model.apply({"params": p}, x[idx]), -1) == y[idx]))
        p, s, batch_loss = step(p, s, x[idx], y[idx])
        losses.append(float(batch_loss))
    np.testing.assert_allclose(float(metrics["accuracy"]), correct / 96, atol=1e-6)
    np.testing.assert_allclose(float(metrics["loss"]), np.mean(losses), rtol=1e-6)
    assert 0.0 < float(metrics["accuracy"]) < 1.0  # the replay is a real check, not a trivial 0 or 1
    chex.assert_trees_all_close(new_state.params, p, atol=1e-6)
    assert sorted(make_epoch_fn(model.apply, opt, 32)(state, x, y)[1]) == ["loss"]


def test_each_epoch_shuffles_differently_and_a_restarted_state_continues_the_same_way():
    x, y = _problem()
    model = nn.Dense(2)
    opt = optax.sgd(0.1)
    state = TrainState.from_variables(model.init(jax.random.key(1), x[:1]), opt, key=jax.random.key(2))
    epoch = jax.jit(make_epoch_fn(model.apply, opt, 16))
    one, first = epoch(state, x, y)
    two, second = epoch(one, x, y)
    assert float(first["loss"]) != float(second["loss"])
    restarted = TrainState(*jax.tree.map(jnp.array, tuple(one)))  # e.g. restored from a checkpoint
    again, second_again = epoch(restarted, x, y)
    chex.assert_trees_all_equal(again.params, two.params)
    assert float(second_again["loss"]) == float(second["loss"])


def test_post_step_runs_after_every_step_and_sees_it_counted():
    x, y = _problem()
    model = nn.Dense(2)
    opt = optax.sgd(0.1)

    def post_step(state, key):
        return state._replace(model_state={"step_sum": state.model_state["step_sum"] + state.step})

    def apply(variables, xb):
        return model.apply({"params": variables["params"]}, xb)

    state = TrainState.create(model.init(jax.random.key(1), x[:1])["params"], opt, key=jax.random.key(2),
                              model_state={"step_sum": jnp.int32(0)}, step=4)
    state, _ = make_epoch_fn(apply, opt, 32, post_step=post_step)(state, x, y)
    assert int(state.step) == 8 and int(state.model_state["step_sum"]) == 5 + 6 + 7 + 8
