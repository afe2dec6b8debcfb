"""A missing optional dependency ends in one line that names the biojax extra installing it."""

import sys

import pytest

from biojax.data import MissingExtraError, load, require
from biojax.data.idx import default_data_dir, missing_idx_files
from biojax.data.optional import install_hint


def _block(monkeypatch, *modules):
    """Makes ``modules`` (and their submodules already imported) fail to import, as if not installed."""
    for name in [m for m in sys.modules if m.split(".")[0] in modules] + list(modules):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("name, module, package", [("digits", "sklearn", "scikit-learn"),
                                                  ("mnist1d", "mnist1d", "mnist1d")])
def test_loading_a_dataset_without_its_package_names_the_extra(monkeypatch, name, module, package):
    if name == "mnist1d":
        from biojax.data.mnist1d import _generate

        _generate.cache_clear()
    _block(monkeypatch, module)
    with pytest.raises(MissingExtraError) as info:
        load(name)
    assert str(info.value) == f"the '{name}' dataset needs {package} (not installed): pip install \"biojax[data]\""
    assert isinstance(info.value, ModuleNotFoundError) and info.value.name == module


def test_several_missing_packages_from_different_extras_ask_for_all(monkeypatch):
    _block(monkeypatch, "tqdm", "matplotlib")
    with pytest.raises(MissingExtraError) as info:
        require(["tqdm.auto", "matplotlib.pyplot", "json"], "x")
    assert str(info.value) == 'x needs tqdm, matplotlib (not installed): pip install "biojax[all]"'


def test_an_unrelated_missing_module_is_not_disguised(monkeypatch):
    monkeypatch.setitem(sys.modules, "not_an_extra", None)
    with pytest.raises(ModuleNotFoundError) as info:
        require(["not_an_extra"], "x")
    assert not isinstance(info.value, MissingExtraError)


def test_install_hint_rejects_unknown_modules():
    with pytest.raises(ValueError, match="modules must be a non-empty list of mnist1d, sklearn"):
        install_hint(["torch"])


def test_every_extra_named_exists_in_pyproject():
    import pathlib
    import tomllib

    from biojax.data.optional import EXTRAS

    pyproject = tomllib.loads((pathlib.Path(__file__).parents[2] / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    for package, extra in EXTRAS.values():
        assert any(req.startswith(package) for req in extras[extra]), (package, extra)


def test_idx_folders_expand_the_home_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BIOJAX_DATA_DIR", "~/data")
    assert default_data_dir("mnist") == tmp_path / "data" / "mnist"
    folder, missing = missing_idx_files("fashion-mnist", "~/fm")
    assert folder == tmp_path / "fm" and len(missing) == 4
