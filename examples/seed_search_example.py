"""The seed's hyperparameter-search README code, run with biojax (only the import changed).

Full run: the seed's Quick Start on Fashion-MNIST (needs the IDX files, see ``biojax.data``), its random
search and result access. ``--fast`` runs the same code on the offline ``digits`` dataset with 2
epochs, a 5000-parameter budget and the whole grid (6 of its 108 combinations fit that budget).

    python examples/seed_search_example.py --fast --out /tmp/seed_search
"""

import argparse
import os
import pathlib

from biojax.search import HyperparameterSearcher  # the seed: from hyperparameter_search import ...

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--fast", action="store_true")
parser.add_argument("--out", default=".")
args = parser.parse_args()
out = pathlib.Path(args.out)
out.mkdir(parents=True, exist_ok=True)
os.chdir(out)  # the seed writes "my_search_results.json" into the working directory
dataset, max_params, n_epochs = ("digits", 5000, 2) if args.fast else ("fashion-mnist", 8000, 15)
max_trials = None if args.fast else 20  # fast: all 108 combinations, 6 in budget on digits (3 buckets)

# ---- the seed's Quick Start, verbatim apart from the dataset, budget, epochs and max_trials variables ----
# Create searcher with 8000 parameter budget
searcher = HyperparameterSearcher(
    dataset=dataset,
    max_params=max_params,
    n_epochs=n_epochs,
    verbose=True
)

# Define parameter search space
param_grid = {
    'n_neurons': [8, 10, 12],
    'n_dendrites': [4, 6, 8],
    'n_dendrite_inputs': [64, 96, 128],
    'soma_enabled': [True, False],
    'architecture': ['dendritic_simple'],
    'synaptic_resampling': [True, False]
}

# Run search
searcher.grid_search(param_grid, max_trials=max_trials)

# View results
searcher.print_results(5)
searcher.save_results("my_search_results.json")

# ---- the seed's random search ----
param_distributions = {
    'n_neurons': (8, 15),  # Range
    'n_dendrites': [4, 6, 8, 10],  # Choices
    'n_dendrite_inputs': {'type': 'randint', 'low': 32, 'high': 200 if not args.fast else 64}
}
searcher.random_search(param_distributions, n_trials=50 if not args.fast else 1)

# ---- the seed's "Accessing Results" ----
best_results = searcher.get_best_results(5)
searcher.print_results(5)
searcher.save_results("results.json")
best = best_results[0]
print(f"Best config: {best.params}")
print(f"Accuracy: {best.test_accuracy:.3f}")
print(f"Parameters: {best.total_params}")
print(f"(ranked on validation accuracy {best.val_accuracy:.3f}; {len(searcher.skipped)} configurations skipped "
      f"with their reasons in searcher.skipped)")
