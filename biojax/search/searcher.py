"""``HyperparameterSearcher``: the seed's parameter-budget search, with trials trained in vmapped buckets.

Differences from the seed's searcher (reference B.3), all deliberate:

* Ranking uses a validation split (``val_accuracy``); test accuracy is reported at the epoch with the
  best validation accuracy and never used to choose. The seed ranks on last-epoch test accuracy.
* ``random_search(n_trials=k)`` keeps drawing until it has ``k`` distinct in-budget trials (at most
  ``50 * k`` draws); the seed draws ``k`` and silently drops those outside the budget. Every skipped
  configuration is kept in :attr:`HyperparameterSearcher.skipped` with its reason.
* ``grid_search(max_trials=...)`` subsamples with a generator seeded by ``seed`` (the seed uses
  unseeded ``random``), so a search can be repeated and resumed.
* The budget rule is exactly ``min_param_ratio * max_params <= params <= max_params`` (the seed floors
  the lower bound with ``int()``).
* ``train_time`` is the bucket's wall time (compile included) divided by its number of trials.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from biojax._validation import check_int, check_number
from biojax.search.architecture import Architecture, FactoryArchitecture
from biojax.search.best_model import BestKeeper
from biojax.search.bucket_runner import train_bucket
from biojax.search.buckets import Trial, make_buckets, short_hash
from biojax.search.engine import BucketTrainer, SplitData
from biojax.search.leaderboard import best_results, format_leaderboard
from biojax.search.result import SearchResult
from biojax.search.result_files import load_results, save_results
from biojax.search.results_lock import ResultsLock
from biojax.search.search_data import load_search_data
from biojax.search.space import budget_status, check_distribution, grid_configs, sample_config
from biojax.search.store import ResultsStore
from biojax.search.trial_plan import TrialPlan


class HyperparameterSearcher:
    """Parameter-budget hyperparameter search whose trials run as vmapped, sharded buckets.

    Args:
        dataset: a :func:`biojax.data.load` name (``"mnist1d"``, ``"digits"``, ``"mnist"``,
            ``"fashion-mnist"``) or an object with ``x_train, y_train, x_val, y_val, x_test, y_test``.
        max_params: most trainable parameters a kept configuration may have.
        min_param_ratio: configurations below ``min_param_ratio * max_params`` are skipped too.
        n_epochs, lr, weight_decay, batch_size: training defaults (a configuration may override each).
        n_classes: output classes (default: the dataset's ``num_classes``).
        subset_size: passed to :func:`biojax.data.load` to shrink the training set.
        seed: seeds data loading, sampling, and every trial without its own ``seed``.
        verbose: progress bars and messages; silent when ``False``.
        results_path: JSONL file streamed after every bucket; an existing file is resumed (its
            finished trials are not run again). The searcher holds an exclusive lock on it from the start
            (:class:`~biojax.search.results_lock.ResultsLock`) until :meth:`close` or garbage collection: a
            second search on the same file raises :class:`~biojax.search.results_lock.ResultsInUseError`,
            and an unwritable path raises ``ValueError`` before any training.
        resume: keep the finished trials of an existing ``results_path`` (default); ``False`` ignores them
            and replaces the file when the first bucket finishes.
        max_bucket_size: most trials per compiled call (bigger buckets are split).
        model_factory: ``factory(config, n_classes) -> flax Module`` for every configuration (its keys are
            not checked); default: the architecture each configuration names.
        val_fraction: validation share of the training data (for named datasets).
        architecture: the registered architecture (name) or :class:`~biojax.search.Architecture` of
            configurations without an ``"architecture"`` key (default ``"dendritic_simple"``).
        optimizer: ``"adamw"`` (default) or ``"bio"``, for configurations without an ``"optimizer"`` key.
        save_best: a directory that keeps the best trial trained so far (its variables at its best epoch,
            static settings and result; :mod:`biojax.search.best_model`), replaced atomically whenever a
            bucket beats it; :func:`~biojax.search.best_model.load_best` gives back ``(model, variables)``.
            It must be new or hold such a checkpoint: when resuming, a checkpoint of a trial in
            ``results_path`` stays the bar to beat; otherwise the first finished bucket replaces it.

    Example:
        >>> import numpy as np, flax.linen as nn
        >>> from types import SimpleNamespace
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(96, 4)).astype(np.float32); y = (x[:, 0] > 0).astype(np.int32)
        >>> data = SimpleNamespace(x_train=x[:64], y_train=y[:64], x_val=x[64:80], y_val=y[64:80],
        ...                        x_test=x[80:], y_test=y[80:], num_classes=2, input_shape=(4,))
        >>> factory = lambda config, n_classes: nn.Dense(n_classes)
        >>> searcher = HyperparameterSearcher(data, max_params=10, n_epochs=2, batch_size=16,
        ...                                   verbose=False, model_factory=factory)
        >>> results = searcher.grid_search({"lr": [0.01, 0.1]})
        >>> [r.status for r in results], results[0].total_params
        (['ok', 'ok'], 10)
    """

    def __init__(
        self,
        dataset: Any = "mnist1d",
        max_params: int = 8000,
        min_param_ratio: float = 0.8,
        n_epochs: int = 15,
        lr: float = 5e-4,
        weight_decay: float = 0.01,
        batch_size: int = 256,
        n_classes: int | None = None,
        subset_size: int | None = None,
        seed: int = 0,
        verbose: bool = True,
        results_path: str | pathlib.Path | None = None,
        *,
        max_bucket_size: int = 256,
        model_factory: Any = None,
        val_fraction: float = 0.1,
        architecture: str | Architecture = "dendritic_simple",
        optimizer: str = "adamw",
        resume: bool = True,
        save_best: str | pathlib.Path | None = None,
    ):
        self.max_params = check_int("max_params", max_params, minimum=1)
        self.min_param_ratio = check_number("min_param_ratio", min_param_ratio, minimum=0.0, maximum=1.0)
        self.n_epochs = check_int("n_epochs", n_epochs, minimum=1)
        self.lr = check_number("lr", lr, minimum=0.0, min_inclusive=False)
        self.weight_decay = check_number("weight_decay", weight_decay, minimum=0.0)
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.n_classes = None if n_classes is None else check_int("n_classes", n_classes, minimum=2)
        self.subset_size = None if subset_size is None else check_int("subset_size", subset_size, minimum=1)
        self.seed = check_int("seed", seed, minimum=0)
        self.verbose = bool(verbose)
        self.val_fraction = check_number("val_fraction", val_fraction, minimum=0.0, maximum=1.0, min_inclusive=False,
                                         max_inclusive=False)
        self.dataset_name = dataset if isinstance(dataset, str) else getattr(dataset, "name", type(dataset).__name__)
        self._dataset_arg = dataset
        self._dataset = None
        self._data: SplitData | None = None
        self.model_factory = model_factory
        defaults = {"lr": self.lr, "weight_decay": self.weight_decay, "seed": self.seed, "n_epochs": self.n_epochs,
                    "batch_size": self.batch_size, "optimizer": optimizer}
        if model_factory is not None:
            self.plan = TrialPlan(defaults, FactoryArchitecture(model_factory))
        elif isinstance(architecture, str):
            self.plan = TrialPlan(defaults, default_architecture=architecture)
        else:
            self.plan = TrialPlan(defaults, architecture)
        self.plan.resolve({})
        if not isinstance(resume, bool):
            raise TypeError(f"resume must be True or False, got {resume!r}")
        self.trainer = BucketTrainer(max_bucket_size=max_bucket_size)
        self.best_keeper = BestKeeper(save_best) if save_best is not None else None
        self._lock = ResultsLock(results_path) if results_path is not None else None
        self.store = ResultsStore(results_path, load=resume) if results_path is not None else None
        self.results: list[SearchResult] = []
        self.skipped: list[SearchResult] = []
        self._rng = np.random.default_rng(self.seed)
        if self.store is not None:
            for problem in self.store.problems:
                self._say(f"warning: {problem}")
        if self.best_keeper is not None and self.best_keeper.saved is not None:
            known = {record["trial_id"] for record in self.store.records} if self.store is not None else set()
            if self.best_keeper.saved.trial_id not in known:
                self._say(f"save_best: {self.best_keeper.path} holds trial {self.best_keeper.saved.trial_id}, "
                          "which is not among this search's results; the first finished bucket replaces it")
                self.best_keeper.forget()

    def close(self) -> None:
        """Releases the lock on ``results_path`` (also done when the searcher is garbage collected)."""
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> HyperparameterSearcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- data and models -------------------------------------------------------------------------
    def _say(self, message: str) -> None:
        if self.verbose:
            print(message, flush=True)

    @property
    def dataset(self):
        """The loaded dataset (loaded on first use)."""
        if self._dataset is None:
            layout = getattr(self.plan.default_architecture_object, "input_layout", "flat")
            self._dataset = load_search_data(self._dataset_arg, self.seed, self.subset_size, self.val_fraction,
                                             as_sequence=layout == "sequence")
            if self.n_classes is None:
                self.n_classes = int(getattr(self._dataset, "num_classes", int(np.max(self._dataset.y_train)) + 1))
        return self._dataset

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one input example."""
        return tuple(getattr(self.dataset, "input_shape", np.shape(self.dataset.x_train)[1:]))

    def _split_data(self) -> SplitData:
        if self._data is None:
            d = self.dataset
            self._data = SplitData.from_numpy(d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test)
        return self._data

    def _model(self, config: Mapping[str, Any]) -> tuple[Any, int]:
        _ = self.dataset
        return self.plan.model(config, self.n_classes, self.input_shape)

    def _describe_model(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return {"architecture": self.plan.parts(config)[0].name, "model_config": self.plan.model_config(config),
                "n_classes": self.n_classes, "input_shape": list(self.input_shape), "dataset": self.dataset_name}

    # -- preparing trials --------------------------------------------------------------------------
    def _prepare(self, config: Mapping[str, Any]) -> Trial | SearchResult:
        try:
            full = self.plan.resolve(config)
            _, n_params = self._model(full)
            status, reason = budget_status(n_params, self.max_params, self.min_param_ratio)
        except (ValueError, TypeError) as error:
            full, n_params, status, reason = dict(config), 0, "invalid", str(error)
        trial_id = short_hash({"config": full, "dataset": self.dataset_name, "subset_size": self.subset_size,
                               "val_fraction": self.val_fraction, "data_seed": self.seed})
        if status != "ok":
            nan = float("nan")
            return SearchResult(full, nan, nan, n_params, 0.0, nan, seed=int(full.get("seed", self.seed)),
                                status=status, trial_id=trial_id, reason=reason)
        return Trial(trial_id, full, n_params)

    # -- running ------------------------------------------------------------------------------------
    def run_configs(self, configs: list[Mapping[str, Any]]) -> list[SearchResult]:
        """Budget-filters, buckets and trains ``configs``; returns their results (resumed ones included).

        Example:
            >>> import numpy as np, flax.linen as nn
            >>> from types import SimpleNamespace
            >>> x = np.ones((32, 3), np.float32); y = np.zeros(32, np.int32)
            >>> data = SimpleNamespace(x_train=x, y_train=y, x_val=x, y_val=y, x_test=x, y_test=y, num_classes=2)
            >>> s = HyperparameterSearcher(data, max_params=8, n_epochs=1, batch_size=8, verbose=False,
            ...                            model_factory=lambda c, n: nn.Dense(n))
            >>> [r.status for r in s.run_configs([{"lr": 0.1}])], len(s.skipped)
            (['ok'], 0)
        """
        trials: list[Trial] = []
        seen: set[str] = set()
        for config in configs:
            prepared = self._prepare(config)
            if isinstance(prepared, SearchResult):
                self.skipped.append(prepared)
                self._say(f"skipped ({prepared.status}): {prepared.params} -> {prepared.reason}")
            elif prepared.trial_id not in seen:
                seen.add(prepared.trial_id)
                trials.append(prepared)
        done = {r.trial_id: r for r in self.results}
        if self.store is not None:
            for record in self.store.records:
                done.setdefault(record["trial_id"], SearchResult.from_dict(record))
        resumed = [done[t.trial_id] for t in trials if t.trial_id in done]
        for result in resumed:
            if result not in self.results:
                self.results.append(result)
        todo = [t for t in trials if t.trial_id not in done]
        if resumed:
            self._say(f"resuming: {len(resumed)} finished trial(s) skipped, {len(todo)} to run")
        new = self._train_trials(todo)
        self._check_best_saved()
        by_id = {r.trial_id: r for r in [*resumed, *new]}
        return [by_id[t.trial_id] for t in trials]

    def _train_trials(self, trials: list[Trial]) -> list[SearchResult]:
        if not trials:
            return []
        if self._lock is not None and not self._lock.held:
            raise ValueError(f"results_path {str(self._lock.path)!r}: this searcher was closed (its lock released); "
                             "make a new HyperparameterSearcher to keep searching")
        from tqdm.auto import tqdm

        buckets = make_buckets(trials, self.plan.static_part)
        data = self._split_data()
        results: list[SearchResult] = []
        with tqdm(total=len(trials), desc="trials", unit="trial", disable=not self.verbose) as overall:
            for number, bucket in enumerate(buckets, start=1):
                model, _ = self._model(bucket.static)
                bucket_results, variables = train_bucket(
                    self.trainer, self.plan, bucket, model, data, label=f"bucket {number}/{len(buckets)}",
                    verbose=self.verbose, keep_best=self.best_keeper is not None)
                if self.store is not None:
                    self.store.add([r.to_dict() for r in bucket_results])
                if self.best_keeper is not None and self.best_keeper.offer(bucket_results, variables,
                                                                           self._describe_model):
                    self._say(f"save_best: {self.best_keeper.path} now holds trial {self.best_keeper.saved.trial_id} "
                              f"(val accuracy {self.best_keeper.saved.val_accuracy:.4f})")
                self.results.extend(bucket_results)
                results.extend(bucket_results)
                overall.update(len(bucket.trials))
        return results

    def _check_best_saved(self) -> None:
        if self.best_keeper is None:
            return
        best = self.get_best_results(1)
        saved = self.best_keeper.saved
        if best and (saved is None or saved.trial_id != best[0].trial_id):
            self._say(f"warning: save_best: the leaderboard's best trial {best[0].trial_id} was trained in an "
                      f"earlier run without save_best, so its variables are not saved; {self.best_keeper.path} "
                      f"holds {'nothing' if saved is None else 'trial ' + saved.trial_id}")

    # -- the seed's API -----------------------------------------------------------------------------
    def grid_search(self, param_grid: Mapping[str, Any], max_trials: int | None = None) -> list[SearchResult]:
        """Runs every combination of ``param_grid`` (or ``max_trials`` of them, drawn with ``seed``).

        Example:
            >>> import numpy as np, flax.linen as nn
            >>> from types import SimpleNamespace
            >>> x = np.ones((32, 3), np.float32); y = np.zeros(32, np.int32)
            >>> data = SimpleNamespace(x_train=x, y_train=y, x_val=x, y_val=y, x_test=x, y_test=y, num_classes=2)
            >>> s = HyperparameterSearcher(data, max_params=8, n_epochs=1, batch_size=8, verbose=False,
            ...                            model_factory=lambda c, n: nn.Dense(n))
            >>> len(s.grid_search({"lr": [0.1, 0.2, 0.3]}, max_trials=2))
            2
        """
        self.plan.check_spec(param_grid, self.input_shape)
        return self.run_configs(grid_configs(param_grid, max_trials, rng=self._rng))

    def random_search(self, param_distributions: Mapping[str, Any], n_trials: int = 50) -> list[SearchResult]:
        """Draws configurations until ``n_trials`` distinct in-budget trials are found, then runs them.

        Example:
            >>> import numpy as np, flax.linen as nn
            >>> from types import SimpleNamespace
            >>> x = np.ones((32, 3), np.float32); y = np.zeros(32, np.int32)
            >>> data = SimpleNamespace(x_train=x, y_train=y, x_val=x, y_val=y, x_test=x, y_test=y, num_classes=2)
            >>> s = HyperparameterSearcher(data, max_params=8, n_epochs=1, batch_size=8, verbose=False,
            ...                            model_factory=lambda c, n: nn.Dense(n))
            >>> len(s.random_search({"lr": {"type": "loguniform", "low": 1e-3, "high": 1e-1}}, n_trials=3))
            3
        """
        n_trials = check_int("n_trials", n_trials, minimum=1)
        for name, spec in param_distributions.items():
            check_distribution(name, spec)
        self.plan.check_spec(param_distributions, self.input_shape)
        configs: list[dict[str, Any]] = []
        ids: set[str] = set()
        for _ in range(50 * n_trials):
            if len(configs) == n_trials:
                break
            config = sample_config(param_distributions, self._rng)
            prepared = self._prepare(config)
            if isinstance(prepared, SearchResult):
                self.skipped.append(prepared)
                self._say(f"skipped ({prepared.status}): {prepared.params} -> {prepared.reason}")
            elif prepared.trial_id not in ids:
                ids.add(prepared.trial_id)
                configs.append(config)
        if len(configs) < n_trials:
            self._say(f"warning: only {len(configs)} distinct in-budget configurations found in "
                      f"{50 * n_trials} draws (asked for {n_trials})")
        return self.run_configs(configs)

    def get_best_results(self, n: int = 10) -> list[SearchResult]:
        """The ``n`` best finished trials by validation accuracy (then lower validation loss).

        Example:
            >>> s = HyperparameterSearcher(verbose=False)
            >>> s.results = [SearchResult({}, 0.9, 0.9, 1, 0.0, 0.1, val_accuracy=v) for v in (0.5, 0.7)]
            >>> [r.val_accuracy for r in s.get_best_results(1)]
            [0.7]
        """
        return best_results(self.results, n)

    def format_results(self, n: int = 10) -> str:
        """The leaderboard of :meth:`get_best_results` as a text table (:func:`format_leaderboard`)."""
        return format_leaderboard(self.results, n, len(self.skipped))

    def print_results(self, n: int = 10) -> None:
        """Prints :meth:`format_results` (always, even when ``verbose=False``)."""
        print(self.format_results(n))

    def save_results(self, path: str | pathlib.Path) -> None:
        """Writes every result atomically: a JSON list for ``.json`` (the seed's format), JSON lines otherwise.

        Example:
            >>> import tempfile, pathlib
            >>> s = HyperparameterSearcher(verbose=False)
            >>> s.results = [SearchResult({"n_neurons": 8}, 0.9, 0.95, 7000, 1.0, 0.3, trial_id="x")]
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
            >>> s.save_results(path); s.load_results(path) == s.results
            True
        """
        save_results(self.results, path)

    def load_results(self, path: str | pathlib.Path) -> list[SearchResult]:
        """Reads results saved by :meth:`save_results` or streamed to ``results_path`` into :attr:`results`."""
        self.results, problems = load_results(path)
        for problem in problems:
            self._say(f"warning: {problem}")
        return self.results
