"""The package structure: the layer contract of pyproject.toml holds (and catches a back-edge, even a
function-local one), every subpackage has a layer, and no module is over 400 lines."""

import os
import pathlib
import shutil
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def _lint(cwd: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs import-linter with ``cwd/pyproject.toml`` on the ``biojax`` package found in ``cwd``."""
    return subprocess.run([sys.executable, "-c", LINT], cwd=cwd, env={**os.environ, "PYTHONPATH": str(cwd)},
                          capture_output=True, text=True, timeout=300)


def _copy_of_biojax(tmp_path: pathlib.Path) -> pathlib.Path:
    shutil.copytree(ROOT / "biojax", tmp_path / "biojax", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_biojax_layers_run_one_way(tmp_path):
    result = _lint(_copy_of_biojax(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "back_edge", "broken", "line"),
    [
        ("wiring/base.py", "def _bad():\n    from biojax.nn import LTC\n",
         "biojax.wiring is not allowed to import biojax.nn", "- biojax.wiring.base -> biojax.nn"),
        ("learning/bio_config.py", "import biojax.train\n",
         "biojax.learning is not allowed to import biojax.train", "- biojax.learning.bio_config -> biojax.train"),
        ("search/pareto.py", "def _bad():\n    import biojax.viz.search_plots\n",
         "biojax.search is not allowed to import biojax.viz", "- biojax.search.pareto -> biojax.viz.search_plots"),
        ("pruning/entropy.py", "from biojax.search import store\n",
         "biojax.pruning is not allowed to import biojax.search", "- biojax.pruning.entropy -> biojax.search"),
        ("checkpoint/files.py", "import biojax.train\n",
         "biojax.checkpoint is not allowed to import biojax.train", "- biojax.checkpoint.files -> biojax.train"),
        ("nnx/bridge.py", "def _bad():\n    from biojax.learning import bio_optimizer\n",
         "biojax.nnx is not allowed to import biojax.learning", "- biojax.nnx.bridge -> biojax.learning"),
        ("checkpoint/arrays.py", "import biojax.search\n",
         "biojax.checkpoint is not allowed to import biojax.search", "- biojax.checkpoint.arrays -> biojax.search"),
    ],
)
def test_a_back_edge_breaks_the_contract(tmp_path, module, back_edge, broken, line):
    copy = _copy_of_biojax(tmp_path)
    with open(copy / "biojax" / module, "a", encoding="utf-8") as handle:
        handle.write("\n\n" + back_edge)
    result = _lint(copy)
    assert result.returncode == 1, result.stdout
    assert broken in result.stdout and line in result.stdout, result.stdout


def test_every_subpackage_has_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    named = {name.strip() for layer in config["layers"] for name in layer.replace(":", "|").split("|")}
    present = {p.stem for p in (ROOT / "biojax").iterdir() if p.name != "__init__.py" and
               (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert config["exhaustive"] is True
    assert present == named


def test_no_module_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in (ROOT / "biojax").rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > 400} == {}
