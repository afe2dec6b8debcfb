"""Keeping the winning trial of a search: its model variables at its best epoch, in a checkpoint directory.

A search started with ``save_best=DIR`` (``biojax search --save-best DIR``) trains every bucket with
``keep_best`` (:func:`~biojax.search.engine.make_bucket_fn`), so each trial's variables at the epoch the
leaderboard reports come out of the compiled program; whenever a bucket holds a trial better than the one
in ``DIR`` (higher validation accuracy, then lower validation loss), ``DIR`` is replaced atomically with a
:mod:`biojax.checkpoint` of it. The checkpoint's config records what rebuilds the model (architecture,
static model settings, classes, input shape) and the trial's :class:`~biojax.search.result.SearchResult`;
:func:`load_best` turns it back into a ready ``(model, variables)``.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import numpy as np

from biojax import checkpoint
from biojax.checkpoint.arrays import restore_into
from biojax.search.architecture import FactoryArchitecture, architecture_names, get_architecture
from biojax.search.leaderboard import best_results
from biojax.search.result import SearchResult

KIND = "biojax.search.best"


class BestModel(NamedTuple):
    """What :func:`load_best` returns: ``model.apply(variables, x)`` gives the winning trial's logits.

    Attributes:
        model: the Flax module, rebuilt from the saved architecture and static settings.
        variables: every collection of the trial at its best epoch: ``variables["params"]`` are the trained
            parameters; a dendritic model also has its ``"connectivity"`` collection.

    Example:
        >>> import flax.linen as nn
        >>> model, variables = BestModel(nn.Dense(2), {"params": {}})
        >>> type(model).__name__
        'Dense'
    """

    model: Any
    variables: dict[str, Any]


def _rank(result: SearchResult) -> tuple[float, float]:
    return -result.val_accuracy, result.val_loss


class BestKeeper:
    """Holds the best trial trained so far in the checkpoint directory ``path``.

    Args:
        path: the directory; it must not exist, or be a checkpoint written by a search's ``save_best``
            (anything else, a corrupt checkpoint included, raises ``ValueError`` and is left untouched).

    Attributes:
        saved: the :class:`~biojax.search.result.SearchResult` in ``path``, or ``None``.

    Example:
        >>> import tempfile
        >>> keeper = BestKeeper(tempfile.mkdtemp() + "/best")
        >>> keeper.saved is None
        True
    """

    def __init__(self, path: str | os.PathLike):
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"save_best must be a directory path, got {type(path).__name__}")
        self.path = pathlib.Path(path)
        self.saved: SearchResult | None = None
        if os.path.lexists(self.path):
            self.saved = read_best_result(self.path, argument="save_best")

    def forget(self) -> None:
        """Lets the next finished trial replace the checkpoint in ``path`` whatever its accuracy."""
        self.saved = None

    def offer(self, results: Sequence[SearchResult], variables: Any,
              describe: Callable[[Mapping[str, Any]], dict[str, Any]]) -> bool:
        """Saves the best of ``results`` if it beats :attr:`saved`; returns whether it did.

        Args:
            results: one bucket's results, in the order of the leading axis of ``variables``.
            variables: the bucket's best-epoch variables (leading trial axis).
            describe: ``describe(config)`` gives what rebuilds the trial's model (architecture name,
                ``model_config``, ``n_classes``, ``input_shape``; JSON data).
        """
        best = best_results(results, 1)
        if not best or (self.saved is not None and _rank(self.saved) <= _rank(best[0])):
            return False
        row = next(i for i, r in enumerate(results) if r is best[0])
        trial = jax.tree.map(lambda leaf: np.asarray(leaf[row]), variables)
        collections = {name: tree for name, tree in trial.items() if name != "params"}
        config = {"kind": KIND, **describe(best[0].params), "result": best[0].to_dict()}
        checkpoint.save(self.path, trial["params"], config=config, model_state=collections or None)
        self.saved = best[0]
        return True


def _best_config(path: pathlib.Path, argument: str) -> tuple[checkpoint.Checkpoint, dict[str, Any]]:
    try:
        saved = checkpoint.load(path)
    except (OSError, ValueError) as error:
        raise ValueError(f"{argument}: {path} is not a readable best-trial checkpoint ({error}); nothing was "
                         "changed there") from error
    config = saved.config
    if not isinstance(config, dict) or config.get("kind") != KIND:
        raise ValueError(f"{argument}: {path} is a biojax checkpoint but not one of a search's best trial "
                         f"(config kind {config.get('kind') if isinstance(config, dict) else None!r}, "
                         f"expected {KIND!r}); nothing was changed there")
    return saved, config


def read_best_result(path: str | os.PathLike, argument: str = "path") -> SearchResult:
    """The :class:`~biojax.search.result.SearchResult` of the trial saved in ``path`` by ``save_best``.

    Raises:
        ValueError: ``path`` is missing, corrupt, or not a best-trial checkpoint (named by ``argument``).

    Example:
        >>> import tempfile
        >>> read_best_result(tempfile.mkdtemp() + "/absent")
        Traceback (most recent call last):
        ...
        ValueError: path: ... is not a readable best-trial checkpoint (no checkpoint at ...: not a directory); nothing was changed there
    """
    return SearchResult.from_dict(_best_config(pathlib.Path(path), argument)[1]["result"])


def load_best(path: str | os.PathLike, model_factory: Callable[[dict, int], Any] | None = None) -> BestModel:
    """The best trial saved by a search's ``save_best`` (``biojax search --save-best DIR``), ready to use.

    The model is rebuilt from the saved architecture and static settings: a registered architecture
    (``dendritic_simple``, ``cfc``, ``ltc``, ...) by name, a search run with ``model_factory`` by the same
    factory. Its accuracy on the search's validation split is the leaderboard's ``val_accuracy``; the
    trial's whole result is :func:`read_best_result`.

    Args:
        path: the ``save_best`` directory.
        model_factory: the ``factory(config, n_classes)`` the search was given, if it was given one.

    Raises:
        FileNotFoundError: nothing at ``path``.
        ValueError: a corrupt, incomplete or foreign checkpoint, an architecture not registered in this
            process (without ``model_factory``), or variables that do not fit the rebuilt model.

    Example:
        >>> import tempfile, numpy as np, flax.linen as nn
        >>> from types import SimpleNamespace
        >>> from biojax.search import HyperparameterSearcher
        >>> x = np.random.default_rng(0).normal(size=(80, 4)).astype(np.float32); y = (x[:, 0] > 0).astype(np.int32)
        >>> data = SimpleNamespace(x_train=x[:48], y_train=y[:48], x_val=x[48:64], y_val=y[48:64],
        ...                        x_test=x[64:], y_test=y[64:], num_classes=2, input_shape=(4,))
        >>> factory = lambda config, n_classes: nn.Dense(n_classes)
        >>> best_dir = tempfile.mkdtemp() + "/best"
        >>> searcher = HyperparameterSearcher(data, max_params=10, n_epochs=3, batch_size=16, verbose=False,
        ...                                   model_factory=factory, save_best=best_dir)
        >>> _ = searcher.grid_search({"lr": [0.01, 0.1]})
        >>> model, variables = load_best(best_dir, model_factory=factory)
        >>> accuracy = float(np.mean(np.argmax(model.apply(variables, data.x_val), -1) == data.y_val))
        >>> accuracy == searcher.get_best_results(1)[0].val_accuracy
        True
    """
    path = pathlib.Path(path)
    if not os.path.lexists(path):
        raise FileNotFoundError(f"no best-trial checkpoint at {path} (a search's save_best directory)")
    saved, config = _best_config(path, "path")
    if model_factory is not None:
        architecture = FactoryArchitecture(model_factory)
    elif config["architecture"] in architecture_names():
        architecture = get_architecture(config["architecture"])
    else:
        raise ValueError(f"the best trial in {path} used architecture {config['architecture']!r}, which is not "
                         f"registered here (registered: {sorted(architecture_names())}); pass the search's "
                         "model_factory or register the architecture first")
    model = architecture.build(config["model_config"], config["n_classes"], tuple(config["input_shape"]))
    variables = {"params": saved.params, **(saved.model_state or {})}
    example = np.zeros((1, *config["input_shape"]), np.float32)
    expected = jax.eval_shape(model.init, jax.random.key(0), example)
    try:
        variables = restore_into(expected, variables, "variables")
    except ValueError as error:
        raise ValueError(f"the best trial in {path} does not fit the model rebuilt from its settings: {error}"
                         ) from error
    return BestModel(model, variables)
