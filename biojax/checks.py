"""Checks of values that are only known at run time, and the checked variant that turns them on.

Shapes, dtypes and Python numbers are checked by biojax when a function is called or traced, at no run
time cost. Values inside traced arrays (a fraction passed through ``jax.jit``, token ids, NaN in data)
cannot be checked that way: under plain ``jax.jit``/``jax.vmap`` they are **not checked**. biojax marks
them with :func:`check_traced` (a ``checkify.debug_check``, which XLA drops unless the function is
functionalized, so plain programs compile exactly as without it); wrapping a function in :func:`checked`
runs it under ``jax.experimental.checkify.checkify`` with those checks on, together with checkify's
out-of-bounds indexing checks, and raises a ``jax.experimental.checkify.JaxRuntimeError`` (a
``ValueError``) naming the argument.

Where a value is concrete (a NumPy array, or a JAX array outside any transformation) biojax checks it
in Python instead, with or without :func:`checked`: see :func:`concrete_value`.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import checkify

_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("biojax_traced_checks", default=False)

ERRORS = checkify.user_checks | checkify.index_checks


def checks_active() -> bool:
    """Whether :func:`check_traced` currently checks (inside a function wrapped by :func:`checked`).

    Example:
        >>> checks_active()
        False
        >>> checked(lambda: checks_active())()
        True
    """
    return _ACTIVE.get()


def checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with biojax's run-time value checks and checkify's index checks; raises on a failure.

    The wrapped function runs ``fn`` under ``checkify.checkify(..., errors=user_checks | index_checks)``
    and raises the first failed check as ``jax.experimental.checkify.JaxRuntimeError`` (a
    ``ValueError``); values that are concrete there (``fn`` not jitted) are checked in Python and raise a
    plain ``ValueError``. ``fn`` may be jitted (also one already used without checks). Every check is a
    reduction and the program is compiled again with them: use it to debug.

    Args:
        fn: any function of arrays, e.g. ``model.apply`` or :func:`biojax.pruning.pruning_mask`.

    Returns:
        A function with the same arguments and result as ``fn``.

    Example:
        >>> import jax.numpy as jnp
        >>> from biojax.nn import HeadMaskTransformer
        >>> model = HeadMaskTransformer(vocab_size=5, num_layers=1, num_heads=1, d_model=4, max_len=8)
        >>> params = model.init(jax.random.key(0), jnp.zeros((1, 3), int))
        >>> bad = jnp.array([[1, 7, 2]])
        >>> apply = jax.jit(model.apply)
        >>> bool(jnp.isnan(apply(params, bad)).any())   # under plain jit: not checked
        True
        >>> checked(apply)(params, bad)
        Traceback (most recent call last):
        ...
        jax._src.checkify.JaxRuntimeError: tokens must be token ids in [0, vocab_size=5), got ids in [1, 7] ...
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {fn!r} ({type(fn).__name__})")

    def with_checks(*args: Any, **kwargs: Any) -> Any:
        token = _ACTIVE.set(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _ACTIVE.reset(token)

    functionalized = checkify.checkify(with_checks, errors=ERRORS)

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        error, out = functionalized(*args, **kwargs)
        error.throw()
        return out

    return run


def check_traced(predicate: Any, message: str, **values: Any) -> None:
    """Inside :func:`checked`, fails the run with ``message`` unless ``predicate`` (a boolean array) holds.

    Elsewhere it does nothing: traced values are not checked under plain ``jit`` (the check is a
    ``checkify.debug_check``, dropped when not functionalized), and a concrete ``predicate`` outside
    :func:`checked` is ignored (check concrete values in Python instead). ``message`` is a ``str.format``
    template of ``values`` (arrays or numbers, filled in at run time); it should name the argument, what
    was received and what is allowed.

    Example:
        >>> import jax.numpy as jnp
        >>> def half(x):
        ...     check_traced(jnp.all(x >= 0), "x must be >= 0, got minimum {low}", low=jnp.min(x))
        ...     return x / 2
        >>> float(half(jnp.array(-2.0)))     # unchecked
        -1.0
        >>> checked(half)(jnp.array(-2.0))
        Traceback (most recent call last):
        ...
        jax._src.checkify.JaxRuntimeError: x must be >= 0, got minimum -2.0 ...
    """
    if _ACTIVE.get() or isinstance(predicate, jax.core.Tracer):
        checkify.debug_check(predicate, message, **{name: jnp.asarray(value) for name, value in values.items()})


def wants_traced_checks(*arrays: Any) -> bool:
    """Whether a :func:`check_traced` of ``arrays`` can fire: inside :func:`checked`, or when one is traced.

    Lets a caller skip computing a predicate (a reduction) for concrete arrays outside :func:`checked`.

    Example:
        >>> import jax.numpy as jnp
        >>> wants_traced_checks(jnp.ones(2)), checked(lambda x: wants_traced_checks(x))(jnp.ones(2))
        (False, True)
    """
    return _ACTIVE.get() or any(isinstance(a, jax.core.Tracer) for a in arrays)


def finite_or_nan(x: Any, name: str = "x") -> Any:
    """``x`` with its infinities made NaN, and, inside :func:`checked`, a check that it is finite.

    NaN propagates through any arithmetic, but an infinity can turn back into a plausible number
    (``tanh(inf) = 1``, ``sigmoid(-inf) = 0``); a model that reads its inputs through this function gives
    NaN outputs wherever they depend on a NaN or infinite input. Finite values pass unchanged (the same
    bits), so results on finite data do not change. Integer arrays are returned as they are.

    Args:
        x: an input array (traced or not).
        name: the argument's name for the message of :func:`checked`.

    Example:
        >>> import jax.numpy as jnp
        >>> finite_or_nan(jnp.array([1.0, jnp.inf, -jnp.inf, jnp.nan])).tolist()
        [1.0, nan, nan, nan]
        >>> checked(finite_or_nan)(jnp.array([1.0, jnp.inf]))
        Traceback (most recent call last):
        ...
        jax._src.checkify.JaxRuntimeError: x must be finite, got 1 NaN or inf values ...
    """
    if not jnp.issubdtype(jnp.result_type(x), jnp.inexact):
        return x
    ok = jnp.isfinite(x)
    if wants_traced_checks(x):
        check_traced(jnp.all(ok), f"{name} must be finite, got {{bad}} NaN or inf values", bad=jnp.sum(~ok))
    return jnp.where(ok, x, jnp.nan)


def concrete_value(value: Any) -> np.ndarray | None:
    """``value`` as a NumPy array when it is known now (not a tracer), else ``None``.

    Example:
        >>> import jax.numpy as jnp
        >>> concrete_value(jnp.array([1, 2])).tolist()
        [1, 2]
        >>> jax.jit(lambda x: concrete_value(x) is None)(jnp.ones(2))
        Array(True, dtype=bool)
    """
    if isinstance(value, jax.core.Tracer):
        return None
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        return None
