"""velora's ``NCPLiquidCell``: a masked CfC-style update without time input."""

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_int
from biojax.nn.sparse_linear import SparseLinear

_HEADS = ("g_head", "h_head", "f_head_to_g", "f_head_to_h", "proj")


class NCPLiquidCell(nn.Module):
    """velora's liquid cell: five :class:`SparseLinear` heads sharing one mask.

    With ``z = [x, h]``: ``g = tanh(g_head(z))``, ``h~ = tanh(h_head(z))``,
    ``gate = sigmoid(f_head_to_g(z) + f_head_to_h(z))``, ``h' = g (1 - gate) + gate h~`` and the
    output ``y = proj(z) + h'``. The shared mask is ``[|mask|; ones(H, H)]``: the given input mask
    plus dense recurrence, as in velora. Weights use velora's default (PyTorch ``kaiming_uniform``).

    Attributes:
        features: hidden size H.
        mask: ``(in_features, H)`` input mask (nonzero = connected; polarity is ignored).

    Example:
        >>> import jax, jax.numpy as jnp, numpy as np
        >>> cell = NCPLiquidCell(4, mask=np.ones((3, 4)))
        >>> x, h = jnp.ones((2, 3)), jnp.zeros((2, 4))
        >>> params = cell.init(jax.random.key(0), x, h)
        >>> y, h = cell.apply(params, x, h)
        >>> y.shape, h.shape
        ((2, 4), (2, 4))
    """

    features: int
    mask: Any

    def __post_init__(self) -> None:
        check_int("features", self.features, minimum=1)
        mask = np.asarray(self.mask)
        if mask.ndim != 2 or mask.shape[1] != self.features:
            raise ValueError(
                f"mask must have shape (in_features, features={self.features}), got {mask.shape}"
            )
        super().__post_init__()

    @nn.compact
    def __call__(self, inputs: jax.Array, h: jax.Array) -> tuple[jax.Array, jax.Array]:
        mask = np.asarray(self.mask)
        if inputs.shape[-1] != mask.shape[0]:
            raise ValueError(
                f"inputs have {inputs.shape[-1]} features but mask expects {mask.shape[0]}"
            )
        full = np.concatenate([np.abs(mask), np.ones((self.features, self.features))])
        z = jnp.concatenate([inputs, h], axis=-1)
        g, h_new, f_g, f_h, proj = (
            SparseLinear(self.features, mask=full, name=name)(z) for name in _HEADS
        )
        gate = jax.nn.sigmoid(f_g + f_h)
        new_h = jnp.tanh(g) * (1.0 - gate) + gate * jnp.tanh(h_new)
        return proj + new_h, new_h
