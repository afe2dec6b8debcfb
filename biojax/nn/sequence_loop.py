"""The time loop of the sequence wrappers (:class:`~biojax.nn.LTC`, :class:`~biojax.nn.CfC`) and the
protocol a cell implements to be scanned by it.

The loop knows nothing of particular cells: it asks the cell for its state and output widths, for a
pure per-step function of its params, and whether recomputing steps in the backward pass pays off. A new
cell plugs in by implementing :class:`SequenceCell` and calling :func:`scan_cell` from its wrapper's
compact ``__call__``; the loop itself never changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax.checks import finite_or_nan
from biojax.nn._shape_checks import check_state_shape
from biojax.nn._torch_init import fan_in_uniform
from biojax.nn.mixed_memory import MixedMemoryLSTMCell

StepFunction = Callable[..., tuple[jax.Array, Any]]


@runtime_checkable
class SequenceCell(Protocol):
    """What :func:`scan_cell` needs of a cell; :class:`~biojax.nn.LTCCell`, :class:`~biojax.nn.CfCCell` and
    :class:`~biojax.nn.WiredCfCCell` implement it.

    Being a Linen module, calling the cell as ``cell(inputs, state, ts, **call_kwargs)`` creates its
    params (the loop does this once, at init). The methods work on an unbound cell:

    - ``state_size(input_dim)``: width of the recurrent state;
    - ``output_size(input_dim)``: width of the per-step output;
    - ``remat_by_default(steps, batch, input_dim)``: whether ``remat=None`` recomputes each step in the
      backward pass instead of saving its intermediate values;
    - ``remat_policy()``: what a recomputed step still saves (a ``jax.checkpoint_policies`` policy, e.g.
      its matrix-product outputs), or ``None`` to save nothing but the carry;
    - ``step_function(params, input_dim, *, fixed_timespan=None, deterministic=True)``: a pure
      ``step(inputs (B, in), state (B, state), ts (B,)) -> (outputs, new_state)``; with
      ``deterministic=False`` the step takes a fourth argument, a fresh random key per step. A cell may
      use ``fixed_timespan`` (a number every step uses, given when a sequence has no timespans) to
      precompute; its ``step`` must then give the same result for any ``ts`` argument.

    Example:
        >>> from biojax.nn import CfCCell, LTCCell
        >>> isinstance(LTCCell(4), SequenceCell), isinstance(CfCCell(4), SequenceCell)
        (True, True)
    """

    def state_size(self, input_dim: int) -> int: ...

    def output_size(self, input_dim: int) -> int: ...

    def remat_by_default(self, steps: int, batch: int, input_dim: int) -> bool: ...

    def remat_policy(self) -> Callable[..., bool] | None: ...

    def step_function(
        self, params: Any, input_dim: int, *, fixed_timespan: float | None = None, deterministic: bool = True
    ) -> StepFunction: ...


def check_remat(remat: Any) -> None:
    """Raises ``TypeError`` unless ``remat`` is ``True``, ``False`` or ``None``.

    Example:
        >>> check_remat(None)
    """
    if remat is not None and not isinstance(remat, bool):
        raise TypeError(f"remat must be True, False or None (automatic), got {remat!r}")


def _time_first(x: jax.Array, timespans: Any, time_major: bool) -> tuple[jax.Array, jax.Array | None, int]:
    """Inputs and timespans as ``(time, batch, ...)``; also the time axis of the caller's layout."""
    if x.ndim not in (2, 3):
        raise ValueError(f"inputs must be (batch, time, features) or (time, features), got {x.shape}")
    unbatched = x.ndim == 2
    time_axis = 0 if (time_major or unbatched) else 1
    if x.shape[time_axis] < 1:
        raise ValueError(f"x must have at least one time step (axis {time_axis}), got shape {x.shape}")
    xs = jnp.moveaxis(x, time_axis, 0)
    if unbatched:
        xs = xs[:, None, :]
    if timespans is None:
        return xs, None, time_axis
    ts = jnp.asarray(timespans, xs.dtype)
    if ts.shape != x.shape[:-1]:
        raise ValueError(
            f"timespans must have shape {x.shape[:-1]} (one span per sample and step), got {ts.shape}"
        )
    return xs, (ts[:, None] if unbatched else jnp.moveaxis(ts, time_axis, 0)), time_axis


def _initial_state(initial_state: Any, batch: int, size: int, dtype: Any, mixed_memory: bool, unbatched: bool) -> Any:
    if initial_state is None:
        zeros = jnp.zeros((batch, size), dtype)
        return (zeros, zeros) if mixed_memory else zeros
    if mixed_memory and not (isinstance(initial_state, tuple | list) and len(initial_state) == 2):
        raise TypeError(f"initial_state must be a tuple (h, c) when mixed_memory=True, got {type(initial_state).__name__}")
    state = tuple(initial_state) if mixed_memory else initial_state
    expected = (size,) if unbatched else (batch, size)
    parts = {"initial_state[0]": state[0], "initial_state[1]": state[1]} if mixed_memory else {"initial_state": state}
    for name, part in parts.items():
        check_state_shape(name, part, expected)
    return jax.tree_util.tree_map(lambda a: a[None], state) if unbatched else state


