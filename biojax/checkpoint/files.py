"""``save`` and ``load``: params, optimizer state, non-trainable collections, a wiring and a config.

A checkpoint is a directory of two files: ``arrays.msgpack`` (the pytrees, written with
``flax.serialization``) and ``meta.json`` (format version, which parts are stored, the SHA-256 of the
arrays, the wiring's :meth:`~biojax.wiring.Wiring.to_dict` and the config, all JSON; nothing is pickled).
It is written into a new directory beside ``path`` and swapped in at the end, so a failed save leaves an
existing checkpoint as it was.
"""

import hashlib
import json
import os
import pathlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from biojax._files import write_directory_atomically
from biojax._version import __version__
from biojax.checkpoint.arrays import from_bytes, restore_into, to_bytes
from biojax.wiring import Wiring

FORMAT = "biojax.checkpoint"
FORMAT_VERSION = 1
PARTS = ("params", "opt_state", "model_state")


class Checkpoint(NamedTuple):
    """What :func:`load` returns; a part that was not saved is ``None``.

    Attributes:
        params: the params tree.
        opt_state: the optimizer state, in the structure of the target given to :func:`load`, else as
            nested dicts.
        model_state: the non-trainable collections, e.g. ``{"connectivity": ...}`` of a dendritic model.
        wiring: the :class:`~biojax.wiring.Wiring`, restored by ``Wiring.from_dict``.
        config: the config as JSON data (e.g. ``BioConfig.from_dict(checkpoint.config)``).

    Example:
        >>> Checkpoint(params={"w": 1}, opt_state=None, model_state=None, wiring=None, config=None).params
        {'w': 1}
    """

    params: Any
    opt_state: Any
    model_state: Any
    wiring: Wiring | None
    config: Any


def _config_json(config: Any) -> Any:
    data = config.to_dict() if hasattr(config, "to_dict") else config
    try:
        return json.loads(json.dumps(data))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"config must be JSON data (dicts, lists, strings, numbers) or have to_dict(), got "
            f"{type(config).__name__}: {error}"
        ) from error


def _is_checkpoint(path: pathlib.Path) -> bool:
    try:
        return json.loads((path / "meta.json").read_text())["format"] == FORMAT
    except (OSError, ValueError, KeyError, TypeError):
        return False


def save(
    path: str | os.PathLike,
    params: Any,
    opt_state: Any = None,
    wiring: Wiring | None = None,
    config: Any = None,
    model_state: Mapping[str, Any] | None = None,
) -> pathlib.Path:
    """Saves a checkpoint directory at ``path``, replacing an older checkpoint there atomically.

    Save every collection the model needs: params alone are not enough for a dendritic model, whose
    input indices live in the ``"connectivity"`` collection (pass ``model_state={"connectivity": ...}``);
    restoring only the params into a model built with another key gives other outputs.

    Args:
        path: the checkpoint directory (created; an existing one is replaced only if it is a checkpoint).
        params: the params tree.
        opt_state: an optimizer state, e.g. of ``optax`` or :func:`biojax.learning.bio_optimizer`.
        wiring: a built or unbuilt :class:`~biojax.wiring.Wiring`.
        config: JSON data or an object with ``to_dict()`` (e.g. :class:`~biojax.learning.BioConfig`).
        model_state: non-trainable collections (every Linen collection but ``"params"``).

    Returns:
        The checkpoint's path.

    Example:
        >>> import tempfile, jax.numpy as jnp
        >>> path = save(tempfile.mkdtemp() + "/ckpt", {"w": jnp.ones(3)}, config={"lr": 0.1})
        >>> sorted(p.name for p in path.iterdir())
        ['arrays.msgpack', 'meta.json']
    """
    path = pathlib.Path(path)
    if params is None:
        raise TypeError("params must be a tree of arrays, got None")
    if wiring is not None and not isinstance(wiring, Wiring):
        raise TypeError(f"wiring must be a biojax.wiring.Wiring or None, got {type(wiring).__name__}")
    if model_state is not None and not isinstance(model_state, Mapping):
        raise TypeError(f"model_state must be a mapping of collection names to trees, got {type(model_state).__name__}")
    if os.path.lexists(path) and not _is_checkpoint(path):
        raise FileExistsError(f"{path} exists and is not a biojax checkpoint; refusing to replace it")
    parts = {"params": params, "opt_state": opt_state, "model_state": model_state}
    stored = [name for name in PARTS if parts[name] is not None]
    arrays = to_bytes({name: parts[name] for name in stored})
    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "biojax_version": __version__, "parts": stored,
        "arrays_sha256": hashlib.sha256(arrays).hexdigest(),
        "wiring": None if wiring is None else wiring.to_dict(),
        "config": None if config is None else _config_json(config),
    }
    text = json.dumps(meta, indent=1, sort_keys=True) + "\n"
    write_directory_atomically(path, {"arrays.msgpack": arrays, "meta.json": text.encode()})
    return path


