"""Static checks of the nn modules' inputs against what init saw, the checked variant for traced token ids,
and NaN inputs giving NaN outputs (never plausible numbers)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.experimental import checkify

from biojax.checks import checked
from biojax.nn import CfC, CfCCell, DendriticLayer, HeadMaskTransformer, LTC, LTCCell, WiredCfCCell
from biojax.wiring import AutoNCP

LAYER = DendriticLayer(3, 4, 5)
LAYER_VARS = LAYER.init(jax.random.key(0), jnp.ones((2, 20)))


@pytest.mark.parametrize("width", [10, 19, 21, 40])
@pytest.mark.parametrize("jit", [False, True])
def test_dendritic_layer_applied_to_another_width_raises_even_under_jit(width, jit):
    apply = jax.jit(LAYER.apply) if jit else LAYER.apply
    with pytest.raises(ValueError, match=rf"x must have 20 features per example .* got {width} "):
        apply(LAYER_VARS, jnp.ones((2, width)))


def test_dendritic_layer_checks_the_flattened_width_and_the_rank():
    assert LAYER.apply(LAYER_VARS, jnp.ones((2, 4, 5))).shape == (2, 3)  # 4 x 5 = 20 features: fine
    with pytest.raises(ValueError, match="x must be \\(batch, \\*features\\) with at least 2 axes, got shape \\(20,\\)"):
        LAYER.apply(LAYER_VARS, jnp.ones(20))


def test_dendritic_variables_without_the_width_record_are_checked_by_their_concrete_n_inputs():
    old = {"params": LAYER_VARS["params"],
           "connectivity": {k: v for k, v in LAYER_VARS["connectivity"].items() if k != "input_width"}}
    np.testing.assert_array_equal(LAYER.apply(old, jnp.ones((2, 20))), LAYER.apply(LAYER_VARS, jnp.ones((2, 20))))
    with pytest.raises(ValueError, match="x must have 20 features"):
        LAYER.apply(old, jnp.ones((2, 40)))


@pytest.mark.parametrize("bad", [jnp.nan, jnp.inf, -jnp.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("compute", ["gather", "dense"])
def test_dendritic_nan_and_inf_inputs_give_nan_outputs(compute, bad):
    layer = DendriticLayer(3, 4, 20, compute=compute)  # every dendrite reads every input
    x = jnp.ones((2, 20)).at[0, 7].set(bad)
    out = layer.apply(layer.init(jax.random.key(0), jnp.ones((2, 20))), x)
    assert bool(jnp.all(jnp.isnan(out[0]))) and bool(jnp.all(jnp.isfinite(out[1])))


MODEL = HeadMaskTransformer(vocab_size=5, num_layers=1, num_heads=2, d_model=8, max_len=6)
PARAMS = MODEL.init(jax.random.key(0), jnp.zeros((1, 4), int))


@pytest.mark.parametrize("tokens, message", [
    ([[1, 5]], r"tokens must be token ids in \[0, vocab_size=5\), got ids in \[1, 5\]"),
    ([[1, -1]], r"tokens must be token ids in \[0, vocab_size=5\), got ids in \[-1, 1\]"),
    ([[0] * 7], r"tokens must have 1 <= seq <= max_len=6 positions, got seq=7"),
    (np.zeros((1, 0), int), "got seq=0"),
    ([1, 2], r"tokens must be a \[batch, seq\] array of token ids, got shape \(2,\)"),
])
def test_transformer_rejects_bad_tokens(tokens, message):
    with pytest.raises(ValueError, match=message):
        MODEL.apply(PARAMS, jnp.asarray(tokens))


def test_transformer_rejects_float_tokens_and_bad_head_masks():
    with pytest.raises(TypeError, match="tokens must be integer token ids, got dtype float32"):
        MODEL.apply(PARAMS, jnp.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"head_mask must have shape \(1, 2\), got \(2,\)"):
        MODEL.apply(PARAMS, jnp.zeros((1, 3), int), jnp.ones(2))
    with pytest.raises(ValueError, match="max_len must be an integer >= 1, got 0"):
        HeadMaskTransformer(vocab_size=5, max_len=0)


def test_traced_token_ids_are_checked_only_inside_checked():
    bad = jnp.array([[1, 7, 2]])
    apply = jax.jit(MODEL.apply)
    assert bool(jnp.isnan(apply(PARAMS, bad)).any())  # the documented unchecked behaviour under jit
    with pytest.raises(checkify.JaxRuntimeError, match=r"tokens must be token ids in \[0, vocab_size=5\), got ids in \[1, 7\]"):
        checked(jax.jit(MODEL.apply))(PARAMS, bad)
    good = jnp.array([[1, 4, 2]])
    np.testing.assert_allclose(checked(jax.jit(MODEL.apply))(PARAMS, good), apply(PARAMS, good), rtol=1e-6)


def _sequence_models():
    x = jnp.ones((2, 5, 3))
    for model in (CfC(4, backbone_units=8), CfC(AutoNCP(8, 2)), LTC(AutoNCP(8, 2))):
        yield model, model.init(jax.random.key(0), x)


@pytest.mark.parametrize("index", range(3))
def test_sequence_models_check_width_state_and_steps(index):
    model, variables = list(_sequence_models())[index]
    state = 4 if isinstance(model, CfC) and isinstance(model.units, int) else 8
    for apply in (model.apply, jax.jit(model.apply)):
        with pytest.raises(ValueError, match="inputs must have 3 features per step .* got 5"):
            apply(variables, jnp.ones((2, 5, 5)))
        with pytest.raises(ValueError, match=rf"initial_state must have shape \(2, {state}\) \(batch, state size\), got \(2, 7\)"):
            apply(variables, jnp.ones((2, 5, 3)), None, jnp.zeros((2, 7)))
        with pytest.raises(ValueError, match=r"x must have at least one time step \(axis 1\), got shape \(2, 0, 3\)"):
            apply(variables, jnp.ones((2, 0, 3)))
    with pytest.raises(ValueError, match=rf"initial_state must have shape \({state},\)"):
        model.apply(variables, jnp.ones((5, 3)), None, jnp.zeros((2, state)))


def test_mixed_memory_state_parts_are_checked():
    model = LTC(6, mixed_memory=True)
    variables = model.init(jax.random.key(0), jnp.ones((2, 4, 3)))
    with pytest.raises(ValueError, match=r"initial_state\[1\] must have shape \(2, 6\)"):
        model.apply(variables, jnp.ones((2, 4, 3)), None, (jnp.zeros((2, 6)), jnp.zeros((2, 5))))
    with pytest.raises(TypeError, match="initial_state must be a tuple \\(h, c\\) when mixed_memory=True"):
        model.apply(variables, jnp.ones((2, 4, 3)), None, jnp.zeros((2, 6)))


@pytest.mark.parametrize("cell, state", [(CfCCell(4, backbone_units=8), 4), (LTCCell(AutoNCP(8, 2)), 8),
                                         (WiredCfCCell(AutoNCP(8, 2)), 8)])
def test_cells_check_their_inputs_and_state(cell, state):
    x, h = jnp.ones((2, 3)), jnp.zeros((2, state))
    variables = cell.init(jax.random.key(0), x, h)
    with pytest.raises(ValueError, match="inputs must have 3 features per step"):
        cell.apply(variables, jnp.ones((2, 5)), h)
    with pytest.raises(ValueError, match=rf"must have shape \(2, {state}\) \(batch, state size\), got \(2, {state + 1}\)"):
        cell.apply(variables, x, jnp.zeros((2, state + 1)))
    with pytest.raises(ValueError, match="inputs must have 3 features per step"):
        cell.step_function(variables["params"], 5)


@pytest.mark.parametrize("bad", [jnp.nan, jnp.inf, -jnp.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("index", range(3))
def test_nan_and_inf_inputs_give_nan_outputs_in_the_sequence_models(index, bad):
    # an infinity would otherwise saturate tanh/sigmoid into plausible numbers
    model, variables = list(_sequence_models())[index]
    x = jnp.ones((2, 5, 3)).at[0, 2, 1].set(bad)  # one feature of one step of one sample
    y, h = model.apply(variables, x)
    assert bool(jnp.all(jnp.isnan(y[0, 2:]))) and bool(jnp.any(jnp.isnan(h[0])))
    assert bool(jnp.all(jnp.isfinite(y[0, :2]))) and bool(jnp.all(jnp.isfinite(y[1])))


def test_nan_embedding_gives_nan_logits():
    params = jax.tree_util.tree_map(lambda a: a, PARAMS)
    params["params"]["embed"]["embedding"] = params["params"]["embed"]["embedding"].at[3].set(jnp.nan)
    assert bool(jnp.all(jnp.isfinite(MODEL.apply(PARAMS, jnp.array([[1, 3, 2]])))))
    logits = MODEL.apply(params, jnp.array([[1, 3, 2]]))
    # Every position reads NaN: later ones attend to it, and position 0's masked weight 0 times NaN is NaN.
    assert bool(jnp.all(jnp.isnan(logits)))


def test_non_finite_inputs_raise_inside_checked_only():
    x = jnp.ones((2, 20)).at[0, 3].set(jnp.inf)
    assert not bool(jnp.all(jnp.isfinite(jax.jit(LAYER.apply)(LAYER_VARS, x))))
    with pytest.raises(checkify.JaxRuntimeError, match="x must be finite, got 1 NaN or inf values"):
        checked(jax.jit(LAYER.apply))(LAYER_VARS, x)
    model, variables = next(_sequence_models())
    sequence = jnp.ones((2, 5, 3)).at[1, 4].set(jnp.nan)
    with pytest.raises(checkify.JaxRuntimeError, match="x must be finite, got 3 NaN or inf values"):
        checked(jax.jit(model.apply))(variables, sequence)


def test_multisynaptic_dense_and_the_lstm_memory_check_widths():
    from biojax.nn import MixedMemoryLSTMCell, MultiSynapticDense

    dense = MultiSynapticDense(4)
    variables = dense.init(jax.random.key(0), jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="x must have 3 features .* got 5"):
        dense.apply(variables, jnp.ones((2, 5)))
    lstm = MixedMemoryLSTMCell(4)
    state = (jnp.zeros((2, 4)), jnp.zeros((2, 4)))
    variables = lstm.init(jax.random.key(0), jnp.ones((2, 3)), state)
    with pytest.raises(ValueError, match="inputs must have 3 features .* got 5"):
        lstm.apply(variables, jnp.ones((2, 5)), state)
    with pytest.raises(ValueError, match=r"state\[1\] \(c\) must have shape \(2, 4\)"):
        lstm.apply(variables, jnp.ones((2, 3)), (state[0], jnp.zeros((2, 3))))
