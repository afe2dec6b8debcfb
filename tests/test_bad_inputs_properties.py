"""Property-based tests of bad and edge-case arguments across the public API (hypothesis).

Every call ends one of two ways: a ``ValueError``/``TypeError`` raised from biojax's own code whose message
names the offending argument, or a result of the right shape that is finite (NaN only where the inputs
hold NaN). Shapes stay tiny and examples few, so the module runs in well under a minute.
"""

import pathlib
import re
import traceback

import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import biojax
from biojax.learning import BioConfig, dales_principle
from biojax.nn import CfC, DendriticLayer, HeadMaskTransformer, LTC
from biojax.pruning import pruning_mask
from biojax.search import TrialPlan

BIOJAX = pathlib.Path(biojax.__file__).parent
FEW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(FEW, max_examples=10)  # each example compiles a scan or a transformer for new shapes

SIZES = st.one_of(st.integers(-1, 4), st.sampled_from(["3", 2.5, True, None]))


def outcome(call, names):
    """``("ok", result)``, or ``("error", error)`` after checking the error is biojax's and names one of
    ``names``; any other exception fails the test."""
    try:
        return "ok", call()
    except (ValueError, TypeError) as error:
        origin = traceback.extract_tb(error.__traceback__)[-1].filename
        assert pathlib.Path(origin).resolve().is_relative_to(BIOJAX), f"raised outside biojax ({origin}): {error}"
        message = str(error)
        assert any(re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message) for name in names), \
            f"{message!r} names none of {names}"
        return "error", error


def valid_size(value, minimum=1):
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def finite(tree):
    return all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(tree))


@FEW
@given(n_neurons=SIZES, n_dendrites=SIZES, k=SIZES, init_width=st.integers(1, 6), apply_width=st.integers(1, 6),
       batch=st.integers(1, 2), compute=st.sampled_from(["auto", "gather", "dense", "fast"]))
def test_dendritic_layer(n_neurons, n_dendrites, k, init_width, apply_width, batch, compute):
    names = ["n_neurons", "n_dendrites", "n_dendrite_inputs", "compute", "x"]

    def call():
        layer = DendriticLayer(n_neurons, n_dendrites, k, compute=compute)
        variables = layer.init(jax.random.key(0), jnp.ones((batch, init_width)))
        return layer.apply(variables, jnp.linspace(-1, 1, batch * apply_width).reshape(batch, apply_width))

    kind, result = outcome(call, names)
    valid = all(valid_size(v) for v in (n_neurons, n_dendrites, k)) and compute != "fast" and k <= init_width
    if valid and apply_width != init_width:
        assert kind == "error" and "x must have" in str(result)  # never a clamped gather
    if kind == "ok":
        assert valid and result.shape == (batch, n_neurons) and finite(result)


@FEWER
@given(units=SIZES, init_width=st.integers(2, 3), apply_width=st.integers(2, 3), steps=st.integers(0, 2),
       state_width=st.one_of(st.none(), st.integers(2, 4)), cell=st.sampled_from(["cfc", "ltc"]),
       nan_at=st.one_of(st.none(), st.integers(0, 1)))
def test_sequence_models(units, init_width, apply_width, steps, state_width, cell, nan_at):
    names = ["units", "wiring", "x", "inputs", "initial_state"]

    def call():
        model = CfC(units, backbone_units=4) if cell == "cfc" else LTC(units)
        variables = model.init(jax.random.key(0), jnp.ones((2, 2, init_width)))
        x = jnp.ones((2, steps, apply_width))
        if nan_at is not None and nan_at < steps:
            x = x.at[0, nan_at].set(jnp.nan)
        state = None if state_width is None else jnp.zeros((2, state_width))
        return model.apply(variables, x, None, state)

    kind, result = outcome(call, names)
    if kind == "ok":
        assert valid_size(units) and apply_width == init_width and steps >= 1
        assert state_width in (None, units)
        outputs, final = result
        assert outputs.shape == (2, steps, units) and final.shape == (2, units)
        if nan_at is not None and nan_at < steps:
            assert bool(jnp.all(jnp.isnan(outputs[0, nan_at:]))) and finite(outputs[1])
        else:
            assert finite(result)


@FEWER
@given(vocab=st.integers(1, 4), max_len=st.integers(1, 4), heads=st.integers(1, 2), d_model=st.sampled_from([1, 2, 4]),
       batch=st.just(1), seq=st.integers(0, 5), low=st.integers(-1, 0), span=st.integers(0, 5),
       as_float=st.booleans())
def test_head_mask_transformer(vocab, max_len, heads, d_model, batch, seq, low, span, as_float):
    names = ["d_model", "tokens", "vocab_size", "max_len", "num_heads"]
    tokens = (np.arange(batch * seq).reshape(batch, seq) % (span + 1) + low).astype(np.float32 if as_float else np.int32)

    def call():
        model = HeadMaskTransformer(vocab_size=vocab, num_layers=1, num_heads=heads, d_model=d_model, max_len=max_len)
        params = model.init(jax.random.key(0), jnp.zeros((1, 1), int))
        return model.apply(params, jnp.asarray(tokens))

    kind, result = outcome(call, names)
    if kind == "ok":
        assert d_model % heads == 0 and 1 <= seq <= max_len and not as_float
        assert tokens.min() >= 0 and tokens.max() < vocab
        assert result.shape == (batch, seq, vocab) and finite(result)


