"""scan_cell runs any SequenceCell: a toy cell written here plugs in without touching the loop."""

import chex
import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import CfCCell, LTCCell, SequenceCell, WiredCfCCell, scan_cell
from biojax.wiring import AutoNCP


class LeakyCell(nn.Module):
    """h' = (1 - a) h + a tanh(W [x, h] + b), a = ts / (1 + ts); output = first two units, plus noise when
    not deterministic (to exercise the key argument)."""

    units: int = 5

    def state_size(self, input_dim):
        return self.units

    def output_size(self, input_dim):
        return 2

    def remat_by_default(self, steps, batch, input_dim):
        return steps > 50

    def remat_policy(self):
        return None

    @nn.compact
    def __call__(self, inputs, h, ts=1.0, deterministic=True):
        self.param("kernel", nn.initializers.lecun_normal(), (inputs.shape[-1] + self.units, self.units))
        self.param("bias", nn.initializers.zeros, (self.units,))
        return self.step_function(self.variables["params"], inputs.shape[-1])(inputs, h, ts)

    def step_function(self, params, input_dim, *, fixed_timespan=None, deterministic=True):
        def step(inputs, h, ts, key=None):
            a = (jnp.asarray(ts) / (1.0 + jnp.asarray(ts)))[..., None]
            new_h = (1 - a) * h + a * jnp.tanh(jnp.concatenate([inputs, h], -1) @ params["kernel"] + params["bias"])
            out = new_h[:, :2]
            if not deterministic:
                out = out + 0.1 * jax.random.normal(key, out.shape)
            return out, new_h

        return step


class LeakyRNN(nn.Module):
    return_sequences: bool = True
    time_major: bool = False
    mixed_memory: bool = False
    proj_size: int | None = None
    remat: bool | None = None

    @nn.compact
    def __call__(self, x, timespans=None, initial_state=None, deterministic=True):
        key = None if deterministic else self.make_rng("dropout")
        return scan_cell(LeakyCell(name="rnn_cell"), x, timespans, initial_state,
                         return_sequences=self.return_sequences, time_major=self.time_major,
                         mixed_memory=self.mixed_memory, proj_size=self.proj_size, remat=self.remat,
                         deterministic=deterministic, dropout_key=key)


X = jax.random.normal(jax.random.key(0), (3, 7, 4))
TS = jax.random.uniform(jax.random.key(1), (3, 7), minval=0.5, maxval=1.5)


def _python_loop(params, x, ts):
    cell = LeakyCell()
    h = jnp.zeros((x.shape[0], 5))
    outs = []
    for t in range(x.shape[1]):
        out, h = cell.apply({"params": params}, x[:, t], h, ts[:, t])
        outs.append(out)
    return jnp.stack(outs, 1), h


def test_cells_implement_the_protocol():
    for cell in (LeakyCell(), LTCCell(4), CfCCell(4), WiredCfCCell(AutoNCP(8, 2))):
        assert isinstance(cell, SequenceCell)
    assert not isinstance(nn.Dense(3), SequenceCell)


def test_toy_cell_scans_like_a_python_loop():
    model = LeakyRNN()
    variables = model.init(jax.random.key(2), X)
    outputs, final = model.apply(variables, X, TS)
    expected_outputs, expected_final = _python_loop(variables["params"]["rnn_cell"], X, TS)
    chex.assert_trees_all_close((outputs, final), (expected_outputs, expected_final), rtol=1e-6, atol=1e-6)
    no_spans, _ = model.apply(variables, X)
    chex.assert_trees_all_close(no_spans, _python_loop(variables["params"]["rnn_cell"], X, jnp.ones((3, 7)))[0],
                                rtol=1e-6, atol=1e-6)


def test_toy_cell_gets_layout_memory_projection_and_remat_from_the_loop():
    base = LeakyRNN()
    variables = base.init(jax.random.key(2), X)
    outputs, final = base.apply(variables, X, TS)
    last, _ = LeakyRNN(return_sequences=False).apply(variables, X, TS)
    np.testing.assert_allclose(last, outputs[:, -1], rtol=1e-6)
    time_major, _ = LeakyRNN(time_major=True).apply(variables, jnp.swapaxes(X, 0, 1), TS.T)
    np.testing.assert_allclose(time_major, jnp.swapaxes(outputs, 0, 1), rtol=1e-6)
    unbatched, h = base.apply(variables, X[1], TS[1])
    np.testing.assert_allclose(unbatched, outputs[1], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h, final[1], rtol=1e-6, atol=1e-7)

    rich = LeakyRNN(mixed_memory=True, proj_size=3)
    rich_vars = rich.init(jax.random.key(3), X)
    assert set(rich_vars["params"]) == {"rnn_cell", "lstm", "fc"}
    assert rich_vars["params"]["fc"]["kernel"].shape == (2, 3)  # the cell's output_size feeds the projection
    y, (h, c) = rich.apply(rich_vars, X, TS)
    assert y.shape == (3, 7, 3) and h.shape == c.shape == (3, 5)

    def loss(params, remat):
        return jnp.sum(LeakyRNN(remat=remat).apply({"params": params}, X, TS)[0] ** 2)

    grads = {remat: jax.grad(loss)(variables["params"], remat) for remat in (False, True)}
    chex.assert_trees_all_close(grads[False], grads[True], rtol=1e-5, atol=1e-7)


def test_non_deterministic_steps_get_one_key_per_step():
    model = LeakyRNN()
    variables = model.init(jax.random.key(2), X)
    clean, _ = model.apply(variables, X, TS)
    noisy_a, _ = model.apply(variables, X, TS, deterministic=False, rngs={"dropout": jax.random.key(5)})
    noisy_b, _ = model.apply(variables, X, TS, deterministic=False, rngs={"dropout": jax.random.key(5)})
    np.testing.assert_array_equal(noisy_a, noisy_b)
    noise = np.asarray(noisy_a - clean)
    assert np.abs(noise).min() > 0 and not np.allclose(noise[:, 0], noise[:, 1])


@pytest.mark.parametrize("bad", [jnp.ones((2, 3, 4, 5)), jnp.ones(4)])
def test_bad_input_rank_is_named(bad):
    with pytest.raises(ValueError, match=r"inputs must be \(batch, time, features\)"):
        LeakyRNN().init(jax.random.key(0), bad)
