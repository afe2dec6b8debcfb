"""``BioConfig``: every setting of the bio-inspired learning rules in one frozen dataclass.

Field names and defaults are the anchor's (pytorch_bio_transformations 0.0.5 ``BioConfig``). Unlike the
anchor, the whole config is validated when it is built (the anchor asserts at ``convert()`` time, and
forgets ``fuzzy_lr_min <= fuzzy_lr_max``, ``fuzzy_lr_update_freq``, ``fuzzy_lr_decay`` and unknown
distributions, which it silently replaces by ``uniform``). Numeric fields may be JAX arrays (e.g. under
``jax.vmap``); those are not range-checked because their values are unknown at trace time.
``weight_splitting_activation_function`` is a name from ``jax.nn`` (or ``"identity"``) or a callable;
only names survive :meth:`BioConfig.to_dict`. ``fuzzy_lr_layer_index`` and ``fuzzy_lr_total_layers`` are
kept for compatibility but unused: biojax derives each kernel's layer index from the parameter tree (pass
``layer_index`` to :func:`~biojax.learning.fuzzy_learning_rates` to override it). Weight splitting
(``weight_splitting_Gamma``, ``weight_splitting_activation_function``) is read by the model, e.g.
``MultiSynapticDense(features, gamma=config.weight_splitting_Gamma,
activation=resolve_activation(config.weight_splitting_activation_function))``.
"""

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import jax

from biojax._validation import check_choice, check_int
from biojax.learning._checks import check_bool, check_hyperparameter
from biojax.learning.fuzzy_learning_rates import Distribution


def resolve_activation(activation: str | Callable) -> Callable:
    """The function for an activation name (``"identity"`` or any ``jax.nn`` function), or the callable.

    Example:
        >>> resolve_activation("relu").__name__
        'relu'
        >>> float(resolve_activation("identity")(2.0))
        2.0
    """
    if callable(activation):
        return activation
    if activation == "identity":
        return _identity
    fn = getattr(jax.nn, activation, None) if isinstance(activation, str) else None
    if not callable(fn):
        raise ValueError(
            "weight_splitting_activation_function must be a callable, 'identity' or the name of a "
            f"jax.nn function, got {activation!r}"
        )
    return fn


def _identity(x: Any) -> Any:
    return x


