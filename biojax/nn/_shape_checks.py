"""Static checks of what a cell or the sequence loop is given against what its params were made for (private).

They compare shapes, which are Python values even under ``jax.jit``, so they cost nothing at run time.
"""

from typing import Any

import jax.numpy as jnp


def check_input_width(got: int, expected: int, source: str) -> None:
    """Raises ``ValueError`` unless the inputs have the width the params were created for.

    Example:
        >>> check_input_width(5, 3, "the 'ff1' kernel")
        Traceback (most recent call last):
        ...
        ValueError: inputs must have 3 features per step (the input width the params were created for, from the 'ff1' kernel), got 5
    """
    if got != expected:
        raise ValueError(
            f"inputs must have {expected} features per step (the input width the params were created for, "
            f"from {source}), got {got}"
        )


def check_state_shape(name: str, state: Any, expected: tuple[int, ...]) -> None:
    """Raises ``ValueError`` unless ``state`` has shape ``expected``.

    Example:
        >>> import jax.numpy as jnp
        >>> check_state_shape("initial_state", jnp.zeros((2, 7)), (2, 8))
        Traceback (most recent call last):
        ...
        ValueError: initial_state must have shape (2, 8) (batch, state size), got (2, 7)
    """
    shape = tuple(jnp.shape(state))
    if shape != tuple(expected):
        layout = "(batch, state size)" if len(expected) == 2 else "(state size,) for unbatched inputs"
        raise ValueError(f"{name} must have shape {tuple(expected)} {layout}, got {shape}")


def check_kernel_input(module: Any, kernel_path: tuple[str, ...], x: Any, name: str = "x") -> None:
    """Raises ``ValueError`` unless the last axis of ``x`` matches the rows of the bound ``module``'s
    existing kernel at ``kernel_path`` (nothing to check while initialising).

    Example:
        >>> import flax.linen as nn, jax, jax.numpy as jnp
        >>> class Probe(nn.Module):
        ...     @nn.compact
        ...     def __call__(self, x):
        ...         check_kernel_input(self, ("Dense_0", "kernel"), x)
        ...         return nn.Dense(2)(x)
        >>> variables = Probe().init(jax.random.key(0), jnp.ones((1, 3)))
        >>> Probe().apply(variables, jnp.ones((1, 4)))
        Traceback (most recent call last):
        ...
        ValueError: x must have 3 features (the input width the params were created for), got 4 ...
    """
    if module.is_initializing():
        return
    node = module.variables.get("params", {})
    for part in kernel_path:
        if part not in node:
            return
        node = node[part]
    expected, got = jnp.shape(node)[0], jnp.shape(x)[-1]
    if expected != got:
        raise ValueError(f"{name} must have {expected} features (the input width the params were created for), "
                         f"got {got}")
