#!/usr/bin/env bash
# Runs the tests with every runtime dependency at the lower bound that pyproject.toml declares.
#
# A fresh virtual environment gets biojax with the test extra, each `name>=X` of [project].dependencies
# pinned to `name==X` (and jaxlib to jax's version) through a pip constraints file; the other packages
# (test extras, flax's own dependencies) resolve to what pip finds compatible. Then pytest runs with the
# arguments given (default: the whole suite, `-n 2`). Usage, from anywhere:
#   bash tools/check_lower_bounds.sh                      # whole suite
#   bash tools/check_lower_bounds.sh tests/nnx -q         # a subset
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
python3 - pyproject.toml > "$work/constraints.txt" <<'PY'
import re, sys, tomllib

for dep in tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]:
    match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9][^,;]*)", dep.replace(" ", ""))
    if match is None:
        sys.exit(f"dependency {dep!r} is not of the form name>=version")
    name, lower = match.groups()
    print(f"{name}=={lower}")
    if name == "jax":
        print(f"jaxlib=={lower}")
PY
echo "lower bounds:" $(cat "$work/constraints.txt")
python3 -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
python -m pip install --quiet --upgrade pip
pip install --quiet -c "$work/constraints.txt" -e ".[test]"
python -c "import jax, jaxlib, flax, optax, chex, numpy; print('installed: jax', jax.__version__, 'jaxlib', jaxlib.__version__, 'flax', flax.__version__, 'optax', optax.__version__, 'chex', chex.__version__, 'numpy', numpy.__version__)"
if [ "$#" -eq 0 ]; then set -- -q -n 2; fi
JAX_PLATFORMS=cpu MPLBACKEND=Agg python -m pytest "$@"
