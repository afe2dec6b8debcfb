"""What the search needs of a model family (:class:`Architecture`), and the registry of named ones.

A trial's configuration names its architecture (``config["architecture"]``); the architecture declares
its settings as a :class:`~biojax.search.search_space.SearchSpace`, builds the Flax model of a
configuration, counts its parameters exactly and may add a post-step hook (e.g. synaptic resampling)
to the training loop. biojax registers its dendritic architectures (:mod:`biojax.search.dendritic`); a
user's own plugs in with :func:`register_architecture`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import flax.linen as nn
import numpy as np

from biojax.nn import count_params
from biojax.search.search_space import SearchSpace
from biojax.train import PostStep

_REGISTRY: dict[str, Architecture] = {}


@runtime_checkable
class Architecture(Protocol):
    """A searchable model family.

    Attributes:
        name: the value of ``config["architecture"]`` that selects it.
        space: its settings (static ones shape the model, traced ones only change numbers).

    Methods:
        build(config, n_classes, input_shape): the Flax model of a resolved configuration.
        count_params(config, n_classes, input_shape): its exact number of trainable parameters.
        post_step(hparams, axis_name): a :data:`~biojax.train.PostStep` run after every optimizer step of a
            trial, from the trial's traced settings (arrays; ``axis_name`` is the ``vmap`` axis over trials,
            or ``None``), or ``None`` for plain training.
        uses_post_step(hparams): whether a bucket (traced arrays with one entry per trial) needs the hook
            at all; ``False`` compiles the bucket without it.

    Example:
        >>> from biojax.search.dendritic import DendriticArchitecture
        >>> isinstance(DendriticArchitecture("dendritic_simple"), Architecture)
        True
    """

    name: str
    space: SearchSpace

    def build(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> nn.Module: ...

    def count_params(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> int: ...

    def post_step(self, hparams: Mapping[str, Any], axis_name: str | None) -> PostStep | None: ...

    def uses_post_step(self, hparams: Mapping[str, np.ndarray]) -> bool: ...


class FactoryArchitecture:
    """An architecture from a plain ``factory(config, n_classes) -> flax Module``: any keys are static
    settings, the parameter count is exact (``jax.eval_shape``), no post-step.

    Example:
        >>> import flax.linen as nn
        >>> arch = FactoryArchitecture(lambda config, n_classes: nn.Dense(n_classes))
        >>> arch.count_params({}, 3, (5,))
        18
    """

    def __init__(self, factory: Any, name: str = "custom"):
        if not callable(factory):
            raise TypeError(f"model_factory must be callable as factory(config, n_classes), got {factory!r}")
        self.factory, self.name = factory, name
        self.space = SearchSpace(open=True)

    def build(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> nn.Module:
        """``factory(config, n_classes)``."""
        return self.factory(dict(config), n_classes)

    def count_params(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> int:
        """Exact count of the built model's ``"params"``."""
        return count_params(self.build(config, n_classes, input_shape), tuple(input_shape))

    def post_step(self, hparams: Mapping[str, Any], axis_name: str | None) -> PostStep | None:
        """No post-step."""
        return None

    def uses_post_step(self, hparams: Mapping[str, np.ndarray]) -> bool:
        """Never."""
        return False


def register_architecture(architecture: Architecture) -> Architecture:
    """Makes ``architecture`` selectable as ``config["architecture"] == architecture.name``; returns it.

    Example:
        >>> import flax.linen as nn
        >>> arch = register_architecture(FactoryArchitecture(lambda c, n: nn.Dense(n), name="linear_probe"))
        >>> get_architecture("linear_probe") is arch
        True
    """
    if not isinstance(architecture, Architecture):
        raise TypeError(
            "architecture must have name, space, build, count_params, post_step and uses_post_step "
            f"(biojax.search.Architecture), got {architecture!r}"
        )
    if not isinstance(architecture.name, str) or not architecture.name:
        raise ValueError(f"architecture.name must be a non-empty string, got {architecture.name!r}")
    if "architecture" in architecture.space.settings or "optimizer" in architecture.space.settings:
        raise ValueError("an architecture's space must not declare 'architecture' or 'optimizer'")
    _REGISTRY[architecture.name] = architecture
    return architecture


def get_architecture(name: Any) -> Architecture:
    """The registered architecture called ``name``.

    Example:
        >>> get_architecture("dendritic_simple").name
        'dendritic_simple'
    """
    if name not in _REGISTRY:
        known = ", ".join(repr(n) for n in _REGISTRY)
        raise ValueError(f"architecture must be one of {known}, got {name!r}")
    return _REGISTRY[name]


def architecture_names() -> list[str]:
    """Names of every registered architecture.

    Example:
        >>> architecture_names()[:3]
        ['dendritic_simple', 'soma_disabled', 'dendritic_with_hidden']
    """
    return list(_REGISTRY)
