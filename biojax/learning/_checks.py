"""Argument checks that let traced hyperparameters through.

Numeric settings of the learning rules (nu, dre, dampening, ...) may be JAX arrays or tracers, so that
``jax.vmap`` over them needs no recompile. Python numbers and concrete arrays are checked with
:func:`biojax._validation.check_number` and must be finite; tracers are checked only inside
:func:`biojax.checks.checked`, because their values are unknown at trace time.
"""

import math
import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_number
from biojax.checks import check_traced, concrete_value


def _check_finite_number(name: str, value: Any, **bounds: Any) -> float:
    number = check_number(name, value, **bounds)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {number!r}")
    return number


def _check_traced_bounds(name: str, value: jax.Array, minimum: float | None = None, maximum: float | None = None,
                         min_inclusive: bool = True, max_inclusive: bool = True) -> None:
    ok = jnp.all(jnp.isfinite(value))
    if minimum is not None:
        ok &= jnp.all(value >= minimum if min_inclusive else value > minimum)
    if maximum is not None:
        ok &= jnp.all(value <= maximum if max_inclusive else value < maximum)
    interval = "{}{}, {}{}".format("[" if min_inclusive and minimum is not None else "(",
                                   "-inf" if minimum is None else float(minimum),
                                   "inf" if maximum is None else float(maximum),
                                   "]" if max_inclusive and maximum is not None else ")")
    check_traced(ok, f"{name} must be finite and in {interval}, got values in [{{low}}, {{high}}]",
                 low=jnp.min(value), high=jnp.max(value))


def check_hyperparameter(name: str, value: Any, **bounds: Any) -> Any:
    """Checks a Python number or a concrete array against ``bounds`` (and finiteness); returns it unchanged.

    Tracers pass unchecked, except inside :func:`biojax.checks.checked`.

    Example:
        >>> check_hyperparameter("nu", 0.1, minimum=0.0, min_inclusive=False)
        0.1
        >>> check_hyperparameter("nu", -1.0, minimum=0.0, min_inclusive=False)
        Traceback (most recent call last):
        ...
        ValueError: nu must be in (0.0, inf), got -1.0
        >>> check_hyperparameter("threshold", float("inf"), minimum=0.0)
        Traceback (most recent call last):
        ...
        ValueError: threshold must be a finite number, got inf
    """
    if isinstance(value, (jax.Array, np.ndarray)) and not isinstance(value, bool):
        if not (jnp.issubdtype(value.dtype, jnp.floating) or jnp.issubdtype(value.dtype, jnp.integer)):
            raise TypeError(f"{name} must be a real number or a real array, got an array of dtype {value.dtype}")
        known = concrete_value(value)
        if known is None:
            _check_traced_bounds(name, value, **bounds)
        elif known.size:
            if not np.all(np.isfinite(known)):
                raise ValueError(f"{name} must be finite, got {int(np.sum(~np.isfinite(known)))} NaN or inf entries")
            check_number(name, float(known.min()), **bounds)
            check_number(name, float(known.max()), **bounds)
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return _check_finite_number(name, value, **bounds)
    raise TypeError(f"{name} must be a real number or a JAX array, got {value!r} ({type(value).__name__})")


def check_bool(name: str, value: Any) -> bool:
    """Returns ``value`` if it is a ``bool`` (``1`` and ``"yes"`` are rejected).

    Example:
        >>> check_bool("dynamic", 1)
        Traceback (most recent call last):
        ...
        TypeError: dynamic must be True or False, got 1 (int)
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)
