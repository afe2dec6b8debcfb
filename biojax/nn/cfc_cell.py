"""Closed-form continuous-time cell (ncps torch ``CfCCell``)."""

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice, check_int, check_number
from biojax.nn._shape_checks import check_input_width, check_state_shape
from biojax.nn._torch_init import fan_in_uniform
from biojax.nn.sparse_linear import SparseLinear

CFC_MODES = ("default", "pure", "no_gate")


def lecun_tanh(x: jax.Array) -> jax.Array:
    """``1.7159 * tanh(0.666 * x)``, ncps's default CfC backbone activation.

    Example:
        >>> import jax.numpy as jnp
        >>> round(float(lecun_tanh(jnp.array(1.0))), 4)
        0.9992
    """
    return 1.7159 * jnp.tanh(0.666 * x)


ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "lecun_tanh": lecun_tanh,
    "tanh": jnp.tanh,
    "relu": jax.nn.relu,
    "silu": jax.nn.silu,
    "gelu": lambda x: jax.nn.gelu(x, approximate=False),
}


def _timespan(ts: Any, batch: int) -> jax.Array:
    ts = jnp.asarray(ts, jnp.float32)
    return ts if ts.ndim == 0 else ts.reshape(batch, 1)


def _linear(features: int, fan_in: int, name: str, mask: np.ndarray | None = None) -> nn.Module:
    """A PyTorch-initialised linear layer: xavier-uniform kernel, ``+-1/sqrt(fan_in)`` bias."""
    if mask is None:
        mask = np.ones((fan_in, features), np.float32)
    return SparseLinear(
        features,
        mask=mask,
        kernel_init=nn.initializers.xavier_uniform(),
        bias_init=fan_in_uniform(fan_in),
        name=name,
    )