FRACTIONS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3), st.booleans(), st.none(),
                      st.floats(-1, 2).map(jnp.float32).map(jnp.asarray))


@FEW
@given(fraction=FRACTIONS, strategy=st.sampled_from(["entropy", "gradient", "combined", "random", "magnitude"]),
       layers=st.integers(1, 3), heads=st.integers(1, 3), nan_score=st.booleans(), keep_one=st.booleans())
def test_pruning_mask(fraction, strategy, layers, heads, nan_score, keep_one):
    names = ["prune_fraction", "strategy", "entropy", "importance"]
    scores = jnp.arange(layers * heads, dtype=jnp.float32).reshape(layers, heads) / (layers * heads)
    if nan_score:
        scores = scores.at[0, 0].set(jnp.nan)

    def call():
        return pruning_mask(fraction, strategy, entropy=scores, importance=scores[::-1], key=jax.random.key(0),
                            keep_one_per_layer=keep_one)

    kind, result = outcome(call, names)
    if kind == "ok":
        value = float(fraction)
        assert 0.0 <= value <= 1.0 and strategy != "magnitude" and (strategy == "random" or not nan_score)
        assert result.shape == (layers, heads) and result.dtype == jnp.bool_
        if isinstance(fraction, float):
            expected = int(layers * heads * value)
        else:
            expected = int(np.floor(np.float32(layers * heads) * np.float32(value) + np.float32(1e-6)))
        if keep_one:
            expected = min(expected, layers * heads - layers)
        assert int(result.sum()) == expected


BIO_FIELDS = ["fuzzy_learning_rate_factor_nu", "dampening_factor", "crystal_thresh", "rejuvenation_parameter_dre",
              "base_lr", "stability_factor", "lr_variability", "fuzzy_lr_min", "fuzzy_lr_max", "fuzzy_lr_decay",
              "fuzzy_lr_update_freq", "weight_splitting_Gamma"]


@FEW
@given(field=st.sampled_from(BIO_FIELDS),
       value=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3), st.text(max_size=2)))
def test_bio_config(field, value):
    kind, result = outcome(lambda: BioConfig(**{field: value}), [field, "fuzzy_lr_min", "fuzzy_lr_max"])
    if kind == "ok":
        assert np.isfinite(float(getattr(result, field)))


@FEW
@given(values=st.lists(st.sampled_from([1.0, -1.0, 0.0, 2.0, 0.5]), min_size=1, max_size=4),
       other_tree=st.booleans())
def test_dale_signs(values, other_tree):
    params = {"kernel": jnp.ones((2, len(values))), "bias": jnp.zeros(len(values))}
    signs = {"kernel": jnp.asarray([values]), "bias": None}
    if other_tree:
        signs = {"weights": signs["kernel"]}

    def call():
        rule = dales_principle(signs)
        return rule.update(jax.tree.map(jnp.ones_like, params), rule.init(params), params)[0]

    kind, result = outcome(call, ["signs"])
    if kind == "ok":
        assert set(values) <= {1.0, -1.0} and not other_tree
        new = jax.tree.map(lambda w, u: w + u, params, result)
        assert bool(jnp.all(new["kernel"] * signs["kernel"] >= 0)) and finite(new)


KNOWN = ["n_neurons", "n_dendrites", "n_dendrite_inputs", "lr", "weight_decay", "seed", "percentage_resample",
         "steps_to_resample", "soma_enabled", "strategy"]
KEYS = st.one_of(st.sampled_from(KNOWN), st.sampled_from(KNOWN).map(lambda k: k[:-1]), st.just("n_neuronz"))
VALUES = st.one_of(st.integers(-2, 200), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                   st.sampled_from(["random", "eight", "local_receptive_field"]))


@FEW
@given(spec=st.dictionaries(KEYS, st.lists(VALUES, min_size=1, max_size=3), min_size=1, max_size=3),
       width=st.integers(1, 160))
def test_search_specs_are_checked_before_training(spec, width):
    kind, result = outcome(lambda: TrialPlan({}).check_spec(spec, (width,)), [*spec, "n_dendrite_inputs"])
    if kind == "ok":
        assert set(spec) <= set(KNOWN)
        fan_ins = spec.get("n_dendrite_inputs", [128])
        assert all(valid_size(k) for k in fan_ins) and min(fan_ins) <= width  # one fits; the rest are skipped
        for name, values in spec.items():  # every value the spec can produce resolves
            for value in values:
                TrialPlan({}).resolve({name: value})


def test_the_suite_can_fail():
    """The helper rejects an error that names no argument and one raised outside biojax."""
    with pytest.raises(AssertionError, match="names none of"):
        outcome(lambda: DendriticLayer(0, 1, 1), ["x"])
    with pytest.raises(AssertionError, match="raised outside biojax"):
        outcome(lambda: jnp.ones(2) @ jnp.ones(3), ["x"])
