"""The seed's searchable architectures: configuration defaults, model construction, parameter counts.

``architecture`` is one of ``"dendritic_simple"``, ``"soma_disabled"``, ``"dendritic_with_hidden"``
(models from :mod:`biojax.nn`). Unspecified keys take the seed's ``create_model`` defaults, so a stored
configuration is always complete. ``soma_disabled`` uses ``hidden_dim`` (default ``n_neurons``) as the
width of its hidden layer; the seed wires ``Linear(n_dendrites, 10) -> Linear(n_neurons, 10)``, which
only runs when ``n_neurons == 10`` (reference B.3), biojax connects the widths correctly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from biojax._validation import check_choice

ModelFactory = Callable[[Mapping[str, Any], int], nn.Module]

ARCHITECTURES = ("dendritic_simple", "soma_disabled", "dendritic_with_hidden")
CONFIG_DEFAULTS: dict[str, Any] = {
    "architecture": "dendritic_simple",
    "n_neurons": 10,
    "n_dendrites": 6,
    "n_dendrite_inputs": 128,
    "soma_enabled": True,
    "strategy": "random",
    "synaptic_resampling": True,
    "percentage_resample": 0.25,
    "steps_to_resample": 128,
}
OPTIONAL_KEYS = ("hidden_dim",)


def resolve_config(config: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fills the seed's defaults in and rejects unknown keys (with the allowed list).

    Example:
        >>> resolve_config({"n_neurons": 12})["n_dendrite_inputs"]
        128
        >>> resolve_config({"n_neuron": 12})
        Traceback (most recent call last):
        ...
        ValueError: unknown hyperparameter 'n_neuron'; allowed: architecture, n_neurons, ...
    """
    allowed = (*CONFIG_DEFAULTS, *OPTIONAL_KEYS, *extra_keys)
    for name in config:
        if name not in allowed:
            raise ValueError(f"unknown hyperparameter {name!r}; allowed: {', '.join(allowed)}")
    resolved = {**CONFIG_DEFAULTS, **config}
    check_choice("architecture", resolved["architecture"], ARCHITECTURES)
    return resolved


def dendritic_model(config: Mapping[str, Any], n_classes: int) -> nn.Module:
    """Builds the Flax model of a resolved configuration with :mod:`biojax.nn`'s factories.

    Example:
        >>> from biojax.nn import count_params
        >>> model = dendritic_model(resolve_config({}), 10)
        >>> count_params(model, (784,))
        7920
    """
    from biojax import nn as bnn

    arch = check_choice("architecture", config["architecture"], ARCHITECTURES)
    common = dict(
        n_dendrites=config["n_dendrites"], n_dendrite_inputs=config["n_dendrite_inputs"], strategy=config["strategy"]
    )
    hidden = config.get("hidden_dim") or config["n_neurons"]
    if arch == "dendritic_simple":
        return bnn.dendritic_simple(
            n_classes, n_neurons=config["n_neurons"], soma_enabled=config["soma_enabled"], **common
        )
    if arch == "soma_disabled":
        return bnn.soma_disabled(n_classes, hidden_size=hidden, **common)
    return bnn.dendritic_with_hidden(
        n_classes, n_neurons=config["n_neurons"], hidden_size=hidden, soma_enabled=config["soma_enabled"], **common
    )


def count_trainable_params(model: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Exact number of scalars in the model's ``"params"`` collection (shape-only, nothing is run).

    Example:
        >>> import flax.linen as nn
        >>> count_trainable_params(nn.Dense(3), (5,))
        18
    """
    shapes = jax.eval_shape(lambda: model.init(jax.random.key(0), jnp.zeros((1, *input_shape), jnp.float32)))
    return int(sum(np.prod(leaf.shape, dtype=np.int64) for leaf in jax.tree_util.tree_leaves(shapes["params"])))


def count_model_params(model: nn.Module, input_shape: tuple[int, ...], *, default_factory: bool) -> int:
    """``biojax.nn.count_params`` for biojax's own models, :func:`count_trainable_params` otherwise.

    Example:
        >>> import flax.linen as nn
        >>> count_model_params(nn.Dense(3), (5,), default_factory=False)
        18
    """
    if default_factory:
        from biojax.nn import count_params

        return int(count_params(model, tuple(input_shape)))
    return count_trainable_params(model, tuple(input_shape))
