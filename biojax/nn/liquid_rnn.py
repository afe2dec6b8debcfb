"""Sequence wrappers ``LTC`` and ``CfC`` (ncps torch's RNN classes) built on ``jax.lax.scan``."""

import functools
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_choice, check_int, check_number
from biojax.nn._torch_init import fan_in_uniform
from biojax.nn._wiring_args import as_wiring
from biojax.nn.cfc_cell import ACTIVATIONS, CFC_MODES, CfCCell
from biojax.nn.ltc_cell import LTCCell
from biojax.nn.mixed_memory import MixedMemoryLSTMCell
from biojax.nn.wired_cfc_cell import INTRA_LAYER, WiredCfCCell
from biojax.wiring import Wiring


def _run_sequence(
    module: nn.Module,
    cell: nn.Module,
    state_size: int,
    x: jax.Array,
    timespans: Any,
    initial_state: Any,
    step_kwargs: dict[str, Any],
    dropout_key: jax.Array | None = None,
) -> tuple[jax.Array, Any]:
    """Shared body of the wrappers: layout, initial state, mixed memory, projection and the scan."""
    unbatched = x.ndim == 2
    if x.ndim not in (2, 3):
        raise ValueError(f"inputs must be (batch, time, features) or (time, features), got {x.shape}")
    time_axis = 0 if (module.time_major or unbatched) else 1
    xs = jnp.moveaxis(x, time_axis, 0)
    if unbatched:
        xs = xs[:, None, :]
    steps, batch = xs.shape[0], xs.shape[1]
    if timespans is None:
        ts = jnp.ones((steps, batch), xs.dtype)
    else:
        ts = jnp.asarray(timespans, xs.dtype)
        if ts.shape != x.shape[:-1]:
            raise ValueError(
                f"timespans must have shape {x.shape[:-1]} (one span per sample and step), "
                f"got {ts.shape}"
            )
        ts = ts[:, None] if unbatched else jnp.moveaxis(ts, time_axis, 0)

    if initial_state is None:
        zeros = jnp.zeros((batch, state_size), xs.dtype)
        state = (zeros, zeros) if module.mixed_memory else zeros
    else:
        if module.mixed_memory and not isinstance(initial_state, tuple | list):
            raise TypeError("initial_state must be a tuple (h, c) when mixed_memory=True")
        state = tuple(initial_state) if module.mixed_memory else initial_state
        if unbatched:
            state = jax.tree_util.tree_map(lambda a: a[None], state)

    lstm = MixedMemoryLSTMCell(state_size, name="lstm") if module.mixed_memory else None
    proj = None
    if getattr(module, "proj_size", None) is not None:
        proj = nn.Dense(
            module.proj_size, kernel_init=fan_in_uniform(cell_output_size(module, x.shape[-1])),
            bias_init=fan_in_uniform(cell_output_size(module, x.shape[-1])), name="fc",
        )
    if module.is_initializing():
        h0 = state[0] if module.mixed_memory else state
        if lstm is not None:
            lstm(xs[0], state)
        out0, _ = cell(xs[0], h0, ts[0], **step_kwargs)
        if proj is not None:
            proj(out0)
    params = module.variables["params"]
    unbound = cell.clone(parent=None)
    if isinstance(unbound, LTCCell | WiredCfCCell) or (
        isinstance(unbound, CfCCell) and step_kwargs.get("deterministic", True)
    ):
        # Without timespans every step has ts = 1, so a CfC cell folds its two gate heads into one.
        folding = {} if isinstance(unbound, LTCCell) else {"fixed_timespan": 1.0 if timespans is None else None}
        cell_fn = unbound.step_function(params["rnn_cell"], x.shape[-1], **folding)
        step_kwargs = {}
    else:
        cell_fn = functools.partial(unbound.apply, {"params": params["rnn_cell"]})
    lstm_fn = lstm and functools.partial(lstm.clone(parent=None).apply, {"params": params["lstm"]})
    proj_fn = proj and functools.partial(proj.clone(parent=None).apply, {"params": params["fc"]})

    def body(carry: Any, inputs: tuple[jax.Array, jax.Array, jax.Array]) -> tuple[Any, jax.Array]:
        x_t, ts_t, t = inputs
        if lstm_fn is not None:
            h, c = lstm_fn(x_t, carry)
        else:
            h, c = carry, None
        rngs = {} if dropout_key is None else {"rngs": {"dropout": jax.random.fold_in(dropout_key, t)}}
        out, h = cell_fn(x_t, h, ts_t, **step_kwargs, **rngs)
        if proj_fn is not None:
            out = proj_fn(out)
        return ((h, c) if lstm_fn is not None else h), out

    remat = module.remat if module.remat is not None else remat_by_default(unbound, steps, batch, x.shape[-1])
    if remat:
        body = jax.checkpoint(body)
    final, outs = jax.lax.scan(body, state, (xs, ts, jnp.arange(steps)))
    outputs = outs if module.return_sequences else outs[-1]
    if module.return_sequences:
        outputs = outputs[:, 0] if unbatched else jnp.moveaxis(outputs, 0, 0 if module.time_major else 1)
    elif unbatched:
        outputs = outputs[0]
    if unbatched:
        final = jax.tree_util.tree_map(lambda a: a[0], final)
    return outputs, final


