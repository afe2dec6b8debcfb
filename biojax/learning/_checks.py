"""Argument checks that let traced hyperparameters through.

Numeric settings of the learning rules (nu, dre, dampening, ...) may be JAX arrays or tracers, so that
``jax.vmap`` over them needs no recompile. Python numbers are checked with
:func:`biojax._validation.check_number`; arrays are passed through unchecked because their values are
unknown at trace time.
"""

import numbers
from typing import Any

import jax
import numpy as np

from biojax._validation import check_number


def check_hyperparameter(name: str, value: Any, **bounds: Any) -> Any:
    """Checks a Python number against ``bounds``; returns arrays and tracers unchanged.

    Example:
        >>> check_hyperparameter("nu", 0.1, minimum=0.0, min_inclusive=False)
        0.1
        >>> check_hyperparameter("nu", -1.0, minimum=0.0, min_inclusive=False)
        Traceback (most recent call last):
        ...
        ValueError: nu must be in (0.0, inf), got -1.0
    """
    if isinstance(value, (jax.Array, np.ndarray)) and not isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return check_number(name, value, **bounds)
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
