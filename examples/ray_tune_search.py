"""Ray Tune over biojax buckets: one Ray trial trains one bucket (a structure x many traced variants).

Each Ray Tune trial gets one structure (layer sizes) with ``--variants`` settings of the traced numbers
(learning rate, weight decay, resampling fraction, seed) and trains them as one vmapped bucket
(:func:`biojax.search.ray_tune_search`). The rows stream to ``OUT/results.jsonl``, the JSONL file
``biojax search --out`` writes; running the script again skips the finished buckets. Needs Ray
(``pip install "biojax[ray]"``); without it the script says so and exits with status 1.

    python examples/ray_tune_search.py --fast --out /tmp/ray_search
"""

import argparse
import math
import pathlib
import sys

from biojax.data.optional import MissingExtraError, require
from biojax.search import HyperparameterSearcher, ray_tune_search
from biojax.search.leaderboard import format_leaderboard
from biojax.search.scenarios import budget_structures, traced_variants


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="1 epoch, 4 variants, 2 structures")
    parser.add_argument("--out", default="ray_search", help="folder of results.jsonl (default ray_search)")
    args = parser.parse_args()
    try:
        require(["ray.tune"], "examples/ray_tune_search.py")
    except MissingExtraError as error:
        print(error, file=sys.stderr)
        return 1
    epochs, variants, n_structures = (1, 4, 2) if args.fast else (10, 32, 4)
    options = {"dataset": "mnist1d", "max_params": 8000, "n_epochs": epochs}
    probe = HyperparameterSearcher(dataset="mnist1d", verbose=False)
    structures = budget_structures(8000, math.prod(probe.input_shape), probe.n_classes, limit=n_structures)
    buckets = [traced_variants([structure], variants, seed=0, resampling=(True,)) for structure in structures]
    results = ray_tune_search(buckets, pathlib.Path(args.out) / "results.jsonl", searcher_options=options)
    print(format_leaderboard(results, 10, 0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