AUTO_REMAT_BYTES = 16 * 2**20


def remat_by_default(cell: nn.Module, steps: int, batch: int, input_dim: int) -> bool:
    """Whether ``remat=None`` recomputes each step in the backward pass instead of saving its values.

    Always for :class:`LTCCell` (6 ODE unfolds save far more than they cost to redo). For
    :class:`WiredCfCCell` when JAX's default backend is the CPU and the saved values would exceed
    ``AUTO_REMAT_BYTES`` (16 MiB, estimated by :func:`wired_cfc_saved_bytes`). Never for the dense
    :class:`CfCCell`. Measured on a 2-core CPU (``benchmarks/RESULTS.md``): for the wired CfC, writing
    and later reading tens of megabytes of fresh buffers costs more than redoing the step (40 MB:
    training step 89-109 -> 64 ms), while for small sequences (2.4-10 MiB) recomputing was no faster or
    slower; with a backbone it never clearly won.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> from biojax.nn import WiredCfCCell
        >>> cell = WiredCfCCell(AutoNCP(128, 8))
        >>> remat_by_default(cell, 100, 256, 16) == (jax.default_backend() == "cpu")
        True
        >>> remat_by_default(cell, 100, 8, 16)
        False
    """
    if isinstance(cell, LTCCell):
        return True
    if not isinstance(cell, WiredCfCCell) or jax.default_backend() != "cpu":
        return False
    return wired_cfc_saved_bytes(cell, steps, batch, input_dim) > AUTO_REMAT_BYTES


def wired_cfc_saved_bytes(cell: WiredCfCCell, steps: int, batch: int, input_dim: int) -> int:
    """Estimated bytes a wired CfC sequence saves for its backward pass without ``remat``.

    ``steps * batch * widths * 4``: per step and row, each layer's ``[input, state]`` and the state.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> from biojax.nn import WiredCfCCell
        >>> wired_cfc_saved_bytes(WiredCfCCell(AutoNCP(128, 8)), 100, 256, 16) / 2**20
        38.28125
    """
    sizes = cell.layer_sizes(input_dim)
    widths = sum(fan_in + size for fan_in, size in zip([input_dim, *sizes[:-1]], sizes)) + sum(sizes)
    return steps * batch * widths * 4


def _check_remat(remat: Any) -> None:
    if remat is not None and not isinstance(remat, bool):
        raise TypeError(f"remat must be True, False or None (automatic), got {remat!r}")


def cell_output_size(module: nn.Module, input_dim: int) -> int:
    """Width of the cell's per-step output (before ``proj_size``) of an ``LTC`` or ``CfC``.

    Example:
        >>> from biojax.wiring import AutoNCP
        >>> cell_output_size(CfC(AutoNCP(16, 4)), 3), cell_output_size(CfC(8), 3)
        (4, 8)
    """
    units = module.wiring if isinstance(module, LTC) else module.units
    if isinstance(units, Wiring):
        return units.build(input_dim).output_dim
    return int(units)


