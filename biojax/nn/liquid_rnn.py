"""Sequence wrappers ``LTC`` and ``CfC`` (ncps torch's RNN classes): each builds its cell and scans it
over time with :func:`biojax.nn.sequence_loop.scan_cell`."""

from typing import Any

import flax.linen as nn
import jax

from biojax._validation import check_choice, check_int, check_number
from biojax.nn._wiring_args import as_wiring
from biojax.nn.cfc_cell import ACTIVATIONS, CFC_MODES, CfCCell
from biojax.nn.ltc_cell import LTCCell
from biojax.nn.sequence_loop import check_remat, scan_cell
from biojax.nn.wired_cfc_cell import INTRA_LAYER, WiredCfCCell
from biojax.wiring import Wiring


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
            intermediate values; ``None`` (default) decides by the cell's ``remat_by_default`` (always
            for LTC).
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
        check_remat(self.remat)
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
        return scan_cell(cell, x, timespans, initial_state, return_sequences=self.return_sequences,
                         time_major=self.time_major, mixed_memory=self.mixed_memory, remat=self.remat)


class CfC(nn.Module):
    """A CfC network over sequences (ncps torch ``CfC``): dense :class:`CfCCell` for an int
    ``units``, :class:`WiredCfCCell` for a wiring.

    Same calling convention as :class:`LTC`. ``backbone_units``/``layers``/``dropout`` default to
    128/1/0.0 and must stay ``None`` with a wiring (as ncps). ``proj_size`` adds ncps's per-step
    linear ``fc`` on the outputs. ``deterministic=False`` enables backbone dropout (needs a
    ``"dropout"`` rng). ``remat`` as in :class:`LTC` (by default on for a wired CfC on CPU when a sequence's
    saved values would be large, off otherwise; see :meth:`WiredCfCCell.remat_by_default`). Parameters: ``rnn_cell``
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
        check_remat(self.remat)
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
        use_dropout = False
        if isinstance(self.units, Wiring):
            cell = WiredCfCCell(self.units, mode=self.mode, intra_layer=self.intra_layer, name="rnn_cell")
        else:
            dropout = 0.0 if self.backbone_dropout is None else self.backbone_dropout
            cell = CfCCell(
                self.units, mode=self.mode, activation=self.activation,
                backbone_units=128 if self.backbone_units is None else self.backbone_units,
                backbone_layers=1 if self.backbone_layers is None else self.backbone_layers,
                backbone_dropout=dropout, name="rnn_cell",
            )
            use_dropout = dropout > 0 and not deterministic
        return scan_cell(
            cell, x, timespans, initial_state, return_sequences=self.return_sequences, time_major=self.time_major,
            mixed_memory=self.mixed_memory, proj_size=self.proj_size, remat=self.remat,
            deterministic=not use_dropout, dropout_key=self.make_rng("dropout") if use_dropout else None,
        )
