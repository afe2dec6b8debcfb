"""Optional dependencies: a missing one ends in one line that says which extra of biojax installs it.

A plain ``pip install biojax`` brings JAX, Flax, Optax, chex and NumPy. The datasets, the search's
progress bars and the figures need the packages of an extra (``pyproject.toml``); importing them through
:func:`require` turns ``No module named 'tqdm'`` into ``... pip install "biojax[search]"``.
"""

import importlib
from collections.abc import Sequence

# Top-level module -> (the package to install, the biojax extra that installs it).
EXTRAS = {
    "mnist1d": ("mnist1d", "data"),
    "sklearn": ("scikit-learn", "data"),
    "matplotlib": ("matplotlib", "viz"),
    "tqdm": ("tqdm", "search"),
    "optuna": ("optuna", "search"),
    "ray": ("ray[tune]", "ray"),
}


class MissingExtraError(ModuleNotFoundError):
    """An optional dependency is not installed; the message names the ``pip install`` that fixes it.

    Example:
        >>> issubclass(MissingExtraError, ImportError)
        True
    """


def install_hint(modules: Sequence[str]) -> str:
    """The ``pip install`` command that brings every module of ``modules`` (each a key of ``EXTRAS``).

    One extra when they all come from the same one, else ``biojax[all]``.

    Example:
        >>> install_hint(["tqdm"])
        'pip install "biojax[search]"'
        >>> install_hint(["tqdm", "sklearn"])
        'pip install "biojax[all]"'
    """
    unknown = [m for m in modules if m not in EXTRAS]
    if unknown or not modules:
        raise ValueError(f"modules must be a non-empty list of {', '.join(EXTRAS)}, got {list(modules)!r}")
    extras = {EXTRAS[m][1] for m in modules}
    return f'pip install "biojax[{extras.pop() if len(extras) == 1 else "all"}]"'


def _missing_top_level(module: str) -> str | None:
    """The top-level optional module that stops ``module`` from importing, or ``None`` if it imports."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        top = (error.name or "").split(".")[0]
        if top not in EXTRAS:
            raise
        return top
    return None


def require(modules: Sequence[str], needed_for: str) -> None:
    """Imports each of ``modules``; if some are missing, raises one error naming them and the extra.

    Args:
        modules: module names whose top-level package is a key of ``EXTRAS`` (``"sklearn.datasets"``).
        needed_for: what needs them, in the user's words (``"the 'digits' dataset"``).

    Raises:
        MissingExtraError: one line, e.g. ``the 'digits' dataset needs scikit-learn (not installed):
            pip install "biojax[data]"``.

    Example:
        >>> require(["sklearn.datasets"], "the 'digits' dataset")  # installed: nothing to say
    """
    missing = []
    for module in modules:
        top = _missing_top_level(module)
        if top is not None and top not in missing:
            missing.append(top)
    if missing:
        names = ", ".join(EXTRAS[m][0] for m in missing)
        raise MissingExtraError(f"{needed_for} needs {names} (not installed): {install_hint(missing)}",
                                name=missing[0])