class LTC(nn.Module):
    """An LTC network over sequences (ncps torch ``LTC``), scanning :class:`LTCCell` over time.

    ``model.apply(variables, x, timespans=None, initial_state=None) -> (outputs, final_state)``:
    ``x`` is ``(batch, time, features)`` (``(time, batch, features)`` with ``time_major=True``, or
    unbatched ``(time, features)``); ``timespans`` has ``x``'s leading shape and gives each sample's
    own elapsed time per step (ncps mishandles per-sample spans for batch > 1; here each sample uses
    its own). ``outputs`` are the motor outputs at every step (``return_sequences``) or the last step;
    ``final_state`` is ``h`` or, with ``mixed_memory=True``, ``(h, c)`` (ncps's LSTM memory runs
    before each LTC step and overwrites its state). Parameters: ``rnn_cell`` (and ``lstm``).

    Attributes:
        wiring: a :class:`~biojax.wiring.Wiring` or an int (fully connected).
        input_mapping, output_mapping, ode_unfolds, epsilon, implicit_param_constraints: as
            :class:`LTCCell` (the wrapper's default for the constraints is ``True``, as ncps).
        return_sequences: output every step (default, as ncps torch) or only the last.
        time_major: inputs are ``(time, batch, features)``.
        mixed_memory: add ncps's LSTM memory.
        remat: recompute each step in the backward pass (``jax.checkpoint``) instead of saving its
            intermediate values; ``None`` (default) decides by :func:`remat_by_default` (always for LTC).
            Same values and gradients either way.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.wiring import AutoNCP
        >>> model = LTC(AutoNCP(8, 2))
        >>> x = jnp.ones((4, 5, 3))
        >>> variables = model.init(jax.random.key(0), x)
        >>> y, h = model.apply(variables, x, timespans=jnp.full((4, 5), 0.5))
        >>> y.shape, h.shape
        ((4, 5, 2), (4, 8))
    """

    wiring: Any
    input_mapping: str | None = "affine"
    output_mapping: str | None = "affine"
    ode_unfolds: int = 6
    epsilon: float = 1e-8
    implicit_param_constraints: bool = True
    return_sequences: bool = True
    time_major: bool = False
    mixed_memory: bool = False
    remat: bool | None = None

    def __post_init__(self) -> None:
        as_wiring("wiring", self.wiring)
        _check_remat(self.remat)
        super().__post_init__()

    @nn.compact
    def __call__(
        self, x: jax.Array, timespans: Any = None, initial_state: Any = None
    ) -> tuple[jax.Array, Any]:
        wiring = as_wiring("wiring", self.wiring)
        cell = LTCCell(
            wiring, ode_unfolds=self.ode_unfolds, epsilon=self.epsilon,
            input_mapping=self.input_mapping, output_mapping=self.output_mapping,
            implicit_param_constraints=self.implicit_param_constraints, name="rnn_cell",
        )
        return _run_sequence(self, cell, wiring.units, x, timespans, initial_state, {})


class CfC(nn.Module):
    """A CfC network over sequences (ncps torch ``CfC``): dense :class:`CfCCell` for an int
    ``units``, :class:`WiredCfCCell` for a wiring.

    Same calling convention as :class:`LTC`. ``backbone_units``/``layers``/``dropout`` default to
    128/1/0.0 and must stay ``None`` with a wiring (as ncps). ``proj_size`` adds ncps's per-step
    linear ``fc`` on the outputs. ``deterministic=False`` enables backbone dropout (needs a
    ``"dropout"`` rng). ``remat`` as in :class:`LTC` (by default on for a wired CfC on CPU when a sequence's
    saved values would be large, off otherwise; see :func:`remat_by_default`). Parameters: ``rnn_cell``
    (and ``lstm``, ``fc``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.wiring import AutoNCP
        >>> model = CfC(AutoNCP(16, 4), return_sequences=False)
        >>> x = jnp.ones((2, 7, 3))
        >>> variables = model.init(jax.random.key(0), x)
        >>> y, h = model.apply(variables, x)
        >>> y.shape, h.shape
        ((2, 4), (2, 16))
    """

    units: Any
    proj_size: int | None = None
    return_sequences: bool = True
    time_major: bool = False
    mixed_memory: bool = False
    mode: str = "default"
    activation: str = "lecun_tanh"
    backbone_units: int | None = None
    backbone_layers: int | None = None
    backbone_dropout: float | None = None
    intra_layer: str = "dense"
    remat: bool | None = None

    def __post_init__(self) -> None:
        as_wiring("units", self.units)
        _check_remat(self.remat)
        check_choice("mode", self.mode, CFC_MODES)
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        check_choice("intra_layer", self.intra_layer, INTRA_LAYER)
        if self.proj_size is not None:
            check_int("proj_size", self.proj_size, minimum=1)
        if isinstance(self.units, Wiring):
            for name in ("backbone_units", "backbone_layers", "backbone_dropout"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} must be None with a wiring, got {getattr(self, name)!r}")
        elif self.backbone_dropout is not None:
            check_number("backbone_dropout", self.backbone_dropout, minimum=0.0, maximum=1.0,
                         max_inclusive=False)
        super().__post_init__()

    @nn.compact
    def __call__(
        self, x: jax.Array, timespans: Any = None, initial_state: Any = None,
        deterministic: bool = True,
    ) -> tuple[jax.Array, Any]:
        if isinstance(self.units, Wiring):
            cell = WiredCfCCell(self.units, mode=self.mode, intra_layer=self.intra_layer,
                                name="rnn_cell")
            state_size, kwargs, key = self.units.units, {}, None
        else:
            dropout = 0.0 if self.backbone_dropout is None else self.backbone_dropout
            cell = CfCCell(
                self.units, mode=self.mode, activation=self.activation,
                backbone_units=128 if self.backbone_units is None else self.backbone_units,
                backbone_layers=1 if self.backbone_layers is None else self.backbone_layers,
                backbone_dropout=dropout, name="rnn_cell",
            )
            state_size = self.units
            use_dropout = dropout > 0 and not deterministic
            kwargs = {"deterministic": not use_dropout}
            key = self.make_rng("dropout") if use_dropout else None
        return _run_sequence(self, cell, state_size, x, timespans, initial_state, kwargs, key)
