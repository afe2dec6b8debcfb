"""What ``biojax search`` checks before it trains: extras, the dataset, the spec file, the budget.

Each check raises a ``ValueError`` that names the flag, its value and what is allowed (``biojax.cli.main``
prints it under the ``search`` usage), or a :class:`biojax.data.MissingExtraError` naming the extra.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

IDX_DATASETS = ("mnist", "fashion-mnist")
MODELS = ("dendritic", "cfc", "ltc")
OPTIMIZER_NAMES = ("adamw", "cosine", "bio")
LIQUID_EPOCHS = 60  # 64 trials of a 5,000-parameter CfC on MNIST-1D in 9 min 17 s on 2 cores (100: 15 min 24 s)
LIQUID_BATCH = 32
TRAINING_DEFAULTS = {"dendritic": {"epochs": 15, "batch_size": 256},
                     "cfc": {"epochs": LIQUID_EPOCHS, "batch_size": LIQUID_BATCH},
                     "ltc": {"epochs": LIQUID_EPOCHS, "batch_size": LIQUID_BATCH}}


def training_defaults(args: argparse.Namespace) -> None:
    """Fills ``--epochs`` and ``--batch-size`` the user left out with the defaults of ``--model``.

    A liquid network needs many more, smaller steps than a dendritic one: :data:`TRAINING_DEFAULTS` gives a
    CfC or LTC 60 epochs at batch 32 instead of the dendritic 15 epochs at batch 256, so that the README's
    64-trial MNIST-1D search fits in 10 minutes on a 2-core CPU (``--epochs 100`` is the longer schedule of
    the README's recipe).

    Example:
        >>> from types import SimpleNamespace
        >>> args = SimpleNamespace(model="cfc", epochs=None, batch_size=64)
        >>> training_defaults(args)
        >>> args.epochs == TRAINING_DEFAULTS["cfc"]["epochs"], args.batch_size
        (True, 64)
    """
    defaults = TRAINING_DEFAULTS[args.model]
    if args.epochs is None:
        args.epochs = defaults["epochs"]
    if args.batch_size is None:
        args.batch_size = defaults["batch_size"]


def require_search_extras(dataset: str) -> None:
    """Checks that the progress bars, the figure and ``dataset``'s generator can be imported.

    Raises:
        MissingExtraError: one line listing every missing package and the ``pip install`` for them.

    Example:
        >>> require_search_extras("digits")  # all installed: nothing to say
    """
    from biojax.data.optional import require
    from biojax.data.registry import DATASET_MODULES

    require(["tqdm.auto", "matplotlib", *DATASET_MODULES[dataset]], f"biojax search --dataset {dataset}")


def load_dataset(name: str, data_dir: str | os.PathLike | None, *, seed: int, subset_size: int | None,
                 as_sequence: bool = False) -> Any:
    """:func:`biojax.data.load` with the command's flags (as sequences for the liquid models); a missing IDX
    file is reported in the command's words.

    Example:
        >>> load_dataset("fashion-mnist", "/nonexistent", seed=0, subset_size=None)
        Traceback (most recent call last):
        ...
        ValueError: --dataset fashion-mnist reads its IDX files from /nonexistent, but ...
    """
    from biojax.cli.arguments import in_flag_words
    from biojax.data import load, missing_idx_files

    if name in IDX_DATASETS:
        folder, missing = missing_idx_files(name, data_dir)
        if missing:
            raise ValueError(
                f"--dataset {name} reads its IDX files from {folder}, but {', '.join(missing)} (plain or .gz) "
                f"{'is' if len(missing) == 1 else 'are'} not there: put them there, or pass --data-dir DIR, or set "
                f"BIOJAX_DATA_DIR=DIR to use DIR/{name} (README, section Datasets)")
    elif data_dir is not None:
        raise ValueError(f"--data-dir applies to --dataset {' or '.join(IDX_DATASETS)}, not to --dataset {name}")
    try:
        return load(name, seed=seed, subset_size=subset_size, data_dir=data_dir, as_sequence=as_sequence)
    except (ValueError, TypeError) as error:
        raise in_flag_words(error, {"subset_size": "--subset-size", "seed": "--seed"}) from None


def check_spec(flag: str, spec: Mapping[str, Any], *, grid: bool, model: str = "dendritic",
               input_shape: Sequence[int] | None = None) -> None:
    """Checks a ``--grid`` or ``--space`` spec for ``--model``: known setting names and well-formed values
    (and, given the dataset's ``input_shape``, settings bounded by the input width, such as a dendrite's fan-in).

    Example:
        >>> check_spec("--grid", {"n_neuron": [8]}, grid=True)
        Traceback (most recent call last):
        ...
        ValueError: --grid: unknown setting 'n_neuron' (did you mean 'n_neurons'?); ...
        >>> check_spec("--grid", {"n_dendrite_inputs": [65]}, grid=True, input_shape=(64,))
        Traceback (most recent call last):
        ...
        ValueError: --grid: n_dendrite_inputs must be <= the input width 64 (each dendrite reads distinct inputs), got 65
    """
    from biojax.search.space import check_distribution, grid_configs
    from biojax.search.trial_plan import TrialPlan

    plan = TrialPlan({}, default_architecture="dendritic_simple" if model == "dendritic" else model)
    try:
        plan.check_spec(spec, input_shape)
        if grid:
            grid_configs(spec)
        else:
            for name, value in spec.items():
                check_distribution(name, value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{flag}: {error}") from None


def default_configs(args: argparse.Namespace, dataset: Any, optimizer: str) -> list[dict[str, Any]]:
    """``--trials`` variants of up to ``--structures`` structures of ``--model`` inside the budget window.

    Raises:
        ValueError: no structure of the default space fits ``--max-params``/``--min-param-ratio``; for the
            dendritic model the message gives the range the space covers for this dataset.

    Example:
        >>> from types import SimpleNamespace
        >>> data = SimpleNamespace(input_shape=(40,), num_classes=10, name="mnist1d")
        >>> args = SimpleNamespace(model="dendritic", max_params=10, min_param_ratio=0.8, structures=2, trials=4,
        ...                        seed=0)
        >>> default_configs(args, data, "adamw")
        Traceback (most recent call last):
        ...
        ValueError: --max-params 10: the default search space has no dendritic structure with 8 to 10 ...
    """
    from biojax.search.scenarios import budget_structures, estimate_params, liquid_structures, traced_variants

    n_classes = dataset.num_classes
    if args.model != "dendritic":
        structures = liquid_structures(args.model, args.max_params, n_classes, dataset.input_shape,
                                       min_param_ratio=args.min_param_ratio, limit=args.structures)
        if not structures:
            raise ValueError(
                f"--max-params {args.max_params}: no NCP-wired {args.model} structure has "
                f"{args.min_param_ratio * args.max_params:g} to {args.max_params} parameters for {dataset.name}; "
                "raise --max-params or lower --min-param-ratio, or give your own --grid or --space")
        return traced_variants(structures, args.trials, seed=args.seed, optimizer=optimizer, resampling=())
    input_dim = math.prod(dataset.input_shape)
    structures = budget_structures(args.max_params, input_dim, n_classes, min_param_ratio=args.min_param_ratio,
                                   limit=args.structures, seed=args.seed)
    if not structures:
        every = budget_structures(10**12, input_dim, n_classes, min_param_ratio=0.0, limit=10**9)
        counts = [estimate_params(c["architecture"], c["n_neurons"], c["n_dendrites"], c["n_dendrite_inputs"],
                                  n_classes) for c in every]
        low = args.min_param_ratio * args.max_params
        raise ValueError(
            f"--max-params {args.max_params}: the default search space has no dendritic structure with "
            f"{low:g} to {args.max_params} parameters for {dataset.name} ({input_dim} inputs, {n_classes} classes); "
            f"its structures have {min(counts)} to {max(counts)} parameters: choose --max-params in that range "
            "(or lower --min-param-ratio), or give your own --grid or --space")
    return traced_variants(structures, args.trials, seed=args.seed, optimizer=optimizer)
