"""The three dendritic architectures of the dendritic-computation toolkit, parameter counting,
and a parameter-matched MLP baseline.

* ``dendritic_simple``: ``DendriticLayer -> Dense(n_classes)``.
* ``soma_disabled``: ``DendriticLayer(soma off) -> Dense(hidden) -> LeakyReLU -> Dense(n_classes)``.
  The anchor's second ``Linear`` takes ``n_neurons`` inputs and only works when
  ``n_neurons == 10``; here its input is the previous width, ``hidden_size``.
* ``dendritic_with_hidden``: ``DendriticLayer -> LeakyReLU -> Dense(hidden) -> LeakyReLU ->
  Dense(n_classes)``; the extra LeakyReLU after the soma is the anchor's (it gives slope 0.01
  below zero) and is kept for parity.

Dense layers use the anchor's initialisation, ``N(0, 2 / fan_in)`` weights and zero biases.
"""

from collections.abc import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_choice, check_int
from biojax.nn.dendritic_layer import STRATEGIES, DendriticLayer, leaky_relu

ARCHITECTURES = ("dendritic_simple", "soma_disabled", "dendritic_with_hidden")
_he = nn.initializers.variance_scaling(2.0, "fan_in", "normal")


def _dense(features: int) -> nn.Dense:
    return nn.Dense(features, kernel_init=_he, bias_init=nn.initializers.zeros)


class DendriticClassifier(nn.Module):
    """A dendritic layer followed by an optional hidden Dense layer and a linear read-out.

    Build it with :func:`dendritic_simple`, :func:`soma_disabled` or
    :func:`dendritic_with_hidden` rather than directly.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> model = DendriticClassifier(DendriticLayer(4, 3, 5), n_classes=10, hidden_size=None)
        >>> model.init_with_output(jax.random.key(0), jnp.ones((2, 20)))[0].shape
        (2, 10)
    """

    dendritic: DendriticLayer
    n_classes: int
    hidden_size: int | None
    activate_dendritic_output: bool = False

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Maps ``(batch, *features)`` floats to ``(batch, n_classes)`` logits."""
        h = self.dendritic(x)
        if self.activate_dendritic_output:
            h = leaky_relu(h)
        if self.hidden_size is not None:
            h = leaky_relu(_dense(self.hidden_size)(h))
        return _dense(self.n_classes)(h)


def dendritic_simple(
    n_classes: int,
    *,
    n_neurons: int,
    n_dendrites: int,
    n_dendrite_inputs: int,
    soma_enabled: bool = True,
    strategy: str = "random",
    **layer_options,
) -> DendriticClassifier:
    """``DendriticLayer -> Dense(n_classes)``; extra keyword arguments go to the layer.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> model = dendritic_simple(10, n_neurons=10, n_dendrites=6, n_dendrite_inputs=128)
        >>> count_params(model, (784,))
        7920
    """
    check_int("n_classes", n_classes, minimum=1)
    layer = DendriticLayer(n_neurons, n_dendrites, n_dendrite_inputs, soma_enabled=soma_enabled,
                           strategy=strategy, **layer_options)
    return DendriticClassifier(layer, n_classes, None)


def soma_disabled(
    n_classes: int,
    *,
    n_dendrites: int,
    n_dendrite_inputs: int,
    hidden_size: int,
    strategy: str = "random",
    **layer_options,
) -> DendriticClassifier:
    """``DendriticLayer(soma off) -> Dense(hidden_size) -> LeakyReLU -> Dense(n_classes)``.

    Example:
        >>> model = soma_disabled(10, n_dendrites=25, n_dendrite_inputs=64, hidden_size=10)
        >>> count_params(model, (784,))
        1995
    """
    check_int("n_classes", n_classes, minimum=1)
    check_int("hidden_size", hidden_size, minimum=1)
    layer = DendriticLayer(1, n_dendrites, n_dendrite_inputs, soma_enabled=False,
                           strategy=strategy, **layer_options)
    return DendriticClassifier(layer, n_classes, hidden_size)


def dendritic_with_hidden(
    n_classes: int,
    *,
    n_neurons: int,
    n_dendrites: int,
    n_dendrite_inputs: int,
    hidden_size: int,
    soma_enabled: bool = True,
    strategy: str = "random",
    **layer_options,
) -> DendriticClassifier:
    """``DendriticLayer -> LeakyReLU -> Dense(hidden_size) -> LeakyReLU -> Dense(n_classes)``.

    Example:
        >>> model = dendritic_with_hidden(10, n_neurons=10, n_dendrites=6, n_dendrite_inputs=16,
        ...                               hidden_size=8)
        >>> count_params(model, (784,))
        1268
    """
    check_int("n_classes", n_classes, minimum=1)
    check_int("hidden_size", hidden_size, minimum=1)
    layer = DendriticLayer(n_neurons, n_dendrites, n_dendrite_inputs, soma_enabled=soma_enabled,
                           strategy=strategy, **layer_options)
    return DendriticClassifier(layer, n_classes, hidden_size, activate_dendritic_output=True)


def count_params(model: nn.Module, input_shape: Sequence[int]) -> int:
    """Exact number of trainable scalars (the ``"params"`` collection) of ``model``.

    Uses ``jax.eval_shape``, so nothing is computed or allocated. ``input_shape`` is the shape
    of one example, without the batch axis.

    Example:
        >>> import flax.linen as nn
        >>> count_params(nn.Dense(3), (5,))
        18
    """
    dummy = jax.ShapeDtypeStruct((1, *tuple(input_shape)), jnp.float32)
    shapes = jax.eval_shape(model.init, jax.random.key(0), dummy)
    return int(sum(leaf.size for leaf in jax.tree_util.tree_leaves(shapes.get("params", {}))))


def dendritic_layer_param_formula(
    *, n_neurons: int, n_dendrites: int, n_dendrite_inputs: int, soma_enabled: bool = True,
    dendrite_bias: bool = True, soma_bias: bool = True,
) -> int:
    """The anchor's closed form: ``N_d*k + N_d + N_d + n_neurons`` with a soma, else
    ``n_dendrites*k + n_dendrites`` (terms drop with the biases).

    Example:
        >>> dendritic_layer_param_formula(n_neurons=10, n_dendrites=6, n_dendrite_inputs=128)
        7810
    """
    n_d = n_neurons * n_dendrites if soma_enabled else n_dendrites
    total = n_d * n_dendrite_inputs + (n_d if dendrite_bias else 0)
    if soma_enabled:
        total += n_d + (n_neurons if soma_bias else 0)
    return total


def param_formula(
    architecture: str,
    *,
    n_classes: int,
    n_neurons: int,
    n_dendrites: int,
    n_dendrite_inputs: int,
    hidden_size: int | None = None,
    soma_enabled: bool = True,
) -> int:
    """Closed-form parameter count of an architecture (the seed's formulas, with the
    ``soma_disabled`` shape fix); agrees with :func:`count_params` (tested).

    Example:
        >>> param_formula("dendritic_simple", n_classes=10, n_neurons=10, n_dendrites=6,
        ...               n_dendrite_inputs=128)
        7920
    """
    check_choice("architecture", architecture, ARCHITECTURES)
    if architecture == "soma_disabled":
        soma_enabled = False
    layer = dendritic_layer_param_formula(n_neurons=n_neurons, n_dendrites=n_dendrites,
                                          n_dendrite_inputs=n_dendrite_inputs,
                                          soma_enabled=soma_enabled)
    width = n_neurons if soma_enabled else n_dendrites
    if architecture == "dendritic_simple":
        return layer + width * n_classes + n_classes
    if hidden_size is None:
        raise ValueError(f"hidden_size is required for architecture={architecture!r}")
    return layer + width * hidden_size + hidden_size + hidden_size * n_classes + n_classes


class MLP(nn.Module):
    """Dense layers with LeakyReLU(0.1) between them and a linear read-out.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> MLP((8,), 3).init_with_output(jax.random.key(0), jnp.ones((2, 4)))[0].shape
        (2, 3)
    """

    hidden_sizes: tuple[int, ...]
    n_classes: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Maps ``(batch, *features)`` to ``(batch, n_classes)`` logits."""
        h = x.reshape(x.shape[0], -1)
        for width in self.hidden_sizes:
            h = leaky_relu(_dense(width)(h))
        return _dense(self.n_classes)(h)


