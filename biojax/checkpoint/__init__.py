"""Checkpoints: params, optimizer state, non-trainable collections, a wiring and a config in one
directory, written atomically with ``flax.serialization`` msgpack and JSON (never pickle)."""

from biojax.checkpoint.files import Checkpoint, load, save

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
