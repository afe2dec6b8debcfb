"""Linen modules as NNX modules: build, load Linen variables, and read them back.

The wrapped module is ``flax.nnx.bridge.ToNNX``: its variables are NNX variables named after the Linen
collections (``params`` become ``nnx.Param``), at the same paths as in the Linen variables dict. A
dendritic layer's ``"connectivity"`` collection becomes :class:`Connectivity` variables, which are not
``nnx.Param``, so ``nnx.grad``, ``nnx.value_and_grad`` and ``nnx.Optimizer(..., wrt=nnx.Param)`` never
differentiate or train its int32 indices.
"""

from collections.abc import Mapping
from typing import Any

import flax.linen as nn
import jax
from flax import nnx
from flax.core import unfreeze
from flax.nnx.bridge import variables as bridge_variables


class Connectivity(nnx.Variable):
    """NNX variable type of the Linen ``"connectivity"`` collection (dendritic input indices).

    Not an ``nnx.Param``: ``nnx.grad`` and ``nnx.Optimizer`` with ``wrt=nnx.Param`` leave it alone.
    Select it with ``nnx.state(model, Connectivity)``.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from flax import nnx
        >>> from biojax.nn import DendriticLayer
        >>> model = to_nnx(DendriticLayer(2, 3, 4), jnp.ones((1, 10)), rngs=nnx.Rngs(0))
        >>> nnx.state(model, Connectivity)["indices"][...].shape
        (6, 4)
    """


nnx.register_variable_name("connectivity", Connectivity, overwrite=True)


def _check_module(module: Any) -> None:
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a flax.linen.Module (e.g. biojax.nn.CfC), got {type(module).__name__}")


def to_nnx(module: nn.Module, *sample_args: Any, rngs: nnx.Rngs, **sample_kwargs: Any) -> nnx.bridge.ToNNX:
    """Wraps a Linen module as an NNX module and initialises it on a sample input.

    Like ``module.init``: the sample arguments fix the shapes, ``rngs`` gives the ``params`` stream
    (and e.g. a ``dropout`` stream used by later calls). Call the result like the Linen module's
    ``apply``, without the variables.

    Args:
        module: a Linen module, e.g. :class:`~biojax.nn.CfC` or :class:`~biojax.nn.DendriticLayer`.
        *sample_args: example positional inputs, as for ``module.init``.
        rngs: the ``nnx.Rngs`` to draw the initial values (and later random streams) from.
        **sample_kwargs: example keyword inputs.

    Returns:
        An initialised ``nnx.bridge.ToNNX`` module.

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from biojax.nn import CfC
        >>> from biojax.wiring import AutoNCP
        >>> x = jnp.ones((2, 5, 3))
        >>> model = to_nnx(CfC(AutoNCP(8, 2), return_sequences=False), x, rngs=nnx.Rngs(0))
        >>> y, h = model(x)
        >>> y.shape, h.shape
        ((2, 2), (2, 8))
    """
    _check_module(module)
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(f"rngs must be a flax.nnx.Rngs, e.g. nnx.Rngs(0), got {type(rngs).__name__}")
    return nnx.bridge.ToNNX(module, rngs=rngs).lazy_init(*sample_args, **sample_kwargs)


def from_linen(module: nn.Module, variables: Mapping[str, Any], rngs: nnx.Rngs | None = None) -> nnx.bridge.ToNNX:
    """An NNX module holding the given Linen variables (e.g. from ``module.init`` or a checkpoint).

    Its outputs and gradients equal ``module.apply(variables, ...)`` and ``jax.grad`` of it.

    Args:
        module: the Linen module the variables belong to.
        variables: the Linen variables dict, ``{"params": ..., "connectivity": ..., ...}``.
        rngs: random streams for calls that need them (e.g. ``nnx.Rngs(dropout=1)``); none by default.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> from biojax.nn import MultiSynapticDense
        >>> layer, x = MultiSynapticDense(4, gamma=2), jnp.ones((1, 3))
        >>> variables = layer.init(jax.random.key(0), x)
        >>> bool(jnp.allclose(from_linen(layer, variables)(x), layer.apply(variables, x)))
        True
    """
    _check_module(module)
    if not isinstance(variables, Mapping) or "params" not in variables:
        raise TypeError(
            f"variables must be a Linen variables mapping with a 'params' collection, got {type(variables).__name__}"
            + (f" with keys {sorted(variables)}" if isinstance(variables, Mapping) else "")
        )
    if rngs is not None and not isinstance(rngs, nnx.Rngs):
        raise TypeError(f"rngs must be a flax.nnx.Rngs or None, got {type(rngs).__name__}")
    model = nnx.bridge.ToNNX(module, rngs=rngs)
    attributes = bridge_variables.linen_vars_to_nnx_attrs(unfreeze(dict(variables)))
    for name, value in attributes.items():
        setattr(model, name, value)
    return model


def _is_model_variable(value: Any) -> bool:
    return isinstance(value, nnx.Variable) and not isinstance(value, nnx.RngState)


def _holds_variables(value: Any) -> bool:
    """Whether an attribute of a ``ToNNX`` holds Linen variables (not its module or its random streams)."""
    if _is_model_variable(value):
        return True
    if not isinstance(value, Mapping):
        return False
    leaves = jax.tree.leaves(value, is_leaf=lambda leaf: isinstance(leaf, nnx.Variable))
    return bool(leaves) and all(_is_model_variable(leaf) for leaf in leaves)


def linen_variables(model: nnx.bridge.ToNNX) -> dict[str, Any]:
    """The Linen variables dict of a wrapped module (arrays, every collection), for ``module.apply``.

    Example:
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from biojax.nn import DendriticLayer
        >>> model = to_nnx(DendriticLayer(2, 3, 4), jnp.ones((1, 10)), rngs=nnx.Rngs(0))
        >>> sorted(linen_variables(model)), sorted(linen_variables(model)["connectivity"])
        (['connectivity', 'params'], ['indices', 'input_width', 'n_inputs'])
    """
    if not isinstance(model, nnx.bridge.ToNNX):
        raise TypeError(f"model must be a flax.nnx.bridge.ToNNX (from to_nnx or from_linen), got {type(model).__name__}")
    attributes = {name: value for name, value in vars(model).items() if _holds_variables(value)}
    return bridge_variables.nnx_attrs_to_linen_vars(attributes)