def _read_meta(path: pathlib.Path) -> dict:
    if not path.is_dir():
        raise FileNotFoundError(f"no checkpoint at {path}: not a directory")
    try:
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {path}: meta.json is missing") from None
    except ValueError as error:
        raise ValueError(f"checkpoint {path} is corrupt: meta.json is not JSON ({error})") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a biojax checkpoint: meta.json has no format {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"checkpoint {path} has format_version {meta.get('format_version')!r}; this biojax reads {FORMAT_VERSION}"
        )
    return meta


def load(
    path: str | os.PathLike, params: Any = None, opt_state: Any = None, model_state: Any = None
) -> Checkpoint:
    """Loads a checkpoint written by :func:`save`.

    Each of ``params``, ``opt_state`` and ``model_state`` may be a target: a tree of the structure to
    restore into, e.g. ``opt.init(params)`` for an Optax state (its NamedTuples come back as such); every
    leaf's shape and dtype is checked against it. Without a target a part comes back as nested dicts
    of arrays.

    Raises:
        FileNotFoundError: no checkpoint at ``path``.
        ValueError: a corrupt checkpoint, or one that does not match a target or holds no such part.

    Example:
        >>> import tempfile, jax.numpy as jnp, optax
        >>> params, opt = {"w": jnp.ones(2)}, optax.adam(1e-3)
        >>> path = save(tempfile.mkdtemp() + "/ckpt", params, opt.init(params))
        >>> checkpoint = load(path, opt_state=opt.init(params))
        >>> checkpoint.params["w"].tolist(), type(checkpoint.opt_state[0]).__name__
        ([1.0, 1.0], 'ScaleByAdamState')
    """
    path = pathlib.Path(path)
    meta = _read_meta(path)
    try:
        arrays = (path / "arrays.msgpack").read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"checkpoint {path} is incomplete: arrays.msgpack is missing") from None
    if hashlib.sha256(arrays).hexdigest() != meta.get("arrays_sha256"):
        raise ValueError(f"checkpoint {path} is corrupt: arrays.msgpack does not match its SHA-256 in meta.json")
    try:
        stored = from_bytes(arrays)
    except Exception as error:
        raise ValueError(f"checkpoint {path} is corrupt: arrays.msgpack cannot be read ({error})") from error
    targets = {"params": params, "opt_state": opt_state, "model_state": model_state}
    restored = {}
    for name in PARTS:
        if name not in stored:
            if targets[name] is not None:
                raise ValueError(f"checkpoint {path} holds no {name} (it holds {meta['parts']})")
            restored[name] = None
            continue
        try:
            restored[name] = stored[name] if targets[name] is None else restore_into(targets[name], stored[name], name)
        except ValueError as error:
            raise ValueError(f"checkpoint {path}: {error}") from error
    wiring = None if meta.get("wiring") is None else Wiring.from_dict(meta["wiring"])
    return Checkpoint(wiring=wiring, config=meta.get("config"), **restored)
