"""Budgeted, vmapped search over NCP-wired CfC and LTC classifiers on a tiny sequence task."""

import json
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.cli import main
from biojax.nn import count_params
from biojax.search import HyperparameterSearcher, LiquidArchitecture
from biojax.search.engine import SplitData, make_trial_fn
from biojax.search.optimizers import AdamWCosine
from biojax.search.scenarios import liquid_structures, traced_variants

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import make_dataset  # noqa: E402


def _searcher(**kwargs):
    options = dict(max_params=1200, min_param_ratio=0.0, n_epochs=2, batch_size=32, verbose=False,
                   architecture="cfc", optimizer="cosine")
    options.update(kwargs)
    return HyperparameterSearcher(make_dataset(n_features=6), **options)


GRID = {"units": [8, 9], "output_size": [3], "proj_size": [3], "lr": [3e-3, 1e-2], "clip_norm": [1.0],
        "seed": [0, 1]}


def test_counts_are_exact_and_the_budget_window_applies():
    searcher = _searcher(max_params=1100, min_param_ratio=0.9)
    results = searcher.grid_search({**GRID, "units": [8, 9, 10, 14]})
    arch = LiquidArchitecture("cfc")
    for r in results + searcher.skipped:
        config = arch.space.resolve({k: v for k, v in r.params.items() if k in arch.space.settings})
        assert r.total_params == count_params(arch.build(config, 3, (6,)), (6,))
    assert {r.status for r in searcher.skipped} == {"over_budget", "under_budget"}
    assert all(990 <= r.total_params <= 1100 for r in results)


def test_one_compile_per_wiring_for_many_traced_variants():
    searcher = _searcher()
    results = searcher.grid_search(GRID)
    assert [r.status for r in results] == ["ok"] * 8
    assert len({r.bucket_id for r in results}) == 2  # two wirings (units 8, 9), four trials each
    assert sorted(searcher.trainer.trace_counts.values()) == [1, 1]
    assert all(np.isfinite(r.val_accuracy) for r in results)


def test_a_vmapped_liquid_trial_equals_the_trial_alone():
    d = make_dataset(n_features=6)
    data = SplitData.from_numpy(d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test)
    searcher = _searcher()
    configs = [searcher.plan.resolve({"units": 8, "output_size": 3, "proj_size": 3, "lr": lr, "seed": s})
               for lr, s in ((3e-3, 0), (1e-2, 5))]
    space = searcher.plan.space(configs[0])
    hparams, static = space.traced_arrays(configs), space.static_part(configs[0])
    model = LiquidArchitecture("cfc").build(configs[0], 3, (6,))
    batched = searcher.trainer.train("liquid", model, hparams, data, n_epochs=2, batch_size=32,
                                     optimizer=AdamWCosine(), optimizer_config=static)
    alone = jax.jit(make_trial_fn(model, n_epochs=2, batch_size=32, optimizer=AdamWCosine(),
                                  optimizer_config=static))
    for i in range(2):
        single = alone({k: jnp.asarray(v[i]) for k, v in hparams.items()}, data)
        for name, values in single.items():
            np.testing.assert_allclose(batched[name][i], np.asarray(values), rtol=1e-4, atol=1e-5, err_msg=name)


def test_ltc_trials_and_their_settings():
    searcher = _searcher(architecture="ltc")
    results = searcher.grid_search({"units": [8], "output_size": [3], "ode_unfolds": [2], "lr": [1e-2]})
    assert results[0].status == "ok" and results[0].params["ode_unfolds"] == 2
    with pytest.raises(ValueError, match="unknown setting 'proj_size'"):  # an LTC's classes are its motor neurons
        searcher.grid_search({"units": [8], "output_size": [3], "proj_size": [3]})


def test_wrong_output_width_is_an_invalid_trial_with_the_reason():
    searcher = _searcher()
    results = searcher.grid_search({"units": [8], "output_size": [4]})
    assert results == [] and searcher.skipped[0].status == "invalid"
    assert "output_size must equal the number of classes 3, got 4" in searcher.skipped[0].reason


def test_liquid_search_resumes_without_repeating_trials(tmp_path):
    path = tmp_path / "liquid.jsonl"
    first = _searcher(results_path=path).grid_search(GRID)
    again = _searcher(results_path=path)
    second = again.grid_search(GRID)
    assert [r.trial_id for r in first] == [r.trial_id for r in second]
    assert again.trainer.trace_counts == {} and len(path.read_text().splitlines()) == 8


def test_default_structures_and_variants_fit_the_budget():
    structures = liquid_structures("cfc", 5000, 10, (40, 1))
    assert structures and all(s["proj_size"] == 10 and s["mixed_memory"] for s in structures)
    assert {(s["output_size"], s["sparsity_level"]) for s in structures} == {(4, 0.1)}
    assert [s["units"] for s in liquid_structures("cfc", 5000, 10, (40, 1), limit=1)] == [structures[-1]["units"]]
    assert {s["output_size"] for s in liquid_structures("ltc", 5000, 10, (40, 1))} == {10}
    with pytest.raises(ValueError, match="sparsity_level must be in"):
        liquid_structures("cfc", 5000, 10, (40, 1), sparsity_level=0.95)
    configs = traced_variants(structures, 6, resampling=(), optimizer="cosine")
    assert len(configs) == 6 and {c["optimizer"] for c in configs} == {"cosine"}


def test_search_command_with_a_liquid_model(tmp_path):
    out = tmp_path / "cfc.jsonl"
    args = ["search", "--model", "cfc", "--dataset", "digits", "--max-params", "3000", "--epochs", "1",
            "--trials", "2", "--structures", "1", "--batch-size", "128", "--quiet", "--out", str(out)]
    assert main(args) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 and {r["params"]["architecture"] for r in records} == {"cfc"}
    assert {r["params"]["optimizer"] for r in records} == {"cosine"}
    assert all(2400 <= r["total_params"] <= 3000 for r in records)


def test_a_liquid_bucket_sharded_over_two_cpu_devices_finishes(tmp_path):
    """Regression: 8 CfC trials on 2 CPU devices used to wait for ever inside a batched QR at init."""
    import os
    import subprocess

    script = tmp_path / "two_devices.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(pathlib.Path(__file__).parent)!r})\n"
        "from biojax.search.cpu_devices import use_cpu_cores\n"
        "use_cpu_cores(2)\n"
        "import jax\n"
        "from biojax.search import HyperparameterSearcher\n"
        "from search_testkit import make_dataset\n"
        "assert len(jax.devices()) == 2\n"
        "s = HyperparameterSearcher(make_dataset(n_features=6), max_params=100000, min_param_ratio=0.0, n_epochs=1,\n"
        "                           batch_size=32, verbose=False, architecture='cfc', optimizer='cosine')\n"
        "results = s.grid_search({'units': [25], 'output_size': [3], 'proj_size': [3], 'seed': list(range(8))})\n"
        "print(len(results), len({r.bucket_id for r in results}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["8", "1"]
