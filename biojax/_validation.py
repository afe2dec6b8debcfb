"""Argument checks shared by the whole package.

Each check raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value out of
range, and the message names the argument, the value received and what is allowed.
"""

import numbers
from collections.abc import Iterable
from typing import Any


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Returns ``value`` as an ``int`` if it is an integer within ``[minimum, maximum]``.

    Example:
        >>> check_int("units", 4, minimum=1)
        4
        >>> check_int("units", 0, minimum=1)
        Traceback (most recent call last):
        ...
        ValueError: units must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and maximum is not None and not minimum <= value <= maximum:
        raise ValueError(f"{name} must be an integer in [{minimum}, {maximum}], got {value}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Returns ``value`` as a ``float`` if it is a real number within the given bounds.

    Example:
        >>> check_number("sparsity_level", 0.5, minimum=0.0, maximum=1.0, max_inclusive=False)
        0.5
        >>> check_number("sparsity_level", 1.0, minimum=0.0, maximum=1.0, max_inclusive=False)
        Traceback (most recent call last):
        ...
        ValueError: sparsity_level must be in [0.0, 1.0), got 1.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    low_ok = minimum is None or (value >= minimum if min_inclusive else value > minimum)
    high_ok = maximum is None or (value <= maximum if max_inclusive else value < maximum)
    if not (low_ok and high_ok) or value != value:
        low = "-inf" if minimum is None else repr(float(minimum))
        high = "inf" if maximum is None else repr(float(maximum))
        left = "[" if min_inclusive and minimum is not None else "("
        right = "]" if max_inclusive and maximum is not None else ")"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}")
    return value


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Returns ``value`` if it is one of ``allowed``.

    Example:
        >>> check_choice("mode", "pure", ("default", "pure", "no_gate"))
        'pure'
        >>> check_choice("mode", "fast", ("default", "pure"))
        Traceback (most recent call last):
        ...
        ValueError: mode must be one of 'default', 'pure', got 'fast'
    """
    allowed = tuple(allowed)
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value