class CfCCell(nn.Module):
    """One step of a closed-form continuous-time network, with ncps torch's equations.

    ``x = backbone([inputs, h])``; ``ff1 = tanh(W1 x)``, ``ff2 = tanh(W2 x)``,
    ``gate = sigmoid(t_a(x) * ts + t_b(x))``; ``default``: ``h' = ff1 (1 - gate) + gate ff2``;
    ``no_gate``: ``h' = ff1 + gate ff2``; ``pure``: ``h' = A - A exp(-ts (|w_tau| + |ff1|)) ff1`` with
    a linear ``ff1``. Kernels are xavier-uniform and biases PyTorch's ``uniform(+-1/sqrt(fan_in))``;
    ``w_tau`` starts at 0 and ``A`` at 1.

    Difference from ncps torch: with ``backbone_dropout > 0`` dropout follows *every* backbone layer
    (ncps torch never applies it after the first one, so one layer never drops). Dropout uses the
    ``"dropout"`` rng and is off when ``deterministic=True``.

    Attributes:
        units: hidden size H.
        mode: ``"default"``, ``"pure"`` or ``"no_gate"``.
        activation: backbone activation: ``"lecun_tanh"``, ``"tanh"``, ``"relu"``, ``"silu"``, ``"gelu"``.
        backbone_units: width of each backbone layer.
        backbone_layers: number of backbone layers (0: the heads read ``[inputs, h]``).
        backbone_dropout: dropout rate after each backbone layer.
        sparsity_mask: optional ``(in + H, H)`` mask (Flax layout) applied to ``ff1`` and ``ff2`` only,
            as ncps torch does; needs ``backbone_layers=0``.
        mask_time_heads: also mask ``time_a`` and ``time_b`` (ncps leaves them dense; ncps PR #55
            masks them), so that no path bypasses the mask.

    Call: ``cell(inputs (B, S), h (B, H), ts=1.0, deterministic=True) -> (h', h')``; ``ts`` is a
    scalar or per-sample ``(B,)``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> cell = CfCCell(8, backbone_units=16)
        >>> x, h = jnp.ones((2, 3)), jnp.zeros((2, 8))
        >>> params = cell.init(jax.random.key(0), x, h)
        >>> out, h = cell.apply(params, x, h, ts=jnp.array([1.0, 0.5]))
        >>> out.shape
        (2, 8)
    """

    units: int
    mode: str = "default"
    activation: str = "lecun_tanh"
    backbone_units: int = 128
    backbone_layers: int = 1
    backbone_dropout: float = 0.0
    sparsity_mask: Any = None
    mask_time_heads: bool = False

    def __post_init__(self) -> None:
        check_int("units", self.units, minimum=1)
        check_choice("mode", self.mode, CFC_MODES)
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        check_int("backbone_units", self.backbone_units, minimum=1)
        check_int("backbone_layers", self.backbone_layers, minimum=0)
        check_number("backbone_dropout", self.backbone_dropout, minimum=0.0, maximum=1.0,
                     max_inclusive=False)
        if self.sparsity_mask is not None and self.backbone_layers != 0:
            raise ValueError(
                f"sparsity_mask needs backbone_layers=0, got backbone_layers={self.backbone_layers}"
            )
        super().__post_init__()

    def state_size(self, input_dim: int) -> int:
        """Width of the state, ``units``.

        Example:
            >>> CfCCell(8).state_size(3)
            8
        """
        return self.units

    def output_size(self, input_dim: int) -> int:
        """Width of the output, ``units`` (the output is the new state).

        Example:
            >>> CfCCell(8).output_size(3)
            8
        """
        return self.units

    def remat_policy(self) -> None:
        """``None``: a recomputed step saves nothing but its state.

        Example:
            >>> CfCCell(4).remat_policy() is None
            True
        """
        return None

    def remat_by_default(self, steps: int, batch: int, input_dim: int) -> bool:
        """Always ``False``: with a backbone, recomputing steps never clearly won (``benchmarks/RESULTS.md``).

        Example:
            >>> CfCCell(8).remat_by_default(100, 4096, 16)
            False
        """
        return False

    def check_params(self, params: Any, input_dim: int) -> None:
        """Raises ``ValueError`` unless ``params`` were created for inputs of width ``input_dim``.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> cell = CfCCell(4, backbone_units=8)
            >>> params = cell.init(jax.random.key(0), jnp.ones((1, 3)), jnp.zeros((1, 4)))["params"]
            >>> cell.check_params(params, 5)
            Traceback (most recent call last):
            ...
            ValueError: inputs must have 3 features per step (the input width the params were created for, from the 'backbone_0' kernel of shape (7, 8) = (inputs + units, ...)), got 5
        """
        first = "backbone_0" if self.backbone_layers else "ff1"
        shape = tuple(jnp.shape(params[first]["kernel"]))
        check_input_width(input_dim, shape[0] - self.units,
                          f"the {first!r} kernel of shape {shape} = (inputs + units, ...)")

    @nn.compact
    def __call__(
        self, inputs: jax.Array, h: jax.Array, ts: Any = 1.0, deterministic: bool = True
    ) -> tuple[jax.Array, jax.Array]:
        check_state_shape("h", h, (jnp.shape(inputs)[0], self.units))
        if not self.is_initializing() and "params" in self.variables:
            self.check_params(self.variables["params"], jnp.shape(inputs)[-1])
        x = jnp.concatenate([inputs, h], axis=-1)
        act = ACTIVATIONS[self.activation]
        for layer in range(self.backbone_layers):
            x = act(_linear(self.backbone_units, x.shape[-1], f"backbone_{layer}")(x))
            if self.backbone_dropout > 0:
                x = nn.Dropout(self.backbone_dropout)(x, deterministic=deterministic)
        fan_in = x.shape[-1]
        mask = None if self.sparsity_mask is None else np.asarray(self.sparsity_mask)
        if mask is not None and mask.shape != (fan_in, self.units):
            raise ValueError(
                f"sparsity_mask must have shape (in + units, units) = ({fan_in}, {self.units}), "
                f"got {mask.shape}"
            )
        ts = _timespan(ts, x.shape[0])
        ff1 = _linear(self.units, fan_in, "ff1", mask)(x)
        if self.mode == "pure":
            w_tau = self.param("w_tau", nn.initializers.zeros, (1, self.units))
            a = self.param("A", nn.initializers.ones, (1, self.units))
            new_h = -a * jnp.exp(-ts * (jnp.abs(w_tau) + jnp.abs(ff1))) * ff1 + a
            return new_h, new_h
        ff1 = jnp.tanh(ff1)
        ff2 = jnp.tanh(_linear(self.units, fan_in, "ff2", mask)(x))
        time_mask = mask if self.mask_time_heads else None
        t_a = _linear(self.units, fan_in, "time_a", time_mask)(x)
        t_b = _linear(self.units, fan_in, "time_b", time_mask)(x)
        gate = jax.nn.sigmoid(t_a * ts + t_b)
        if self.mode == "no_gate":
            new_h = ff1 + gate * ff2
        else:
            new_h = ff1 * (1.0 - gate) + gate * ff2
        return new_h, new_h

    def step_function(
        self, params: Any, input_dim: int, fixed_timespan: float | None = None, *, deterministic: bool = True
    ) -> Callable[..., tuple[jax.Array, jax.Array]]:
        """The update as a pure function ``step(inputs, h, ts=1.0)`` of ``params``.

        The masks are applied and the four heads joined into one matrix once here, so a sequence loop
        calling ``step`` at every time step does one matrix product per step for all heads
        (:class:`~biojax.nn.CfC` uses it inside its scan). Works on an unbound cell. With
        ``deterministic=False`` (backbone dropout on) the step is the module's own call,
        ``step(inputs, h, ts, key)`` with the step's ``"dropout"`` key.

        With ``fixed_timespan`` (a number every step uses, e.g. ``1.0`` when a sequence has no
        timespans), the gate's two heads are folded into one, ``t_a * ts + t_b = x (W_a ts + W_b) +
        (b_a ts + b_b)``: three heads instead of four per step (the same values up to float rounding);
        ``step`` then ignores its ``ts`` argument.

        Example:
            >>> import jax, jax.numpy as jnp
            >>> cell = CfCCell(4, backbone_units=8)
            >>> x, h = jnp.ones((2, 3)), jnp.zeros((2, 4))
            >>> params = cell.init(jax.random.key(0), x, h)["params"]
            >>> out, _ = cell.step_function(params, 3)(x, h)
            >>> bool(jnp.allclose(out, cell.apply({"params": params}, x, h)[0], atol=1e-6))
            True
        """
        self.check_params(params, input_dim)
        if not deterministic:
            unbound = self.clone(parent=None)

            def dropout_step(inputs: jax.Array, h: jax.Array, ts: Any, key: jax.Array) -> tuple[jax.Array, jax.Array]:
                return unbound.apply({"params": params}, inputs, h, ts, deterministic=False, rngs={"dropout": key})

            return dropout_step
        act = ACTIVATIONS[self.activation]
        backbone = [
            (params[f"backbone_{layer}"]["kernel"], params[f"backbone_{layer}"]["bias"])
            for layer in range(self.backbone_layers)
        ]
        mask = None if self.sparsity_mask is None else jnp.asarray(np.abs(np.asarray(self.sparsity_mask)) > 0,
                                                                   jnp.float32)

        def kernel(name: str, masked: bool) -> jax.Array:
            k = params[name]["kernel"]
            return k * mask if masked and mask is not None else k

        units, pure, no_gate = self.units, self.mode == "pure", self.mode == "no_gate"
        if pure:
            joint_kernel, joint_bias = kernel("ff1", True), params["ff1"]["bias"]
            w_tau, a = jnp.abs(params["w_tau"]), params["A"]
        elif fixed_timespan is not None:
            span = jnp.float32(fixed_timespan)
            gate_kernel = kernel("time_a", self.mask_time_heads) * span + kernel("time_b", self.mask_time_heads)
            joint_kernel = jnp.concatenate([kernel("ff1", True), kernel("ff2", True), gate_kernel], axis=1)
            gate_bias = params["time_a"]["bias"] * span + params["time_b"]["bias"]
            joint_bias = jnp.concatenate([params["ff1"]["bias"], params["ff2"]["bias"], gate_bias])
        else:
            joint_kernel = jnp.concatenate(
                [kernel("ff1", True), kernel("ff2", True), kernel("time_a", self.mask_time_heads),
                 kernel("time_b", self.mask_time_heads)], axis=1)
            joint_bias = jnp.concatenate([params[n]["bias"] for n in ("ff1", "ff2", "time_a", "time_b")])

        def step(inputs: jax.Array, h: jax.Array, ts: Any = 1.0) -> tuple[jax.Array, jax.Array]:
            x = jnp.concatenate([inputs, h], axis=-1)
            for k, b in backbone:
                x = act(x @ k + b)
            z = x @ joint_kernel + joint_bias
            t = jnp.float32(fixed_timespan) if fixed_timespan is not None else _timespan(ts, x.shape[0])
            if pure:
                new_h = -a * jnp.exp(-t * (w_tau + jnp.abs(z))) * z + a
                return new_h, new_h
            ff1, ff2 = jnp.tanh(z[:, :units]), jnp.tanh(z[:, units : 2 * units])
            if fixed_timespan is not None:
                gate = jax.nn.sigmoid(z[:, 2 * units :])
            else:
                gate = jax.nn.sigmoid(z[:, 2 * units : 3 * units] * t + z[:, 3 * units :])
            new_h = ff1 + gate * ff2 if no_gate else ff1 * (1.0 - gate) + gate * ff2
            return new_h, new_h

        return step
