"""A dense layer whose kernel is multiplied by a fixed 0/1 mask (velora's ``SparseLinear``)."""

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax.nn._torch_init import fan_in_uniform


def _as_mask(mask: Any) -> np.ndarray:
    array = np.asarray(mask)
    if array.ndim != 2:
        raise ValueError(f"mask must be a 2-D (in_features, features) array, got shape {array.shape}")
    return (np.abs(array) > 0).astype(np.float32)


class SparseLinear(nn.Module):
    """``y = x @ (kernel * mask) + bias`` with a static 0/1 mask in Flax's ``(in, out)`` layout.

    Nonzero mask entries count as 1 whatever their sign (velora passes ``abs(mask)``), so an ncps
    adjacency matrix ``(src, dest)`` can be used directly. The kernel is stored dense, is multiplied
    by the mask once at init and on every call, so masked entries stay zero and get exactly zero
    gradient. The default initializers are PyTorch's ``nn.Linear`` ones (velora's
    ``kaiming_uniform``): ``uniform(+-1/sqrt(in_features))`` for kernel and bias.

    Attributes:
        features: number of outputs; must equal ``mask.shape[1]``.
        mask: ``(in_features, features)`` array; nonzero means "connected".
        use_bias: add a bias.
        kernel_init: optional kernel initializer (defaults to the PyTorch one).
        bias_init: optional bias initializer (defaults to the PyTorch one).

    Example:
        >>> import jax, jax.numpy as jnp, numpy as np
        >>> layer = SparseLinear(2, mask=np.array([[1, 0], [0, -1], [1, 1]]))
        >>> params = layer.init(jax.random.key(0), jnp.ones((1, 3)))["params"]
        >>> float(params["kernel"][0, 1]), layer.apply({"params": params}, jnp.ones((4, 3))).shape
        (0.0, (4, 2))
    """

    features: int
    mask: Any
    use_bias: bool = True
    kernel_init: Callable[..., jax.Array] | None = None
    bias_init: Callable[..., jax.Array] | None = None

    @nn.compact
    def __call__(self, inputs: jax.Array) -> jax.Array:
        mask = _as_mask(self.mask)
        in_features = inputs.shape[-1]
        if mask.shape != (in_features, self.features):
            raise ValueError(
                f"mask must have shape (in_features, features) = ({in_features}, {self.features}), "
                f"got {mask.shape}"
            )
        kernel_init = self.kernel_init or fan_in_uniform(in_features)
        mask = jnp.asarray(mask, inputs.dtype)
        kernel = self.param(
            "kernel", lambda key, shape: kernel_init(key, shape) * mask, (in_features, self.features)
        )
        y = inputs @ (kernel * mask)
        if self.use_bias:
            bias_init = self.bias_init or fan_in_uniform(in_features)
            y = y + self.param("bias", bias_init, (self.features,))
        return y
