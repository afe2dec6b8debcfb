"""biojax.env.info/describe report JAX's real backend and devices and serialise to JSON."""

import json
import sys

import jax

from biojax import env


def test_info_matches_jax_and_is_json():
    data = json.loads(json.dumps(env.info()))
    assert data["default_backend"] == jax.default_backend()
    assert [d["platform"] for d in data["devices"]] == [d.platform for d in jax.devices()]
    assert data["versions"]["jax"] == jax.__version__
    assert data["python"] == sys.version.split()[0]
    assert "JAX_PLATFORMS" in data["how_to_select"] and "METAL" in data["how_to_select"]
    assert isinstance(data["apple_silicon"], bool)


def test_plugins_listed_only_when_installed(monkeypatch):
    monkeypatch.setattr(env, "_version", lambda name: "0.1.1" if name == "jax-metal" else "1.0")
    data = env.info()
    assert data["plugins"]["jax-metal"] == {"version": "0.1.1", "platform": "METAL"}
    monkeypatch.setattr(env, "_version", lambda name: None)
    assert env.info()["plugins"] == {}


def test_describe_names_backend_and_devices():
    text = env.describe()
    assert f"default backend: {jax.default_backend()}" in text
    assert str(jax.devices()[0].platform) in text