def mlp_param_count(n_inputs: int, hidden_sizes: Sequence[int], n_classes: int) -> int:
    """Parameters of :class:`MLP`: sum of ``fan_in * fan_out + fan_out`` over its layers.

    Example:
        >>> mlp_param_count(40, (10,), 10)
        520
    """
    widths = [n_inputs, *hidden_sizes, n_classes]
    return sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))


def mlp_for_budget(
    max_params: int, n_inputs: int, n_classes: int, *, n_hidden_layers: int = 1
) -> MLP:
    """The widest MLP with ``n_hidden_layers`` equal-width hidden layers and at most
    ``max_params`` parameters: the parameter-matched baseline for a dendritic net.

    Raises:
        ValueError: if not even width 1 fits in ``max_params``.

    Example:
        >>> model = mlp_for_budget(2000, 40, 10)
        >>> model.hidden_sizes, count_params(model, (40,))
        ((39,), 1999)
    """
    max_params = check_int("max_params", max_params, minimum=1)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=1)
    n_hidden_layers = check_int("n_hidden_layers", n_hidden_layers, minimum=1)
    width = max(1, (max_params - n_classes) // (n_inputs + 1 + n_classes))
    while width >= 1 and mlp_param_count(n_inputs, (width,) * n_hidden_layers, n_classes) > max_params:
        width -= 1
    while mlp_param_count(n_inputs, (width + 1,) * n_hidden_layers, n_classes) <= max_params:
        width += 1
    if width < 1:
        smallest = mlp_param_count(n_inputs, (1,) * n_hidden_layers, n_classes)
        raise ValueError(f"max_params must be >= {smallest} for an MLP with {n_hidden_layers} "
                         f"hidden layer(s) of width 1, got {max_params}")
    return MLP((width,) * n_hidden_layers, n_classes)
