"""Value semantics shared by the wiring classes: equality and hashing by content, a config repr."""

from __future__ import annotations

from typing import Any


class ValueSemantics:
    """Mixin: ``__eq__``/``__hash__`` compare ``_key()``; ``__repr__`` shows ``get_config()``.

    Subclasses define ``_key()`` (a hashable tuple of everything that defines the object) and
    ``get_config()`` (the constructor arguments).
    """

    def _key(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def _repr_extra(self) -> str:
        return ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValueSemantics):
            return NotImplemented
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        config = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({config}{self._repr_extra()})"
