"""A layer of neurons built from sparse dendrites with a fixed fan-in (Flax Linen).

Each dendrite reads exactly ``n_dendrite_inputs`` (``k``) inputs through its own weights, and a
soma takes a learned weighted sum of its own dendrites. Connectivity is stored as integer indices
in the non-trainable ``"connectivity"`` collection and the synapses as a ``(dendrites, k)``
kernel, so parameters, memory and FLOPs are exactly those of the synapses (a gather and a
row-wise dot product, never a dense ``(dendrites, inputs)`` matrix times a mask).
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_choice, check_int, check_number
from biojax.checks import concrete_value, finite_or_nan

STRATEGIES = ("random", "local_receptive_field", "fully_connected")
WEIGHT_INIT_FAN_INS = ("input", "k")
COMPUTE_MODES = ("auto", "gather", "dense")


def random_connectivity(key: jax.Array, n_dendrites: int, n_inputs: int, k: int) -> jax.Array:
    """``(n_dendrites, k)`` int32 indices: each row a uniform random subset of ``range(n_inputs)``
    (without replacement, independent per dendrite).

    Example:
        >>> import jax
        >>> idx = random_connectivity(jax.random.key(0), 3, 10, 4)
        >>> idx.shape, all(len(set(row.tolist())) == 4 for row in idx)
        ((3, 4), True)
    """
    scores = jax.random.uniform(key, (n_dendrites, n_inputs))
    return jnp.argsort(scores, axis=1)[:, :k].astype(jnp.int32)


def local_receptive_field_connectivity(
    key: jax.Array, n_dendrites: int, image_shape: tuple[int, int], k: int, std_factor: float = 0.5
) -> jax.Array:
    """``(n_dendrites, k)`` indices of pixels clustered around one random centre per dendrite.

    The centre pixel is always included; the other ``k - 1`` pixels are drawn without
    replacement with probability proportional to an isotropic Gaussian of standard deviation
    ``std_factor * k ** 0.5`` pixels around the centre (Gumbel top-k sampling). The anchor
    draws rounded Gaussian points with replacement and clips them to the image, which piles
    points on the border; this version never leaves the image and needs no rejection loop.

    Example:
        >>> import jax
        >>> idx = local_receptive_field_connectivity(jax.random.key(0), 2, (8, 8), 5)
        >>> idx.shape
        (2, 5)
    """
    rows, cols = image_shape
    key_centre, key_gumbel = jax.random.split(key)
    centres = jax.random.randint(key_centre, (n_dendrites,), 0, rows * cols)
    pixel_r, pixel_c = jnp.divmod(jnp.arange(rows * cols), cols)
    centre_r, centre_c = jnp.divmod(centres, cols)
    sigma = std_factor * math.sqrt(k)
    dist2 = (pixel_r[None] - centre_r[:, None]) ** 2 + (pixel_c[None] - centre_c[:, None]) ** 2
    log_weight = -dist2 / (2 * sigma**2)
    priority = log_weight + jax.random.gumbel(key_gumbel, log_weight.shape)
    priority = jnp.where(jnp.arange(rows * cols)[None] == centres[:, None], jnp.inf, priority)
    return jax.lax.top_k(priority, k)[1].astype(jnp.int32)


def leaky_relu(x: jax.Array, negative_slope: float = 0.1) -> jax.Array:
    """LeakyReLU with slope 0.1 below zero, the dendritic and somatic nonlinearity.

    Example:
        >>> import jax.numpy as jnp
        >>> leaky_relu(jnp.array([-1.0, 2.0])).tolist()
        [-0.10000000149011612, 2.0]
    """
    return jnp.where(x >= 0, x, negative_slope * x)


class DendriticLayer(nn.Module):
    """Neurons made of dendrites that each see exactly ``n_dendrite_inputs`` inputs.

    ``dendrite = LeakyReLU_0.1(w · x[idx] + b)`` for each of the dendrites, then, with the soma
    enabled, ``neuron = LeakyReLU_0.1(sum_j s_j dendrite_j + b_s)`` over the neuron's own
    ``n_dendrites`` dendrites (the anchor's block-masked soma matrix, stored as
    ``(n_neurons, n_dendrites)``). With ``soma_enabled=False`` the layer has ``n_dendrites``
    dendrites in total and they are the outputs (``n_neurons`` is then ignored, as in the anchor).

    Variables:
        ``params``: ``dendrite_kernel (N_d, k)``, ``dendrite_bias (N_d,)``, and with the soma
        ``soma_kernel (n_neurons, n_dendrites)``, ``soma_bias (n_neurons,)``.
        ``connectivity``: ``indices (N_d, k)`` int32 input indices, drawn from the ``"params"``
        init rng; ``n_inputs ()`` int32 input width (used by synaptic resampling); ``input_width
        (n_inputs, 0)``, an empty array whose shape records the input width, so that applying the layer
        to inputs of another width raises a ``ValueError`` even under ``jax.jit`` (the gather would
        otherwise clamp the indices and return numbers). Variables made before it existed are checked
        with ``n_inputs`` when that is concrete.

    Non-finite inputs: a NaN input gives NaN in every output that reads it (with ``compute="dense"``,
    in every output); inside :func:`biojax.checks.checked` non-finite inputs raise.

    Initialisation (biases zero): ``weight_init_fan_in="input"`` is the anchor's He normal with
    fan-in = input width for dendrites, ``N(0, 2 / n_inputs)``, and fan-in = all dendrites for the
    soma, ``N(0, 2 / N_d)``; ``"k"`` uses the true fan-ins, ``N(0, 2 / k)`` and
    ``N(0, 2 / n_dendrites)``.

    Attributes:
        n_neurons: number of somata (outputs when the soma is enabled).
        n_dendrites: dendrites per neuron (total dendrites when the soma is disabled).
        n_dendrite_inputs: fan-in ``k`` of each dendrite; must equal the input width for
            ``strategy="fully_connected"``.
        soma_enabled: whether dendrites feed somata.
        strategy: ``"random"``, ``"local_receptive_field"`` (2-D inputs) or ``"fully_connected"``.
        dendrite_bias, soma_bias: whether to learn the biases.
        weight_init_fan_in: ``"input"`` (anchor) or ``"k"``.
        image_shape: ``(rows, cols)`` for ``local_receptive_field`` when inputs arrive flat;
            default: the trailing two input axes if the input is 3-D, else a square image.
        lrf_std_factor: receptive-field width factor (sigma = factor * sqrt(k)).
        compute: how ``w · x[idx]`` is evaluated; the parameters are the same either way.
            ``"gather"`` gathers the ``k`` inputs of every dendrite (FLOPs of the synapses only);
            ``"dense"`` scatters the ``(N_d, k)`` weights into an ``(inputs, N_d)`` matrix and does one
            matrix product, which is much faster under ``jax.vmap`` over trials on CPU (XLA:CPU runs
            batched gathers slowly); ``"auto"`` (default) picks ``"dense"`` when the input width is at
            most ``8 * k``, else ``"gather"``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = DendriticLayer(n_neurons=3, n_dendrites=4, n_dendrite_inputs=5)
        >>> variables = layer.init(jax.random.key(0), jnp.ones((2, 20)))
        >>> variables["connectivity"]["indices"].shape, layer.apply(variables, jnp.ones((2, 20))).shape
        ((12, 5), (2, 3))
    """

    n_neurons: int
    n_dendrites: int
    n_dendrite_inputs: int
    soma_enabled: bool = True
    strategy: str = "random"
    dendrite_bias: bool = True
    soma_bias: bool = True
    weight_init_fan_in: str = "input"
    image_shape: tuple[int, int] | None = None
    lrf_std_factor: float = 0.5
    compute: str = "auto"

    def __post_init__(self) -> None:
        check_int("n_neurons", self.n_neurons, minimum=1)
        check_int("n_dendrites", self.n_dendrites, minimum=1)
        check_int("n_dendrite_inputs", self.n_dendrite_inputs, minimum=1)
        check_choice("strategy", self.strategy, STRATEGIES)
        check_choice("weight_init_fan_in", self.weight_init_fan_in, WEIGHT_INIT_FAN_INS)
        check_choice("compute", self.compute, COMPUTE_MODES)
        check_number("lrf_std_factor", self.lrf_std_factor, minimum=0.0, min_inclusive=False)
        for name in ("soma_enabled", "dendrite_bias", "soma_bias"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}")
        super().__post_init__()

    @property
    def total_dendrites(self) -> int:
        """Number of dendrites in the layer: ``n_neurons * n_dendrites`` with a soma, else
        ``n_dendrites``."""
        return self.n_neurons * self.n_dendrites if self.soma_enabled else self.n_dendrites

    @property
    def n_outputs(self) -> int:
        """Output width: ``n_neurons`` with a soma, else ``n_dendrites``."""
        return self.n_neurons if self.soma_enabled else self.n_dendrites

    def _image_shape(self, feature_shape: tuple[int, ...], n_inputs: int) -> tuple[int, int]:
        if self.image_shape is not None:
            shape = tuple(self.image_shape)
        elif len(feature_shape) == 2:
            shape = feature_shape
        else:
            side = math.isqrt(n_inputs)
            shape = (side, side)
        if len(shape) != 2 or shape[0] * shape[1] != n_inputs:
            raise ValueError(
                f"strategy='local_receptive_field' needs a 2-D image with {n_inputs} pixels; got "
                f"image_shape={self.image_shape!r} for inputs of shape {feature_shape}: pass "
                "image_shape=(rows, cols)"
            )
        return shape

    def _connectivity(self, key: jax.Array, feature_shape: tuple[int, ...], n_inputs: int) -> jax.Array:
        k, n_d = self.n_dendrite_inputs, self.total_dendrites
        if self.strategy == "fully_connected":
            if k != n_inputs:
                raise ValueError(
                    f"strategy='fully_connected' needs n_dendrite_inputs equal to the input width "
                    f"{n_inputs}, got {k}"
                )
            return jnp.tile(jnp.arange(n_inputs, dtype=jnp.int32), (n_d, 1))
        if k > n_inputs:
            raise ValueError(
                f"n_dendrite_inputs must be <= the input width {n_inputs}, got {k}"
            )
        if self.strategy == "random":
            return random_connectivity(key, n_d, n_inputs, k)
        shape = self._image_shape(feature_shape, n_inputs)
        return local_receptive_field_connectivity(key, n_d, shape, k, self.lrf_std_factor)

    def _check_width(self, n_inputs: int, shape: tuple[int, ...]) -> None:
        if self.has_variable("connectivity", "input_width"):
            expected = self.get_variable("connectivity", "input_width").shape[0]
        else:
            stored = concrete_value(self.get_variable("connectivity", "n_inputs"))
            expected = None if stored is None or stored.ndim else int(stored)
        if expected is not None and expected != n_inputs:
            raise ValueError(
                f"x must have {expected} features per example (the input width the layer was initialised "
                f"with), got {n_inputs} (x of shape {shape})"
            )

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Maps ``(batch, *features)`` to ``(batch, n_outputs)``; features are flattened."""
        if jnp.ndim(x) < 2:
            raise ValueError(f"x must be (batch, *features) with at least 2 axes, got shape {jnp.shape(x)}")
        feature_shape = tuple(x.shape[1:])
        x = x.reshape(x.shape[0], -1)
        n_inputs, k, n_d = x.shape[1], self.n_dendrite_inputs, self.total_dendrites
        if not self.is_initializing():
            self._check_width(n_inputs, (x.shape[0], *feature_shape))
        x = finite_or_nan(x)
        indices = self.variable(
            "connectivity", "indices",
            lambda: self._connectivity(self.make_rng("params"), feature_shape, n_inputs),
        ).value
        self.variable("connectivity", "n_inputs", lambda: jnp.asarray(n_inputs, jnp.int32))
        if self.is_mutable_collection("connectivity") or self.has_variable("connectivity", "input_width"):
            self.variable("connectivity", "input_width", lambda: jnp.zeros((n_inputs, 0), jnp.bool_))
        dendrite_fan_in = n_inputs if self.weight_init_fan_in == "input" else k
        soma_fan_in = n_d if self.weight_init_fan_in == "input" else self.n_dendrites
        kernel = self.param("dendrite_kernel", _he_normal(dendrite_fan_in), (n_d, k))
        pre = _dendrite_preactivation(x, indices, kernel, self.compute)
        if self.dendrite_bias:
            pre = pre + self.param("dendrite_bias", nn.initializers.zeros, (n_d,))
        if not self.is_initializing():
            # Zero-cost hooks for RigL-style growth (see biojax.learning.synaptic_resampling):
            # the gradient w.r.t. this perturbation is dL/d(pre-activation) per example.
            pre = self.perturb("dendrite_preactivation", pre)
            self.sow("intermediates", "dendrite_input", x)
        dendrites = leaky_relu(pre)
        if not self.soma_enabled:
            return dendrites
        soma_kernel = self.param("soma_kernel", _he_normal(soma_fan_in),
                                 (self.n_neurons, self.n_dendrites))
        grouped = dendrites.reshape(x.shape[0], self.n_neurons, self.n_dendrites)
        soma = jnp.einsum("bnd,nd->bn", grouped, soma_kernel)
        if self.soma_bias:
            soma = soma + self.param("soma_bias", nn.initializers.zeros, (self.n_neurons,))
        return leaky_relu(soma)


def _dendrite_preactivation(x: jax.Array, indices: jax.Array, kernel: jax.Array, compute: str) -> jax.Array:
    n_inputs, (n_d, k) = x.shape[1], kernel.shape
    if compute == "gather" or (compute == "auto" and n_inputs > 8 * k):
        return jnp.einsum("bdk,dk->bd", x[:, indices], kernel)
    dense = jnp.zeros((n_inputs, n_d), kernel.dtype).at[indices, jnp.arange(n_d)[:, None]].add(kernel)
    return x @ dense


def _he_normal(fan_in: int):
    std = math.sqrt(2.0 / fan_in)

    def init(key: jax.Array, shape: tuple[int, ...], dtype=jnp.float32) -> jax.Array:
        return std * jax.random.normal(key, shape, dtype)

    return init
