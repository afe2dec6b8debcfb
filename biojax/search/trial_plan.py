"""From a user's configuration to a complete trial: its architecture, optimizer, search space and model.

A configuration is one flat dict. ``"architecture"`` selects a registered
:class:`~biojax.search.architecture.Architecture` and ``"optimizer"`` a
:class:`~biojax.search.optimizers.TrialOptimizer`; the trial's space is the union of the training
settings, the architecture's and the optimizer's, so every key is known, checked, and marked static or
traced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from biojax.search.architecture import Architecture, get_architecture
from biojax.search.buckets import short_hash
from biojax.search.optimizers import OPTIMIZERS, TrialOptimizer, get_optimizer
from biojax.search.search_space import SearchSpace, Setting, check_some_value_fits, check_spec_values, integer_at_least, one_of

TRAINING_SPACE = SearchSpace(
    Setting("optimizer", "adamw", check=one_of(OPTIMIZERS)),
    Setting("seed", 0, traced=True, dtype="uint32", check=integer_at_least(0)),
    Setting("n_epochs", 15, check=integer_at_least(1)),
    Setting("batch_size", 256, check=integer_at_least(1)),
)


def _check_architecture(name: str, value: Any) -> str:
    return get_architecture(value).name


def spec_values(spec: Any) -> list[Any]:
    """The concrete values (choices, bounds, constants) a grid or random spec names, for checking.

    Example:
        >>> spec_values([1, 2]), spec_values((8, 12)), spec_values({"type": "uniform", "low": 0.1, "high": 0.2})
        ([1, 2], [8, 12], [0.1, 0.2])
    """
    if isinstance(spec, list | tuple):
        return list(spec)
    if isinstance(spec, Mapping):
        if spec.get("type") == "choice":
            return list(spec.get("values", spec.get("choices")) or [])
        return [spec[bound] for bound in ("low", "high") if bound in spec]
    return [spec]


class TrialPlan:
    """Resolves configurations into complete trials and builds (and caches) their models.

    Args:
        defaults: the searcher's defaults (e.g. ``lr``, ``weight_decay``, ``seed``, ``n_epochs``,
            ``batch_size``), applied under each configuration.
        architecture: one architecture for every configuration (e.g. a user's model factory, whose keys are
            not checked), or ``None`` to select it by ``config["architecture"]``.
        default_architecture: the architecture of a configuration without that key.

    Example:
        >>> plan = TrialPlan({"lr": 1e-3})
        >>> config = plan.resolve({"n_neurons": 8})
        >>> config["architecture"], config["optimizer"], config["lr"], plan.space(config).is_traced("lr")
        ('dendritic_simple', 'adamw', 0.001, True)
    """

    def __init__(self, defaults: Mapping[str, Any], architecture: Architecture | None = None,
                 default_architecture: str = "dendritic_simple"):
        self.defaults = dict(defaults)
        self.fixed_architecture = architecture
        self.default_architecture = get_architecture(default_architecture).name
        self._models: dict[str, tuple[Any, int]] = {}

    @property
    def default_architecture_object(self) -> Architecture:
        """The architecture of a configuration without an ``"architecture"`` key."""
        return self.fixed_architecture or get_architecture(self.default_architecture)

    def parts(self, config: Mapping[str, Any]) -> tuple[Architecture, TrialOptimizer, SearchSpace]:
        """The architecture, the optimizer and the full space of ``config``."""
        optimizer = get_optimizer(config.get("optimizer", self.defaults.get("optimizer", "adamw")))
        if self.fixed_architecture is not None:
            architecture, selector = self.fixed_architecture, SearchSpace()
        else:
            architecture = get_architecture(config.get("architecture", self.default_architecture))
            selector = SearchSpace(Setting("architecture", self.default_architecture, check=_check_architecture))
        return architecture, optimizer, selector | TRAINING_SPACE | optimizer.space | architecture.space

    def space(self, config: Mapping[str, Any]) -> SearchSpace:
        """The full space of ``config``."""
        return self.parts(config)[2]

    def static_part(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The settings of a resolved ``config`` that shape its compiled program (its bucket's key)."""
        return self.space(config).static_part(config)

    def resolve(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` over the defaults, every key checked, the space's defaults filled in."""
        if not isinstance(config, Mapping):
            raise TypeError(f"a configuration must be a dict of setting -> value, got {type(config).__name__}")
        space = self.space(config)
        defaults = {k: v for k, v in self.defaults.items() if k in space.settings}
        return space.resolve({**defaults, **config})

    def model_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The static settings of a resolved ``config`` that its architecture builds the model from.

        Example:
            >>> TrialPlan({}).model_config({"architecture": "cfc", "units": 26, "lr": 3e-3, "n_epochs": 5})
            {'architecture': 'cfc', 'units': 26}
        """
        _, optimizer, space = self.parts(config)
        return {k: v for k, v in space.static_part(config).items()
                if k not in TRAINING_SPACE.settings and k not in optimizer.space.settings}

    def model(self, config: Mapping[str, Any], n_classes: int, input_shape: Sequence[int]) -> tuple[Any, int]:
        """The model of a resolved configuration and its exact parameter count (cached by structure)."""
        architecture = self.parts(config)[0]
        model_config = self.model_config(config)
        key = short_hash({"architecture": architecture.name, "config": model_config})
        if key not in self._models:
            model = architecture.build(model_config, n_classes, tuple(input_shape))
            self._models[key] = (model, architecture.count_params(model_config, n_classes, tuple(input_shape)))
        return self._models[key]

    def check_spec(self, spec: Mapping[str, Any], input_shape: Sequence[int] | None = None) -> None:
        """Checks every key and concrete value of a grid or random spec before anything is trained.

        Keys must belong to the space of some architecture and optimizer the spec can select. With the
        dataset's ``input_shape``, settings with an ``input_check`` (e.g. a dendrite's fan-in) must have at
        least one value that fits it, the default when the spec leaves them out
        (:func:`~biojax.search.search_space.check_some_value_fits`); configurations with the other values
        are skipped with status ``"invalid"`` and the reason.

        Example:
            >>> TrialPlan({}).check_spec({"n_neurons": [8, "eight"]})
            Traceback (most recent call last):
            ...
            TypeError: n_neurons must be an integer, got 'eight' (str)
            >>> TrialPlan({}).check_spec({"n_neurons": [8]}, input_shape=(40,))
            Traceback (most recent call last):
            ...
            ValueError: n_dendrite_inputs (the default, as the spec leaves it out) must be <= the input width 40 (each dendrite reads distinct inputs), got 128
        """
        if not isinstance(spec, Mapping):
            raise TypeError(f"a search spec must be a dict of setting -> values, got {type(spec).__name__}")
        architectures = spec_values(spec["architecture"]) if "architecture" in spec else [None]
        optimizers = spec_values(spec["optimizer"]) if "optimizer" in spec else [None]
        spaces = []
        for arch in architectures:
            for opt in optimizers:
                choice = {k: v for k, v in (("architecture", arch), ("optimizer", opt)) if v is not None}
                spaces.append(self.space(choice))
        for name, values in spec.items():
            matching = [space for space in spaces if space.open or name in space.settings]
            if not matching:
                spaces[0].check_key(name)
            for space in matching:
                check_spec_values(space, name, spec_values(values))
        if input_shape is None:
            return
        for space in spaces:
            for name, setting in space.settings.items():
                if name in spec:
                    check_some_value_fits(setting, spec_values(spec[name]), input_shape)
                else:
                    check_some_value_fits(setting, [self.defaults.get(name, setting.default)], input_shape,
                                          f"{name} (the default, as the spec leaves it out)")


def static_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a finished trial's configuration that shaped its compiled program (its structure).

    The architecture and optimizer named in ``config`` decide which settings were traced; an architecture
    that is not registered in this process is kept as a static setting and the rest read with the default one.

    Example:
        >>> static_settings({"architecture": "cfc", "units": 26, "lr": 3e-3, "seed": 2})
        {'architecture': 'cfc', 'units': 26}
    """
    plan = TrialPlan({})
    try:
        return plan.static_part(config)
    except ValueError:
        rest = {k: v for k, v in config.items() if k != "architecture"}
        return {"architecture": config["architecture"], **plan.static_part(rest)}
