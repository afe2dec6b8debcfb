"""biojax.checkpoint: round trips (Optax and bio_optimizer states into a fresh ``opt.init``, typed PRNG
keys, wirings, configs, a dendritic model's connectivity), clear errors for missing, corrupt or
mismatched checkpoints, and saves that fail without touching the checkpoint already there."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import biojax._files
from biojax.checkpoint import load, save
from biojax.learning import BioConfig, bio_optimizer
from biojax.nn import CfC, dendritic_simple
from biojax.wiring import NCP, AutoNCP

X = jax.random.normal(jax.random.key(5), (4, 6, 2))


def _equal(a, b):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    jax.tree.map(lambda u, v: np.testing.assert_array_equal(
        jax.random.key_data(u) if jax.dtypes.issubdtype(u.dtype, jax.dtypes.prng_key) else u,
        jax.random.key_data(v) if jax.dtypes.issubdtype(v.dtype, jax.dtypes.prng_key) else v), a, b)


def _trained_cfc():
    wiring = AutoNCP(8, 2, seed=3).build(2)
    model = CfC(wiring, return_sequences=False)
    params = model.init(jax.random.key(0), X)["params"]
    config = BioConfig(fuzzy_learning_rate_factor_nu=0.2)
    opt = bio_optimizer(config, optax.adam(1e-2), key=jax.random.key(1))
    loss = lambda p: jnp.mean(model.apply({"params": p}, X)[0] ** 2)
    state = opt.init(params)
    for _ in range(2):
        updates, state = opt.update(jax.grad(loss)(params), state, params)
        params = optax.apply_updates(params, updates)
    return wiring, config, opt, loss, params, state


def test_round_trip_restores_a_bio_optimizer_state_into_a_fresh_init(tmp_path):
    wiring, config, opt, loss, params, state = _trained_cfc()
    save(tmp_path / "ckpt", params, state, wiring=wiring, config=config)
    fresh = opt.init(params)
    restored = load(tmp_path / "ckpt", params=params, opt_state=fresh)
    _equal(restored.params, params)
    _equal(restored.opt_state, state)
    assert type(restored.opt_state) is type(state) and type(restored.opt_state.base[0]) is type(state.base[0])
    assert restored.wiring == wiring and restored.model_state is None
    assert BioConfig.from_dict(restored.config) == config
    continued, _ = opt.update(jax.grad(loss)(params), state, params)
    resumed, _ = opt.update(jax.grad(loss)(restored.params), restored.opt_state, restored.params)
    _equal(resumed, continued)


def test_without_targets_parts_come_back_as_nested_dicts(tmp_path):
    params = {"w": jnp.arange(3.0)}
    state = optax.adam(1e-3).init(params)
    checkpoint = load(save(tmp_path / "c", params, state, wiring=NCP(4, 3, 2, 2, 2, 2, 2, seed=1)))
    assert checkpoint.opt_state["0"]["mu"]["w"].tolist() == [0.0, 0.0, 0.0]
    assert checkpoint.wiring == NCP(4, 3, 2, 2, 2, 2, 2, seed=1) and checkpoint.config is None


def test_a_dendritic_model_needs_its_connectivity_saved(tmp_path):
    model = dendritic_simple(4, n_neurons=5, n_dendrites=2, n_dendrite_inputs=3)
    x = jax.random.normal(jax.random.key(2), (6, 12))
    variables = model.init(jax.random.key(0), x)
    model_state = {name: value for name, value in variables.items() if name != "params"}
    assert "connectivity" in model_state
    save(tmp_path / "d", variables["params"], model_state=model_state)
    other = model.init(jax.random.key(9), x)
    checkpoint = load(tmp_path / "d", params=other["params"], model_state={"connectivity": other["connectivity"]})
    expected = model.apply(variables, x)
    np.testing.assert_array_equal(model.apply({"params": checkpoint.params, **checkpoint.model_state}, x), expected)
    params_only = model.apply({**other, "params": checkpoint.params}, x)
    assert not np.allclose(params_only, expected)


def test_a_new_save_replaces_the_old_checkpoint(tmp_path):
    save(tmp_path / "c", {"w": jnp.ones(2)}, config={"run": 1})
    save(tmp_path / "c", {"w": jnp.zeros(2)}, config={"run": 2})
    checkpoint = load(tmp_path / "c")
    assert checkpoint.params["w"].tolist() == [0.0, 0.0] and checkpoint.config == {"run": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]


@pytest.mark.parametrize("failure", ["unstorable leaf", "bad config", "disk error", "swap error"])
def test_a_failed_save_leaves_the_existing_checkpoint_untouched(tmp_path, monkeypatch, failure):
    path = save(tmp_path / "c", {"w": jnp.ones(2)}, config={"run": 1})
    before = {p.name: p.read_bytes() for p in path.iterdir()}
    params, config = {"w": jnp.zeros(2)}, {"run": 2}
    if failure == "unstorable leaf":
        params = {"w": object()}
    elif failure == "bad config":
        config = {"run": object()}
    elif failure == "disk error":
        monkeypatch.setattr(biojax._files.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("disk full")))
    else:
        real = biojax._files.os.rename
        monkeypatch.setattr(biojax._files.os, "rename", lambda a, b: (_ for _ in ()).throw(OSError("no"))
                            if str(a).endswith(".tmp") else real(a, b))
    with pytest.raises((TypeError, OSError)):
        save(path, params, config=config)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]
    assert load(path).params["w"].tolist() == [1.0, 1.0]


def test_save_refuses_to_replace_something_that_is_not_a_checkpoint(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    (tmp_path / "file").write_text("keep me too")
    for name in ("notes", "file"):
        with pytest.raises(FileExistsError, match=f"{tmp_path / name} exists and is not a biojax checkpoint"):
            save(tmp_path / name, {"w": jnp.ones(1)})
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"
    assert (tmp_path / "file").read_text() == "keep me too"


def test_missing_and_corrupt_checkpoints_raise_errors_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"no checkpoint at {tmp_path / 'none'}"):
        load(tmp_path / "none")
    path = save(tmp_path / "c", {"w": jnp.ones(4)})
    arrays = (path / "arrays.msgpack").read_bytes()
    (path / "arrays.msgpack").write_bytes(arrays[:-3])
    with pytest.raises(ValueError, match=f"checkpoint {path} is corrupt: arrays.msgpack does not match its SHA-256"):
        load(path)
    (path / "arrays.msgpack").unlink()
    with pytest.raises(FileNotFoundError, match=f"checkpoint {path} is incomplete: arrays.msgpack is missing"):
        load(path)
    (path / "meta.json").write_text("{not json")
    with pytest.raises(ValueError, match=f"checkpoint {path} is corrupt: meta.json is not JSON"):
        load(path)
    (path / "meta.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match=f"{path} is not a biojax checkpoint"):
        load(path)
    (path / "meta.json").unlink()
    with pytest.raises(FileNotFoundError, match=f"no checkpoint at {path}: meta.json is missing"):
        load(path)


def test_a_target_that_does_not_match_raises_naming_the_part_and_leaf(tmp_path):
    params = {"layer": {"w": jnp.ones((2, 3))}}
    path = save(tmp_path / "c", params, optax.sgd(0.1, momentum=0.9).init(params))
    with pytest.raises(ValueError, match=r"params\['layer'\]\['w'\] has shape \(2, 3\) and dtype float32 in the "
                                         r"checkpoint, the target given has shape \(3, 2\)"):
        load(path, params={"layer": {"w": jnp.ones((3, 2))}})
    with pytest.raises(ValueError, match=f"checkpoint {path}: opt_state does not match the structure"):
        load(path, opt_state=optax.adam(1e-3).init(params))
    with pytest.raises(ValueError, match=r"holds no model_state \(it holds \['params', 'opt_state'\]\)"):
        load(path, model_state={"connectivity": {}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"params": None}, "params must be a tree of arrays, got None"),
        ({"wiring": {"units": 3}}, "wiring must be a biojax.wiring.Wiring or None, got dict"),
        ({"model_state": [1]}, "model_state must be a mapping of collection names to trees, got list"),
        ({"config": {1j}}, "config must be JSON data"),
    ],
)
def test_wrong_arguments_raise_type_errors_naming_them(tmp_path, kwargs, message):
    with pytest.raises(TypeError, match=message):
        save(tmp_path / "c", **{"params": {"w": jnp.ones(1)}, **kwargs})
    assert not (tmp_path / "c").exists()
