"""The seed's ready-made search scenarios, shaped for batched trials.

A compiled bucket trains every trial that shares its structure at once, so the scenarios pick a few
structures that fit the budget and give each many *traced* variants (learning rate, weight decay,
resampling fraction, seed). :func:`budget_structures` finds structures with the closed-form counts of
reference B.1/B.3; the searcher then checks every one with the exact count.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from biojax._validation import check_int, check_number
from biojax.nn import param_formula
from biojax.nn.dendritic_models import ARCHITECTURES
from biojax.search.architecture import get_architecture
from biojax.search.pareto import pareto_front
from biojax.search.searcher import HyperparameterSearcher, SearchResult

TRACED_SPACE = {
    "lr": {"type": "loguniform", "low": 3e-4, "high": 1e-2},
    "weight_decay": {"type": "loguniform", "low": 1e-3, "high": 5e-2},
    "percentage_resample": {"type": "uniform", "low": 0.05, "high": 0.4},
}
LIQUID_SPARSITY = 0.1
CFC_MOTOR_NEURONS = 4
LIQUID_TRACED_SPACE = {
    "lr": {"type": "loguniform", "low": 4e-3, "high": 2e-2},
    "weight_decay": {"type": "loguniform", "low": 1e-5, "high": 1e-3},
    "warmup_fraction": {"type": "uniform", "low": 0.0, "high": 0.1},
    "end_lr_fraction": {"type": "uniform", "low": 0.0, "high": 0.1},
    "clip_norm": {"type": "loguniform", "low": 0.5, "high": 3.0},
}
BIO_TRACED_SPACE = {
    "fuzzy_learning_rate_factor_nu": {"type": "loguniform", "low": 0.02, "high": 0.3},
    "rejuvenation_parameter_dre": {"type": "uniform", "low": 4.0, "high": 20.0},
}


def estimate_params(architecture: str, n_neurons: int, n_dendrites: int, n_dendrite_inputs: int,
                    n_classes: int) -> int:
    """Closed-form count (:func:`biojax.nn.param_formula`, hidden width ``n_neurons``) to propose structures.

    Example:
        >>> estimate_params("dendritic_simple", 10, 6, 128, 10)
        7920
    """
    return param_formula(architecture, n_classes=n_classes, n_neurons=n_neurons, n_dendrites=n_dendrites,
                         n_dendrite_inputs=n_dendrite_inputs, hidden_size=n_neurons,
                         soma_enabled=architecture != "soma_disabled")


def budget_structures(max_params: int, input_dim: int, n_classes: int, *, min_param_ratio: float = 0.8,
                      architectures: Sequence[str] = ("dendritic_simple",), limit: int = 4,
                      seed: int = 0) -> list[dict[str, Any]]:
    """Up to ``limit`` structures whose estimated count lies in the budget window, spread over sizes.

    Example:
        >>> s = budget_structures(8000, 40, 10, limit=2)
        >>> len(s), all(6400 <= estimate_params(c["architecture"], c["n_neurons"], c["n_dendrites"],
        ...                               c["n_dendrite_inputs"], 10) <= 8000 for c in s)
        (2, True)
    """
    limit = check_int("limit", limit, minimum=1)
    k_values = sorted({min(input_dim, k) for k in (8, 16, 32, 64, 128)})
    low = min_param_ratio * max_params
    candidates = []
    for arch in architectures:
        for k in k_values:
            for nd in range(2, 17):
                for nn in range(2, 129):
                    n = estimate_params(arch, nn, nd, k, n_classes)
                    if low <= n <= max_params:
                        candidates.append({"architecture": arch, "n_neurons": nn, "n_dendrites": nd,
                                           "n_dendrite_inputs": k, "soma_enabled": arch != "soma_disabled"})
                    if n > max_params:
                        break
    if len(candidates) <= limit:
        return candidates
    rng = np.random.default_rng(seed)
    picks = []
    for arch in architectures:  # the same number of structures for every architecture
        pool = [c for c in candidates if c["architecture"] == arch]
        share = max(1, limit // len(architectures))
        if pool:
            picks += [pool[int(i)] for i in np.sort(rng.choice(len(pool), size=min(share, len(pool)), replace=False))]
    return picks[:limit]


def liquid_structures(architecture: str, max_params: int, n_classes: int, input_shape: Sequence[int], *,
                      min_param_ratio: float = 0.8, limit: int = 4,
                      sparsity_level: float = LIQUID_SPARSITY) -> list[dict[str, Any]]:
    """Up to ``limit`` NCP-wired ``"cfc"`` or ``"ltc"`` structures in the budget window (exact counts), spread
    over sizes: ``AutoNCP(units, motor_neurons, sparsity_level=sparsity_level)`` with mixed memory, for a CfC a
    ``proj_size`` read-out (ncps's NCP-wired CfC does not learn MNIST-1D without both;
    ``reference/measured_anchors.md``). Behind the read-out a CfC needs no motor neuron per class: it
    gets :data:`CFC_MOTOR_NEURONS` (4) and its other neurons become inter and command neurons; an LTC has
    one motor neuron per class. The default sparsity, :data:`LIQUID_SPARSITY` (0.1, the densest NCP wiring
    ``AutoNCP`` allows) learned MNIST-1D better than ncps's 0.5 under the same budget, and 4 motor neurons as
    well as 10 with one more unit (README, "Liquid networks in the search"). When the window holds more
    than ``limit`` sizes, the largest is always among those picked.

    Example:
        >>> [s["units"] for s in liquid_structures("cfc", 5000, 10, (40, 1), limit=3)]
        [24, 25, 26]
        >>> [s["units"] for s in liquid_structures("cfc", 5000, 10, (40, 1), limit=1)]
        [26]
    """
    limit = check_int("limit", limit, minimum=1)
    arch = get_architecture(architecture)
    motor = min(CFC_MOTOR_NEURONS, n_classes) if architecture == "cfc" else n_classes
    base = {"architecture": architecture, "output_size": motor, "mixed_memory": True,
            "sparsity_level": check_number("sparsity_level", sparsity_level, minimum=0.1, maximum=0.9)}
    if architecture == "cfc":
        base["proj_size"] = n_classes
    candidates = []
    for units in range(n_classes + 3, 257):
        config = arch.space.resolve({k: v for k, v in base.items() if k != "architecture"} | {"units": units})
        n = arch.count_params(config, n_classes, input_shape)
        if n > max_params:
            break
        if n >= min_param_ratio * max_params:
            candidates.append({**base, "units": units})
    if len(candidates) <= limit:
        return candidates
    picks = np.unique(np.linspace(len(candidates) - 1, 0, limit).round().astype(int))
    return [candidates[int(i)] for i in picks]


def traced_variants(structures: list[dict[str, Any]], n_trials: int, *, seed: int = 0,
                    resampling: Sequence[bool] = (True, False), optimizer: str = "adamw") -> list[dict[str, Any]]:
    """``n_trials`` configurations spread over ``structures`` x ``resampling``, traced numbers drawn at random.

    Liquid structures (sequence architectures such as ``"cfc"``) and ``optimizer="cosine"`` draw from
    :data:`LIQUID_TRACED_SPACE`, the others from :data:`TRACED_SPACE`; with ``optimizer="bio"`` every
    configuration also draws the paper's two bio-rule numbers (fuzzy ``nu`` and rejuvenation ``dre``,
    :data:`BIO_TRACED_SPACE`), all in the same buckets. Only the numbers a trial's architecture and
    optimizer declare are drawn (no warm-up for plain AdamW, no resampling fraction for a CfC).

    Example:
        >>> configs = traced_variants([{"n_neurons": 8}], 4, resampling=(True,))
        >>> len(configs), sorted(configs[0])
        (4, ['lr', 'n_neurons', 'percentage_resample', 'seed', 'synaptic_resampling', 'weight_decay'])
        >>> sorted(traced_variants([{"n_neurons": 8}], 1, optimizer="bio")[0])[:3]
        ['fuzzy_learning_rate_factor_nu', 'lr', 'n_neurons']
        >>> sorted(traced_variants([{"architecture": "cfc", "units": 20}], 1, resampling=())[0])
        ['architecture', 'lr', 'seed', 'units', 'weight_decay']
    """
    from biojax.search.space import sample_config
    from biojax.search.trial_plan import TrialPlan

    n_trials = check_int("n_trials", n_trials, minimum=1)
    rng = np.random.default_rng(seed)
    shapes = [{**s, "synaptic_resampling": r} for s in structures for r in resampling] or list(structures)
    plan = TrialPlan({})
    configs = []
    for i in range(n_trials):
        shape = {**shapes[i % len(shapes)], **({"optimizer": optimizer} if optimizer != "adamw" else {})}
        trial_space = plan.space(shape)
        layout = getattr(get_architecture(shape.get("architecture", plan.default_architecture)), "input_layout", "flat")
        space = dict(LIQUID_TRACED_SPACE if optimizer == "cosine" or layout == "sequence" else TRACED_SPACE)
        if optimizer == "bio":
            space.update(BIO_TRACED_SPACE)
        drawn = sample_config(space, rng)
        config = {**shape, **{k: v for k, v in drawn.items() if k in trial_space.settings}}
        config["seed"] = seed + i
        configs.append(config)
    return configs


def _searcher(dataset: str, max_params: int, defaults: dict[str, Any], overrides: dict[str, Any]):
    return HyperparameterSearcher(dataset=dataset, max_params=max_params, **{**defaults, **overrides})


def _best(searcher: HyperparameterSearcher) -> SearchResult | None:
    best = searcher.get_best_results(1)
    return best[0] if best else None


def _run(searcher: HyperparameterSearcher, n_trials: int, n_structures: int, architectures=("dendritic_simple",)):
    structures = budget_structures(searcher.max_params, math.prod(searcher.input_shape), searcher.n_classes,
                                   min_param_ratio=searcher.min_param_ratio, architectures=architectures,
                                   limit=n_structures, seed=searcher.seed)
    return searcher.run_configs(traced_variants(structures, n_trials, seed=searcher.seed))


def quick_prototype_search(max_params: int = 5000, dataset: str = "mnist", n_trials: int = 16,
                           **searcher_kwargs: Any) -> SearchResult | None:
    """Fast screen: 8 epochs, batch 512, two structures; returns the best result (by validation).

    Example:
        >>> callable(quick_prototype_search)  # trains; see examples/seed_search_example.py
        True
    """
    searcher = _searcher(dataset, max_params, {"n_epochs": 8, "batch_size": 512}, searcher_kwargs)
    _run(searcher, n_trials, 2)
    return _best(searcher)


def optimize_for_budget(max_params: int = 8000, dataset: str = "fashion-mnist", n_trials: int = 32,
                        **searcher_kwargs: Any) -> SearchResult | None:
    """Best model within a budget: 10 epochs, four structures sized to the budget.

    Example:
        >>> callable(optimize_for_budget)
        True
    """
    searcher = _searcher(dataset, max_params, {"n_epochs": 10}, searcher_kwargs)
    _run(searcher, n_trials, 4)
    return _best(searcher)


def compare_architectures(max_params: int = 8000, dataset: str = "fashion-mnist", n_trials_per_arch: int = 8,
                          **searcher_kwargs: Any) -> dict[str, SearchResult | None]:
    """Same budget for each architecture, 12 epochs; returns the best result per architecture.

    Example:
        >>> callable(compare_architectures)
        True
    """
    searcher = _searcher(dataset, max_params, {"n_epochs": 12}, searcher_kwargs)
    _run(searcher, n_trials_per_arch * len(ARCHITECTURES), 2 * len(ARCHITECTURES), ARCHITECTURES)
    best: dict[str, SearchResult | None] = {}
    for arch in ARCHITECTURES:
        ranked = [r for r in searcher.get_best_results(len(searcher.results) or 1)
                  if r.params.get("architecture") == arch]
        best[arch] = ranked[0] if ranked else None
    return best


def thorough_optimization(max_params: int = 8000, dataset: str = "fashion-mnist", n_trials: int = 32,
                          n_refine: int = 16, seeds: Sequence[int] = (42, 123, 456),
                          **searcher_kwargs: Any) -> SearchResult | None:
    """Two phases (20 epochs): a broad search, then the best structure refined with several seeds.

    Phase two keeps the best trial's structure and draws learning rate, weight decay and resampling
    fraction in a factor-of-3 band around its values, each repeated for every seed; the winner is the
    refined setting with the best mean validation accuracy over seeds (its first-seed result is returned).

    Example:
        >>> callable(thorough_optimization)
        True
    """
    searcher = _searcher(dataset, max_params, {"n_epochs": 20}, searcher_kwargs)
    _run(searcher, n_trials, 6)
    best = _best(searcher)
    if best is None:
        return None
    rng = np.random.default_rng(searcher.seed + 1)
    centre = best.params
    refined = []
    for i in range(check_int("n_refine", n_refine, minimum=1)):
        numbers = {
            "lr": float(centre["lr"] * np.exp(rng.uniform(-math.log(3), math.log(3)))),
            "weight_decay": float(centre["weight_decay"] * np.exp(rng.uniform(-math.log(3), math.log(3)))),
            "percentage_resample": float(np.clip(centre.get("percentage_resample", 0.25) * rng.uniform(0.5, 1.5),
                                                 0.01, 0.9)),
        }
        model_keys = {k: v for k, v in centre.items() if k not in ("seed", *numbers)}
        refined.append([{**model_keys, **numbers, "seed": int(s), "refine_group": i} for s in seeds])
    groups = [searcher.run_configs([{k: v for k, v in c.items() if k != "refine_group"} for c in group])
              for group in refined]
    scored = [(np.mean([r.val_accuracy if r.status == "ok" else -1.0 for r in g]), g) for g in groups if g]
    return max(scored, key=lambda item: item[0])[1][0] if scored else best


def find_pareto_optimal(budgets: Sequence[int] = (2000, 4000, 8000), dataset: str = "fashion-mnist",
                        n_trials: int = 8, **searcher_kwargs: Any) -> list[SearchResult]:
    """Searches several budgets and returns the accuracy-vs-params Pareto front (on validation accuracy).

    Example:
        >>> callable(find_pareto_optimal)
        True
    """
    results: list[SearchResult] = []
    for budget in budgets:
        searcher = _searcher(dataset, int(budget), {"n_epochs": 10}, searcher_kwargs)
        _run(searcher, n_trials, 2)
        results += searcher.results
    return pareto_front(results)
