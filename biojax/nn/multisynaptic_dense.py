"""``MultiSynapticDense``: weight splitting (multi-synaptic connectivity) as a Flax layer.

A dense layer whose outputs, after ``activation``, are summed in groups of ``gamma`` consecutive units and
the sum copied back to every unit of the group, so the output shape is unchanged and each group acts as
one neuron reached through ``gamma`` synapses per input (Hofmann et al., Nat. Commun. 16, 2025;
pytorch_bio_transformations' ``weight_splitting_Gamma``). ``gamma`` of 0 or 1 means no splitting.

Differences from the anchor: ``features % gamma`` is checked at construction (the anchor checks
``in_features`` for ``Linear`` and then crashes in the forward pass when ``out_features`` does not divide),
and inputs may have any number of leading axes (the anchor asserts 2-D input).
"""

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_int
from biojax.nn._shape_checks import check_kernel_input


def split_sum(y: jax.Array, gamma: int) -> jax.Array:
    """Sums groups of ``gamma`` consecutive entries of the last axis and repeats each sum ``gamma`` times.

    Example:
        >>> import jax.numpy as jnp
        >>> split_sum(jnp.array([1.0, 2.0, 3.0, 4.0]), 2).tolist()
        [3.0, 3.0, 7.0, 7.0]
    """
    if gamma <= 1:
        return y
    grouped = y.reshape(*y.shape[:-1], y.shape[-1] // gamma, gamma).sum(-1)
    return jnp.repeat(grouped, gamma, axis=-1)


class MultiSynapticDense(nn.Module):
    """Dense layer with weight splitting.

    Attributes:
        features: number of output units (divisible by ``gamma``).
        gamma: sub-synapses per connection; 0 or 1 turns splitting off.
        activation: applied to every unit before grouping (the anchor's
            ``weight_splitting_activation_function``; default identity).
        use_bias, kernel_init, bias_init: as in ``flax.linen.Dense``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> layer = MultiSynapticDense(4, gamma=2)
        >>> params = layer.init(jax.random.key(0), jnp.ones((1, 3)))
        >>> y = layer.apply(params, jnp.ones((2, 3)))
        >>> y.shape, bool(jnp.allclose(y[:, 0], y[:, 1]))
        ((2, 4), True)
        >>> MultiSynapticDense(5, gamma=2)
        Traceback (most recent call last):
        ...
        ValueError: features must be divisible by gamma=2, got features=5
    """

    features: int
    gamma: int = 2
    activation: Callable[[jax.Array], jax.Array] = lambda x: x
    use_bias: bool = True
    kernel_init: Callable[..., Any] = nn.initializers.lecun_normal()
    bias_init: Callable[..., Any] = nn.initializers.zeros_init()

    def __post_init__(self) -> None:
        check_int("features", self.features, minimum=1)
        check_int("gamma", self.gamma, minimum=0)
        if self.gamma > 1 and self.features % self.gamma:
            raise ValueError(f"features must be divisible by gamma={self.gamma}, got features={self.features}")
        if not callable(self.activation):
            raise TypeError(f"activation must be callable, got {self.activation!r}")
        super().__post_init__()

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        check_kernel_input(self, ("Dense_0", "kernel"), x)
        y = nn.Dense(
            self.features, use_bias=self.use_bias, kernel_init=self.kernel_init, bias_init=self.bias_init
        )(x)
        return split_sum(self.activation(y), self.gamma)
