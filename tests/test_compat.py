"""Moved names and modules stay importable from their old paths, with a DeprecationWarning, for one release."""

import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

from biojax._compat import MOVED_MODULES, MOVED_NAMES

CHECK_ALL = """
import importlib, json, warnings
from biojax._compat import MOVED_MODULES, MOVED_NAMES

report = []
for package, names in MOVED_NAMES.items():
    module = importlib.import_module(package)
    for name, new in names.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            old_value = getattr(module, name)
        same = old_value is getattr(importlib.import_module(new), name)
        report.append([f"{package}.{name}", same, [str(w.message) for w in caught if w.category is DeprecationWarning]])
for old, new in MOVED_MODULES.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    same = module is importlib.import_module(new)
    report.append([old, same, [str(w.message) for w in caught if w.category is DeprecationWarning]])
print(json.dumps(report))
"""


def _fresh(script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "JAX_PLATFORMS": "cpu", "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env, capture_output=True, text=True,
                          timeout=300)


def test_every_old_path_gives_the_new_object_and_warns():
    result = _fresh(CHECK_ALL)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert len(report) == sum(map(len, MOVED_NAMES.values())) + len(MOVED_MODULES)
    for old, same, messages in report:
        assert same, old
        assert messages and all(f"{old} moved to " in m and "removed in biojax 0.3" in m for m in messages), old


def test_from_import_of_a_moved_name_warns_at_the_callers_line():
    result = _fresh("""
        import warnings
        warnings.simplefilter("error", DeprecationWarning)
        try:
            from biojax.wiring import prune_to_density
        except DeprecationWarning as warning:
            print("raised:", warning)
    """)
    assert "raised: biojax.wiring.prune_to_density moved to biojax.rewiring.prune_to_density" in result.stdout


def test_new_paths_do_not_warn():
    result = _fresh("""
        import warnings
        warnings.simplefilter("error", DeprecationWarning)
        from biojax.rewiring import prune_to_density
        from biojax.search import tune_hyperparameters, pareto_front
        from biojax.train import TrainState, make_epoch_fn, resampling_post_step
        from biojax.wiring import AutoNCP, SynapseWeights, mask_wiring
        import biojax.cli.search, biojax.cli.wiring, biojax.cli.env
        print("ok")
    """)
    assert result.stdout.split() == ["ok"], result.stderr[-3000:]


@pytest.mark.parametrize("package", sorted(MOVED_NAMES))
def test_unknown_names_still_raise_attribute_error(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        module.no_such_name  # noqa: B018