@dataclasses.dataclass(frozen=True)
class BioConfig:
    """Settings of the bio-inspired learning rules (names and defaults as in the anchor).

    Example:
        >>> config = BioConfig(fuzzy_learning_rate_factor_nu=0.09, rejuvenation_parameter_dre=14.0)
        >>> config.replace(fuzzy_lr_distribution="normal").fuzzy_lr_distribution
        <Distribution.NORMAL: 'normal'>
        >>> BioConfig.from_dict(config.to_dict()) == config
        True
        >>> BioConfig(dampening_factor=1.5)
        Traceback (most recent call last):
        ...
        ValueError: dampening_factor must be in (0.0, 1.0), got 1.5
    """

    weight_splitting_activation_function: str | Callable = "identity"
    fuzzy_learning_rate_factor_nu: Any = 0.16
    dampening_factor: Any = 0.6
    crystal_thresh: Any = 4.5e-05
    rejuvenation_parameter_dre: Any = 8.0
    weight_splitting_Gamma: int = 0
    apply_dales_principle: bool = False
    base_lr: Any = 0.1
    stability_factor: Any = 2.0
    lr_variability: Any = 0.2
    fuzzy_lr_distribution: Distribution | str = Distribution.UNIFORM
    fuzzy_lr_min: Any = 0.5
    fuzzy_lr_max: Any = 2.0
    fuzzy_lr_dynamic: bool = False
    fuzzy_lr_decay: Any = 0.9995
    fuzzy_lr_update_freq: Any = 100
    fuzzy_lr_layer_index: int = -1
    fuzzy_lr_total_layers: int = -1

    def __post_init__(self) -> None:
        positive = dict(minimum=0.0, min_inclusive=False)
        unit_open = dict(minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
        resolve_activation(self.weight_splitting_activation_function)
        check_hyperparameter("fuzzy_learning_rate_factor_nu", self.fuzzy_learning_rate_factor_nu, **positive)
        check_hyperparameter("dampening_factor", self.dampening_factor, **unit_open)
        check_hyperparameter("crystal_thresh", self.crystal_thresh, **positive)
        check_hyperparameter("rejuvenation_parameter_dre", self.rejuvenation_parameter_dre, **positive)
        check_int("weight_splitting_Gamma", self.weight_splitting_Gamma, minimum=0)
        check_bool("apply_dales_principle", self.apply_dales_principle)
        check_hyperparameter("base_lr", self.base_lr, **unit_open)
        check_hyperparameter("stability_factor", self.stability_factor, **positive)
        check_hyperparameter("lr_variability", self.lr_variability, **positive)
        value = self.fuzzy_lr_distribution
        value = value.value if isinstance(value, Distribution) else value
        names = tuple(d.value for d in Distribution)
        object.__setattr__(
            self, "fuzzy_lr_distribution", Distribution(check_choice("fuzzy_lr_distribution", value, names))
        )
        check_hyperparameter("fuzzy_lr_min", self.fuzzy_lr_min, minimum=0.0)
        check_hyperparameter("fuzzy_lr_max", self.fuzzy_lr_max, minimum=0.0)
        if isinstance(self.fuzzy_lr_min, numbers.Real) and isinstance(self.fuzzy_lr_max, numbers.Real):
            if self.fuzzy_lr_min > self.fuzzy_lr_max:
                raise ValueError(
                    f"fuzzy_lr_min must be <= fuzzy_lr_max, got fuzzy_lr_min={self.fuzzy_lr_min!r} > "
                    f"fuzzy_lr_max={self.fuzzy_lr_max!r}"
                )
        check_bool("fuzzy_lr_dynamic", self.fuzzy_lr_dynamic)
        check_hyperparameter("fuzzy_lr_decay", self.fuzzy_lr_decay, minimum=0.0, maximum=1.0, min_inclusive=False)
        if not isinstance(self.fuzzy_lr_update_freq, jax.Array):
            check_int("fuzzy_lr_update_freq", self.fuzzy_lr_update_freq, minimum=1)
        check_int("fuzzy_lr_layer_index", self.fuzzy_lr_layer_index, minimum=-1)
        check_int("fuzzy_lr_total_layers", self.fuzzy_lr_total_layers, minimum=-1)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "BioConfig":
        """Builds a config from a mapping (e.g. parsed JSON); unknown keys raise ``ValueError``.

        Example:
            >>> BioConfig.from_dict({"weight_splitting_Gamma": 2}).weight_splitting_Gamma
            2
        """
        _check_fields(values)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: the distribution as its string, the activation as its name.

        Example:
            >>> BioConfig().to_dict()["fuzzy_lr_distribution"]
            'uniform'
        """
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, Distribution):
                value = value.value
            elif field.name == "weight_splitting_activation_function" and callable(value):
                value = _activation_name(value)
            elif isinstance(value, jax.Array):
                value = value.item()
            out[field.name] = value
        return out

    def replace(self, **changes: Any) -> "BioConfig":
        """A copy with ``changes`` applied and validated (the anchor's ``update_config``).

        Example:
            >>> BioConfig().replace(rejuvenation_parameter_dre=14.0).rejuvenation_parameter_dre
            14.0
        """
        _check_fields(changes)
        return dataclasses.replace(self, **changes)


def _check_fields(values: Mapping[str, Any]) -> None:
    known = {f.name for f in dataclasses.fields(BioConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown BioConfig field(s) {unknown}; allowed fields are {sorted(known)}")


def _activation_name(fn: Callable) -> str:
    if fn is _identity:
        return "identity"
    name = getattr(fn, "__name__", None)
    if name is not None and getattr(jax.nn, name, None) is fn:
        return name
    raise ValueError(
        f"weight_splitting_activation_function {fn!r} has no name in jax.nn, so it cannot be written to "
        "a dict; pass it by name (e.g. 'relu') to serialise the config"
    )
