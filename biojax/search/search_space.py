"""A declarative search space: every setting a trial may have, its default, static or traced, and its check.

*Static* settings shape the compiled program (layer sizes, epochs, which rules are in a chain): trials
that differ in them go to different buckets. *Traced* settings only change numbers (learning rates,
decay, seeds, resampling fractions): they enter the program as arrays, so trials that differ only in
them share one ``jax.jit(jax.vmap(...))`` call.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from biojax._validation import check_choice, check_int, check_number

Check = Callable[[str, Any], Any]


def positive_finite(name: str, value: Any) -> float:
    """A real number in ``(0, inf)``.

    Example:
        >>> positive_finite("lr", float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: lr must be a finite number > 0, got inf
    """
    value = check_number(name, value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def non_negative_finite(name: str, value: Any) -> float:
    """A real number in ``[0, inf)``.

    Example:
        >>> non_negative_finite("weight_decay", -0.1)
        Traceback (most recent call last):
        ...
        ValueError: weight_decay must be a finite number >= 0, got -0.1
    """
    value = check_number(name, value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def fraction(name: str, value: Any) -> float:
    """A real number in ``[0, 1]``.

    Example:
        >>> fraction("percentage_resample", 0.25)
        0.25
    """
    return check_number(name, value, minimum=0.0, maximum=1.0)


def integer_at_least(minimum: int) -> Check:
    """A check for integers ``>= minimum``.

    Example:
        >>> integer_at_least(1)("n_epochs", 3)
        3
    """
    return lambda name, value: check_int(name, value, minimum=minimum)


def one_of(allowed: Iterable[Any]) -> Check:
    """A check for one of ``allowed``.

    Example:
        >>> one_of(("a", "b"))("mode", "a")
        'a'
    """
    allowed = tuple(allowed)
    return lambda name, value: check_choice(name, value, allowed)


def boolean(name: str, value: Any) -> bool:
    """``True`` or ``False`` (NumPy bools too).

    Example:
        >>> boolean("soma_enabled", 1)
        Traceback (most recent call last):
        ...
        TypeError: soma_enabled must be True or False, got 1 (int)
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def at_most_input_width(name: str, value: Any, input_shape: Sequence[int]) -> int:
    """An integer no larger than the number of input features (e.g. a dendrite's fan-in).

    Example:
        >>> at_most_input_width("n_dendrite_inputs", 64, (40,))
        Traceback (most recent call last):
        ...
        ValueError: n_dendrite_inputs must be <= the input width 40 (each dendrite reads distinct inputs), got 64
    """
    width = math.prod(input_shape)
    if value > width:
        raise ValueError(f"{name} must be <= the input width {width} (each dendrite reads distinct inputs), got {value}")
    return value


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting of a search space.

    Attributes:
        name: the configuration key.
        default: the value a configuration without this key gets (``None``: optional, no value).
        traced: ``True`` for a number that enters the compiled program as an array.
        dtype: NumPy dtype of a traced setting's array (``"float32"``, ``"int32"``, ``"uint32"``, ``"bool"``).
        check: ``check(name, value)`` raising ``ValueError``/``TypeError`` for a bad value (``None``: any).
        input_check: ``input_check(name, value, input_shape)``, a check against the dataset's example shape,
            run before training once the dataset is known (``None``: none), e.g. :func:`at_most_input_width`.

    Example:
        >>> Setting("lr", 5e-4, traced=True, check=positive_finite).name
        'lr'
    """

    name: str
    default: Any
    traced: bool = False
    dtype: str = "float32"
    check: Check | None = None
    input_check: Callable[[str, Any, Sequence[int]], Any] | None = None


class SearchSpace:
    """The settings a trial may have, static or traced, with defaults and checks.

    Args:
        settings: the settings (names must be distinct).
        open: accept keys that no setting declares, as static settings without a check (for a user's own
            model factory, whose keys biojax does not know).

    Example:
        >>> space = SearchSpace(Setting("n_neurons", 10, check=integer_at_least(1)),
        ...                     Setting("lr", 5e-4, traced=True, check=positive_finite))
        >>> config = space.resolve({"n_neurons": 12})
        >>> config, space.static_part(config)
        ({'n_neurons': 12, 'lr': 0.0005}, {'n_neurons': 12})
        >>> space.resolve({"n_neuron": 12})
        Traceback (most recent call last):
        ...
        ValueError: unknown setting 'n_neuron' (did you mean 'n_neurons'?); known settings: n_neurons, lr
    """

    def __init__(self, *settings: Setting, open: bool = False):
        names = [s.name for s in settings]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"a search space declares each setting once; repeated: {duplicates}")
        self.settings = {s.name: s for s in settings}
        self.open = bool(open)

    def __or__(self, other: SearchSpace) -> SearchSpace:
        """The union of two spaces (open if either is)."""
        return SearchSpace(*self.settings.values(), *other.settings.values(), open=self.open or other.open)

    @property
    def names(self) -> list[str]:
        """The declared setting names, in order."""
        return list(self.settings)

    def is_traced(self, name: str) -> bool:
        """Whether ``name`` is traced (undeclared keys of an open space are static)."""
        return name in self.settings and self.settings[name].traced

    def check_key(self, name: Any) -> str:
        """Returns ``name`` if the space knows it; else the error lists the known ones (with a close match)."""
        if not isinstance(name, str):
            raise TypeError(f"setting names must be strings, got {name!r} ({type(name).__name__})")
        if name in self.settings or self.open:
            return name
        close = difflib.get_close_matches(name, self.names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown setting {name!r}{hint}; known settings: {', '.join(self.names)}")

    def check_value(self, name: str, value: Any) -> Any:
        """``value`` checked by the setting's check (unchanged when it has none)."""
        setting = self.settings.get(self.check_key(name))
        if setting is None or setting.check is None or value is None:
            return value
        setting.check(name, value)
        return value

    def resolve(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The full configuration: every key checked, defaults filled in (declared order, then extra keys)."""
        if not isinstance(config, Mapping):
            raise TypeError(f"a configuration must be a dict of setting -> value, got {type(config).__name__}")
        for name, value in config.items():
            self.check_value(name, value)
        resolved = {name: config.get(name, s.default) for name, s in self.settings.items()}
        resolved = {name: value for name, value in resolved.items() if value is not None}
        return {**resolved, **{k: v for k, v in config.items() if k not in resolved and v is not None}}

    def static_part(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The settings of ``config`` that shape the compiled program."""
        return {k: v for k, v in config.items() if not self.is_traced(k)}

    def traced_arrays(self, configs: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """One array per traced setting, one entry per configuration (its default where a key is missing).

        Example:
            >>> space = SearchSpace(Setting("lr", 0.1, traced=True), Setting("seed", 0, traced=True, dtype="uint32"))
            >>> {k: v.tolist() for k, v in space.traced_arrays([{"lr": 0.5}, {"seed": 3}]).items()}
            {'lr': [0.5, 0.10000000149011612], 'seed': [0, 3]}
        """
        return {
            name: np.array([c.get(name, s.default) for c in configs], dtype=s.dtype)
            for name, s in self.settings.items() if s.traced
        }


def check_spec_values(space: SearchSpace, name: str, values: Iterable[Any]) -> None:
    """Checks the key and every concrete value a grid or random spec can produce for it.

    Example:
        >>> space = SearchSpace(Setting("lr", 5e-4, traced=True, check=positive_finite))
        >>> check_spec_values(space, "lr", [1e-3, -1.0])
        Traceback (most recent call last):
        ...
        ValueError: lr must be a finite number > 0, got -1.0
    """
    space.check_key(name)
    for value in values:
        if isinstance(value, numbers.Number | str | bool | np.generic) or value is None:
            space.check_value(name, value)


def check_some_value_fits(setting: Setting, values: Sequence[Any], input_shape: Sequence[int],
                          label: str | None = None) -> None:
    """Raises unless at least one of ``values`` passes ``setting.input_check`` against ``input_shape``.

    A spec whose every value is too large for the dataset could train nothing, so it fails before any
    training; configurations with the values that do not fit, next to ones that do, are skipped by the
    search with status ``"invalid"`` and the reason (as configurations outside the budget are).

    Args:
        setting: a setting with an ``input_check``.
        values: the concrete values a spec gives for it (non-numbers are ignored).
        input_shape: the dataset's example shape.
        label: how the message names the setting (default: its name).

    Example:
        >>> fan_in = Setting("n_dendrite_inputs", 128, input_check=at_most_input_width)
        >>> check_some_value_fits(fan_in, [16, 65], (64,))   # 65 will be skipped, 16 trains
        >>> check_some_value_fits(fan_in, [96, 65], (64,))
        Traceback (most recent call last):
        ...
        ValueError: n_dendrite_inputs must be <= the input width 64 (each dendrite reads distinct inputs), got 65; no value the spec gives fits, so no configuration could train
    """
    numbers_given = sorted(v for v in values if isinstance(v, numbers.Real) and not isinstance(v, bool))
    if setting.input_check is None or not numbers_given:
        return
    try:
        setting.input_check(label or setting.name, numbers_given[0], tuple(input_shape))
    except ValueError as error:
        suffix = "; no value the spec gives fits, so no configuration could train" if len(numbers_given) > 1 else ""
        raise ValueError(f"{error}{suffix}") from None
