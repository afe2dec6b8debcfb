"""Search spaces (grid and random specs, as in the seed) and the parameter-budget rule.

A random-search spec maps each name to one of:

* a ``list`` -> uniform choice among its items;
* a 2-``tuple`` ``(low, high)`` of ints -> integer drawn uniformly from ``[low, high]`` (inclusive);
* a ``dict`` with ``"type"`` one of ``"uniform"`` / ``"loguniform"`` (``low``, ``high``),
  ``"randint"`` (``low``, ``high``, inclusive) or ``"choice"`` (``values`` or ``choices``);
* anything else (a number, string, bool, ``None``) -> that constant.

A grid spec maps each name to a list of values (a scalar is a one-value list).
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from biojax._validation import check_int, check_number

DISTRIBUTION_TYPES = ("uniform", "loguniform", "randint", "choice")


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError(f"parameter names must be strings, got {name!r} ({type(name).__name__})")
    return name


def _check_mapping(arg: str, spec: Any) -> Mapping:
    if not isinstance(spec, Mapping):
        raise TypeError(f"{arg} must be a dict of parameter name -> values, got {type(spec).__name__}")
    for name in spec:
        _check_name(name)
    return spec


def check_distribution(name: str, spec: Any) -> Any:
    """Validates one random-search spec and returns it unchanged.

    Example:
        >>> check_distribution("lr", {"type": "loguniform", "low": 1e-4, "high": 1e-2})
        {'type': 'loguniform', 'low': 0.0001, 'high': 0.01}
        >>> check_distribution("n_neurons", (15, 8))
        Traceback (most recent call last):
        ...
        ValueError: n_neurons: a (low, high) tuple needs low <= high, got (15, 8)
    """
    if isinstance(spec, list):
        if not spec:
            raise ValueError(f"{name}: a choice list must not be empty")
        return spec
    if isinstance(spec, tuple):
        if len(spec) != 2:
            raise ValueError(f"{name}: a tuple spec must be (low, high) for an inclusive randint, got {spec!r}")
        low = check_int(f"{name} low", spec[0])
        high = check_int(f"{name} high", spec[1])
        if low > high:
            raise ValueError(f"{name}: a (low, high) tuple needs low <= high, got {spec!r}")
        return spec
    if isinstance(spec, Mapping):
        kind = spec.get("type")
        if kind not in DISTRIBUTION_TYPES:
            allowed = ", ".join(repr(t) for t in DISTRIBUTION_TYPES)
            raise ValueError(f"{name}: distribution type must be one of {allowed}, got {kind!r}")
        if kind == "choice":
            values = spec.get("values", spec.get("choices"))
            if not isinstance(values, list | tuple) or not values:
                raise ValueError(f"{name}: a 'choice' distribution needs a non-empty 'values' list, got {values!r}")
            return spec
        for bound in ("low", "high"):
            if bound not in spec:
                raise ValueError(f"{name}: a {kind!r} distribution needs 'low' and 'high', got {dict(spec)!r}")
        if kind == "randint":
            low, high = check_int(f"{name} low", spec["low"]), check_int(f"{name} high", spec["high"])
        else:
            minimum = 0.0 if kind == "loguniform" else None
            low = check_number(f"{name} low", spec["low"], minimum=minimum, min_inclusive=False)
            high = check_number(f"{name} high", spec["high"])
        if low > high:
            raise ValueError(f"{name}: {kind!r} needs low <= high, got low={low!r}, high={high!r}")
        return spec
    if spec is None or isinstance(spec, str | bool | numbers.Number):
        return spec
    raise TypeError(
        f"{name}: a spec must be a list, a (low, high) tuple, a distribution dict or a constant, "
        f"got {spec!r} ({type(spec).__name__})"
    )


def _python(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def sample_value(name: str, spec: Any, rng: np.random.Generator) -> Any:
    """Draws one value of a validated spec with a NumPy generator.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> 8 <= sample_value("n_neurons", (8, 15), rng) <= 15
        True
        >>> sample_value("arch", "dendritic_simple", rng)
        'dendritic_simple'
    """
    spec = check_distribution(name, spec)
    if isinstance(spec, list):
        return _python(spec[int(rng.integers(len(spec)))])
    if isinstance(spec, tuple):
        return int(rng.integers(spec[0], spec[1] + 1))
    if isinstance(spec, Mapping):
        kind = spec["type"]
        if kind == "choice":
            values = list(spec.get("values", spec.get("choices")))
            return _python(values[int(rng.integers(len(values)))])
        if kind == "randint":
            return int(rng.integers(int(spec["low"]), int(spec["high"]) + 1))
        if kind == "uniform":
            return float(rng.uniform(float(spec["low"]), float(spec["high"])))
        return float(math.exp(rng.uniform(math.log(spec["low"]), math.log(spec["high"]))))
    return spec


def sample_config(param_distributions: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Draws one configuration from a random-search spec.

    Example:
        >>> import numpy as np
        >>> config = sample_config({"n_neurons": [8, 10], "lr": {"type": "uniform", "low": 0.1, "high": 0.2}},
        ...                        np.random.default_rng(0))
        >>> sorted(config), config["n_neurons"] in (8, 10), 0.1 <= config["lr"] <= 0.2
        (['lr', 'n_neurons'], True, True)
    """
    _check_mapping("param_distributions", param_distributions)
    return {name: sample_value(name, spec, rng) for name, spec in param_distributions.items()}


