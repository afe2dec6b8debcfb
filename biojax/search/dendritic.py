"""The seed's searchable dendritic architectures, with synaptic resampling as a traced post-step.

``dendritic_simple``, ``soma_disabled`` and ``dendritic_with_hidden`` (models from :mod:`biojax.nn`).
Unspecified keys take the seed's ``create_model`` defaults, so a stored configuration is always
complete. ``soma_disabled`` uses ``hidden_dim`` (default ``n_neurons``) as the width of its hidden
layer; the seed wires ``Linear(n_dendrites, 10) -> Linear(n_neurons, 10)``, which only runs when
``n_neurons == 10`` (reference B.3), biojax connects the widths correctly.

``synaptic_resampling``, ``percentage_resample`` and ``steps_to_resample`` only change numbers, so
trials that differ in them share a bucket: a trial resamples ``percentage_resample`` of each dendrite's
synapses every ``steps_to_resample`` steps when ``synaptic_resampling`` is on, and nothing when it is
off (:func:`biojax.train.resampling_post_step`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import flax.linen as nn
import jax.numpy as jnp
import numpy as np

from biojax import nn as bnn
from biojax.nn.dendritic_layer import STRATEGIES
from biojax.nn.dendritic_models import ARCHITECTURES
from biojax.search.architecture import register_architecture
from biojax.search.search_space import (
    SearchSpace, Setting, at_most_input_width, boolean, fraction, integer_at_least, one_of,
)
from biojax.train import PostStep, resampling_post_step

DENDRITIC_SPACE = SearchSpace(
    Setting("n_neurons", 10, check=integer_at_least(1)),
    Setting("n_dendrites", 6, check=integer_at_least(1)),
    Setting("n_dendrite_inputs", 128, check=integer_at_least(1), input_check=at_most_input_width),
    Setting("soma_enabled", True, check=boolean),
    Setting("strategy", "random", check=one_of(STRATEGIES)),
    Setting("hidden_dim", None, check=integer_at_least(1)),
    Setting("synaptic_resampling", True, traced=True, dtype="bool", check=boolean),
    Setting("percentage_resample", 0.25, traced=True, check=fraction),
    Setting("steps_to_resample", 128, traced=True, dtype="int32", check=integer_at_least(1)),
)


class DendriticArchitecture:
    """One of the seed's dendritic architectures (see the module docstring).

    Example:
        >>> arch = DendriticArchitecture("dendritic_simple")
        >>> arch.count_params(arch.space.resolve({}), 10, (784,))
        7920
    """

    def __init__(self, name: str):
        if name not in ARCHITECTURES:
            raise ValueError(f"name must be one of {ARCHITECTURES}, got {name!r}")
        self.name = name
        self.space = DENDRITIC_SPACE

    def build(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> nn.Module:
        """The model of a resolved configuration (fan-in checked against the input width)."""
        at_most_input_width("n_dendrite_inputs", config["n_dendrite_inputs"], input_shape)
        common = dict(n_dendrites=config["n_dendrites"], n_dendrite_inputs=config["n_dendrite_inputs"],
                      strategy=config["strategy"])
        hidden = config.get("hidden_dim") or config["n_neurons"]
        if self.name == "dendritic_simple":
            return bnn.dendritic_simple(n_classes, n_neurons=config["n_neurons"],
                                        soma_enabled=config["soma_enabled"], **common)
        if self.name == "soma_disabled":
            return bnn.soma_disabled(n_classes, hidden_size=hidden, **common)
        return bnn.dendritic_with_hidden(n_classes, n_neurons=config["n_neurons"], hidden_size=hidden,
                                         soma_enabled=config["soma_enabled"], **common)

    def count_params(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> int:
        """Exact trainable parameter count (:func:`biojax.nn.count_params`)."""
        return bnn.count_params(self.build(config, n_classes, input_shape), tuple(input_shape))

    def post_step(self, hparams: Mapping[str, Any], axis_name: str | None) -> PostStep:
        """Synaptic resampling with the trial's fraction (0 when resampling is off) and period."""
        fraction_on = jnp.where(hparams["synaptic_resampling"], hparams["percentage_resample"], 0.0)
        return resampling_post_step(fraction_on, hparams["steps_to_resample"], axis_name=axis_name)

    def uses_post_step(self, hparams: Mapping[str, np.ndarray]) -> bool:
        """Whether some trial resamples (resampling on and a fraction above 0).

        Example:
            >>> arch = DendriticArchitecture("dendritic_simple")
            >>> arch.uses_post_step({"synaptic_resampling": np.array([False, True]),
            ...                      "percentage_resample": np.array([0.3, 0.0], np.float32)})
            False
        """
        resampling = np.asarray(hparams["synaptic_resampling"], bool)
        return bool(np.any(resampling & (np.asarray(hparams["percentage_resample"]) > 0)))


for _name in ARCHITECTURES:
    register_architecture(DendriticArchitecture(_name))
