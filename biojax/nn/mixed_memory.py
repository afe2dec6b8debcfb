"""ncps torch's ``LSTMCell``, the memory of ``mixed_memory=True`` liquid networks."""

import flax.linen as nn
import jax
import jax.numpy as jnp

from biojax._validation import check_int
from biojax.nn._shape_checks import check_kernel_input, check_state_shape
from biojax.nn._torch_init import constant_uniform


class MixedMemoryLSTMCell(nn.Module):
    """LSTM with ncps's layout: ``z = input_map(x) + recurrent_map(h)``, gates ``i, ig, fg, og``
    in that order, ``forget = sigmoid(fg + 1)``.

    ``input_map`` has a xavier-uniform kernel and a bias in ``uniform(-0.1, 0.1)``; ``recurrent_map``
    is orthogonal without bias (as ncps torch's ``LSTMCell``).

    Example:
        >>> import jax, jax.numpy as jnp
        >>> cell = MixedMemoryLSTMCell(4)
        >>> x, h, c = jnp.ones((2, 3)), jnp.zeros((2, 4)), jnp.zeros((2, 4))
        >>> params = cell.init(jax.random.key(0), x, (h, c))
        >>> h, c = cell.apply(params, x, (h, c))
        >>> h.shape
        (2, 4)
    """

    units: int

    def __post_init__(self) -> None:
        check_int("units", self.units, minimum=1)
        super().__post_init__()

    @nn.compact
    def __call__(self, inputs: jax.Array, state: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        h, c = state
        for name, part in (("state[0] (h)", h), ("state[1] (c)", c)):
            check_state_shape(name, part, (jnp.shape(inputs)[0], self.units))
        check_kernel_input(self, ("input_map", "kernel"), inputs, "inputs")
        z = nn.Dense(
            4 * self.units, kernel_init=nn.initializers.xavier_uniform(),
            bias_init=constant_uniform(-0.1, 0.1), name="input_map",
        )(inputs) + nn.Dense(
            4 * self.units, use_bias=False, kernel_init=nn.initializers.orthogonal(),
            name="recurrent_map",
        )(h)
        i, ig, fg, og = jnp.split(z, 4, axis=-1)
        new_c = c * jax.nn.sigmoid(fg + 1.0) + jnp.tanh(i) * jax.nn.sigmoid(ig)
        return jnp.tanh(new_c) * jax.nn.sigmoid(og), new_c
