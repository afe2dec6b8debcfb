"""Old import paths of names and modules that moved, kept for one release with a ``DeprecationWarning``.

The package root installs this finder, so the packages the names left (``biojax.wiring``,
``biojax.learning``, ...) import nothing of their new, higher-layer homes: the layer rule holds for
them, and only this module, which sits above every layer, knows both places. Remove an entry one
release after it was added (see ``CHANGELOG.md``).

Example:
    >>> import warnings
    >>> import biojax.wiring
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from biojax.wiring import prune_to_density
    >>> prune_to_density.__module__, caught[0].category.__name__
    ('biojax.rewiring.prune', 'DeprecationWarning')
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any

REMOVED_IN = "biojax 0.3"

_REWIRING_NAMES = (
    "Activity", "AdaptResult", "GradualPruningState", "SharedWeights", "SparsitySchedule", "SynapseLayout",
    "WiringPruningState", "adapt_wiring", "gradual_pruning", "gradual_wiring_pruning", "ltc_flops",
    "make_shared_train_step", "measure_step_seconds", "monitor_performance", "prune_to_density",
    "record_activity", "share_weights", "sharing_report", "sparsity_schedule", "synapse_importance",
    "synapse_layout", "synapse_strength", "target_synapse_count", "unshare", "wired_cfc_flops",
    "wiring_metrics",
)

MOVED_NAMES: dict[str, dict[str, str]] = {
    "biojax.wiring": {
        **{name: "biojax.rewiring" for name in _REWIRING_NAMES},
        "TuningResult": "biojax.search",
        "tune_hyperparameters": "biojax.search",
    },
    "biojax.viz": {"pareto_front": "biojax.search"},
}

MOVED_MODULES: dict[str, str] = {
    **{
        f"biojax.wiring.{name}": f"biojax.rewiring.{name}"
        for name in ("adapt", "gradual_pruning", "importance", "metrics", "prune", "sparsity_schedule",
                     "synapse_layout", "synapse_values", "weight_sharing")
    },
    "biojax.wiring.tuning": "biojax.search.wiring_tuning",
    "biojax.wiring.cli": "biojax.cli.wiring",
    "biojax.search.cli": "biojax.cli.search",
    "biojax.env_cli": "biojax.cli.env",
}


def _warn(old: str, new: str) -> None:
    warnings.warn(f"{old} moved to {new}; the old path will be removed in {REMOVED_IN}", DeprecationWarning,
                  stacklevel=3)


def _moved_getattr(package: str, previous: Callable[[str], Any] | None) -> Callable[[str], Any]:
    moved = MOVED_NAMES[package]

    def __getattr__(name: str) -> Any:
        if name in moved:
            _warn(f"{package}.{name}", f"{moved[name]}.{name}")
            return getattr(importlib.import_module(moved[name]), name)
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


class _AliasLoader(importlib.abc.Loader):
    """Loads an old module path as the module that now holds its contents."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        _warn(spec.name, self.target)
        return importlib.import_module(self.target)

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the target module is already imported."""


class _PackageLoader(importlib.abc.Loader):
    """Runs a package's own loader, then gives the package a ``__getattr__`` for its moved names."""

    def __init__(self, loader: importlib.abc.Loader, package: str):
        self.loader, self.package = loader, package

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        module.__getattr__ = _moved_getattr(self.package, module.__dict__.get("__getattr__"))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class MovedPathFinder(importlib.abc.MetaPathFinder):
    """Resolves the old module paths of :data:`MOVED_MODULES` and hooks the packages of :data:`MOVED_NAMES`."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, _AliasLoader(MOVED_MODULES[fullname]))
        if fullname in MOVED_NAMES:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is not None and spec.loader is not None:
                spec.loader = _PackageLoader(spec.loader, fullname)
            return spec
        return None


def install() -> None:
    """Puts :class:`MovedPathFinder` first on ``sys.meta_path`` (once), before any biojax subpackage loads.

    Example:
        >>> install(); sum(isinstance(f, MovedPathFinder) for f in sys.meta_path)
        1
    """
    if not any(isinstance(finder, MovedPathFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, MovedPathFinder())