def scan_cell(
    cell: nn.Module,
    x: jax.Array,
    timespans: Any = None,
    initial_state: Any = None,
    *,
    return_sequences: bool = True,
    time_major: bool = False,
    mixed_memory: bool = False,
    proj_size: int | None = None,
    remat: bool | None = None,
    deterministic: bool = True,
    dropout_key: jax.Array | None = None,
) -> tuple[jax.Array, Any]:
    """Runs a :class:`SequenceCell` over a sequence with ``jax.lax.scan``: ``(outputs, final_state)``.

    Call it from a wrapper's compact ``__call__`` with the cell built there (named ``"rnn_cell"`` by
    ncps's convention); the optional mixed-memory LSTM (``"lstm"``, run before each cell step, as ncps)
    and output projection (``"fc"``) become submodules of that wrapper.

    Args:
        cell: the cell, a submodule of the calling wrapper.
        x: ``(batch, time, features)``, ``(time, batch, features)`` with ``time_major``, or ``(time, features)``;
            at least one step. NaN in ``x`` gives NaN in every later output; inside
            :func:`biojax.checks.checked` non-finite values raise.
        timespans: elapsed time per sample and step, shaped like ``x`` without its last axis; ``None``
            means 1 at every step (the cell may then fold it into its params once).
        initial_state: ``(batch, state)``, or ``(h, c)`` with ``mixed_memory``; zeros by default.
        return_sequences: outputs at every step, or only at the last.
        time_major: the layout of ``x`` (and of the returned sequence).
        mixed_memory: add ncps's LSTM memory.
        proj_size: add a per-step linear projection of the outputs to this width.
        remat: recompute each step in the backward pass (``None``: ``cell.remat_by_default``), saving only
            what ``cell.remat_policy()`` keeps.
        deterministic: passed to the cell; ``False`` needs ``dropout_key``.
        dropout_key: folded with the step number into one key per step.

    Example:
        >>> import jax, jax.numpy as jnp, flax.linen as nn
        >>> from biojax.nn import CfCCell
        >>> class TinyRNN(nn.Module):
        ...     @nn.compact
        ...     def __call__(self, x):
        ...         return scan_cell(CfCCell(4, backbone_units=8, name="rnn_cell"), x, return_sequences=False)
        >>> x = jnp.ones((2, 5, 3))
        >>> variables = TinyRNN().init(jax.random.key(0), x)
        >>> [a.shape for a in TinyRNN().apply(variables, x)]
        [(2, 4), (2, 4)]
    """
    unbatched = x.ndim == 2
    xs, ts, time_axis = _time_first(finite_or_nan(x), timespans, time_major)
    steps, batch, input_dim = xs.shape
    state = _initial_state(initial_state, batch, cell.state_size(input_dim), xs.dtype, mixed_memory, unbatched)
    ts_or_ones = jnp.ones((steps, batch), xs.dtype) if ts is None else ts

    lstm = MixedMemoryLSTMCell(cell.state_size(input_dim), name="lstm") if mixed_memory else None
    proj = None
    if proj_size is not None:
        init = fan_in_uniform(cell.output_size(input_dim))
        proj = nn.Dense(proj_size, kernel_init=init, bias_init=init, name="fc")
    if cell.is_initializing():
        call_kwargs = {} if deterministic else {"deterministic": False}
        if lstm is not None:
            lstm(xs[0], state)
        out0, _ = cell(xs[0], state[0] if mixed_memory else state, ts_or_ones[0], **call_kwargs)
        if proj is not None:
            proj(out0)
    cell_step = cell.clone(parent=None).step_function(
        cell.variables["params"], input_dim, fixed_timespan=1.0 if timespans is None else None,
        deterministic=deterministic,
    )
    lstm_step = lstm and functools.partial(lstm.clone(parent=None).apply, lstm.variables)
    proj_step = proj and functools.partial(proj.clone(parent=None).apply, proj.variables)

    def body(carry: Any, inputs: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[Any, jax.Array]:
        x_t, ts_t, t = inputs
        h, c = lstm_step(x_t, carry) if lstm_step is not None else (carry, None)
        key = () if deterministic else (jax.random.fold_in(dropout_key, t),)
        out, h = cell_step(x_t, h, ts_t, *key)
        if proj_step is not None:
            out = proj_step(out)
        return ((h, c) if lstm_step is not None else h), out

    if cell.remat_by_default(steps, batch, input_dim) if remat is None else remat:
        body = jax.checkpoint(body, policy=cell.remat_policy())
    final, outs = jax.lax.scan(body, state, (xs, ts_or_ones, jnp.arange(steps)))
    if return_sequences:
        outputs = outs[:, 0] if unbatched else jnp.moveaxis(outs, 0, time_axis)
    else:
        outputs = outs[-1, 0] if unbatched else outs[-1]
    if unbatched:
        final = jax.tree_util.tree_map(lambda a: a[0], final)
    return outputs, final
