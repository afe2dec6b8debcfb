"""Parameter-budget hyperparameter search with jit/vmap-batched trials.

Each public name is imported here on its own line; ``__all__`` lists every public name.
"""

from biojax.search.space import budget_status, grid_configs, sample_config
from biojax.search.search_space import SearchSpace, Setting
from biojax.search.architecture import (
    Architecture,
    FactoryArchitecture,
    architecture_names,
    get_architecture,
    register_architecture,
)
from biojax.search.dendritic import DendriticArchitecture
from biojax.search.liquid import LiquidArchitecture, SequenceClassifier
from biojax.search.optimizers import AdamW, AdamWCosine, BioRules, TrialOptimizer, get_optimizer
from biojax.search.trial_plan import TrialPlan
from biojax.search.buckets import Bucket, Trial, make_buckets
from biojax.search.engine import BucketTrainer, SplitData, make_bucket_fn, make_trial_fn
from biojax.search.store import ResultsStore
from biojax.search.results_lock import ResultsInUseError, ResultsLock
from biojax.search.cpu_devices import available_cores, use_cpu_cores
from biojax.search.compile_cache import use_compile_cache
from biojax.search.searcher import HyperparameterSearcher, SearchResult
from biojax.search.best_model import BestKeeper, BestModel, load_best, read_best_result
from biojax.search.optuna_adapter import optuna_search, suggest_config, tell_result
from biojax.search.optuna_worker import open_storage, optuna_worker, recover_trials
from biojax.search.ray_tune import ray_tune_search
from biojax.search.pareto import pareto_front
from biojax.search.wiring_tuning import TuningResult, tune_hyperparameters
from biojax.search.scenarios import compare_architectures, find_pareto_optimal, optimize_for_budget, quick_prototype_search, thorough_optimization

from types import ModuleType as _ModuleType

__all__ = sorted(
    _name
    for _name, _value in list(globals().items())
    if not _name.startswith("_") and not isinstance(_value, _ModuleType)
)
