"""The API reference site builds offline in strict mode (mkdocs, mkdocs-material, mkdocstrings): one
page per subpackage, the README's sections as guides, the figures; a broken cross-reference fails it."""

import importlib.util
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

import biojax

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None,
                                reason="needs the docs extra: pip install -e '.[docs]'")
ROOT = pathlib.Path(__file__).resolve().parents[1]


def _build(root: pathlib.Path, site: pathlib.Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)


def test_the_site_builds_in_strict_mode_with_every_page(tmp_path):
    result = _build(ROOT, tmp_path / "site")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = tmp_path / "site"
    for name in biojax._SUBPACKAGES:
        page = (site / "api" / name / "index.html").read_text()
        assert f'id="biojax.{name}"' in page
    api = (site / "api" / "nn" / "index.html").read_text()
    assert 'id="biojax.nn.LTC"' in api and 'id="biojax.nn.DendriticLayer"' in api
    assert 'href="#biojax.nn.LTCCell"' in api, "Sphinx roles become links"
    assert ":class:" not in api
    sections = re.findall(r"^## (.+)$", (ROOT / "README.md").read_text(), flags=re.M)
    assert len(list((site / "guides").iterdir())) == len(sections)
    for figure in (ROOT / "docs" / "figures").glob("*.png"):
        assert (site / "figures" / figure.name).read_bytes() == figure.read_bytes()
    assert "../../figures/head_pruning.png" in (site / "guides" / "attention-head-pruning" / "index.html").read_text()


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    for name in ("biojax", "docs", "tools"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "mkdocs.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    bridge = tmp_path / "biojax" / "nnx" / "bridge.py"
    bridge.write_text(bridge.read_text().replace(":class:`~biojax.nn.CfC`", ":class:`~biojax.nn.NoSuchCell`"))
    result = _build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "biojax.nn.NoSuchCell" in result.stdout + result.stderr