def grid_configs(
    param_grid: Mapping[str, Any], max_trials: int | None = None, *, rng: np.random.Generator | None = None
) -> list[dict[str, Any]]:
    """Every combination of a grid, or ``max_trials`` of them drawn without replacement.

    The seed draws the subset with Python's unseeded ``random``; here it comes from ``rng`` (a seeded
    NumPy generator), so a search can be repeated and resumed. Combinations keep grid order.

    Example:
        >>> grid_configs({"a": [1, 2], "b": ["x", "y"]})
        [{'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}, {'a': 2, 'b': 'x'}, {'a': 2, 'b': 'y'}]
        >>> import numpy as np
        >>> len(grid_configs({"a": [1, 2, 3]}, 2, rng=np.random.default_rng(0)))
        2
    """
    _check_mapping("param_grid", param_grid)
    names, value_lists = [], []
    for name, values in param_grid.items():
        if isinstance(values, Mapping):
            raise TypeError(f"param_grid[{name!r}] must be a list of values, got a dict {values!r}")
        values = list(values) if isinstance(values, list | tuple) else [values]
        if not values:
            raise ValueError(f"param_grid[{name!r}] must not be an empty list")
        names.append(name)
        value_lists.append([_python(v) for v in values])
    combos = [dict(zip(names, combo)) for combo in itertools.product(*value_lists)]
    if max_trials is not None:
        max_trials = check_int("max_trials", max_trials, minimum=1)
        if len(combos) > max_trials:
            rng = rng if rng is not None else np.random.default_rng(0)
            keep = np.sort(rng.choice(len(combos), size=max_trials, replace=False))
            combos = [combos[int(i)] for i in keep]
    return combos


def budget_status(n_params: int, max_params: int, min_param_ratio: float) -> tuple[str, str]:
    """``("ok", "")`` iff ``min_param_ratio * max_params <= n_params <= max_params``, else the reason.

    Example:
        >>> budget_status(7920, 8000, 0.8)
        ('ok', '')
        >>> budget_status(9000, 8000, 0.8)
        ('over_budget', '9000 params > max_params 8000')
        >>> budget_status(1000, 8000, 0.8)
        ('under_budget', '1000 params < min_param_ratio 0.8 x max_params 8000 = 6400')
    """
    if n_params > max_params:
        return "over_budget", f"{n_params} params > max_params {max_params}"
    floor = min_param_ratio * max_params
    if n_params < floor:
        shown = int(floor) if float(floor).is_integer() else round(floor, 3)
        return "under_budget", (
            f"{n_params} params < min_param_ratio {min_param_ratio:g} x max_params {max_params} = {shown}"
        )
    return "ok", ""
