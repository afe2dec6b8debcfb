"""Every public class and function of every biojax subpackage has a docstring with a runnable example."""

import importlib
import importlib.util
import inspect

import pytest

import biojax


def public_objects():
    for package in biojax._SUBPACKAGES:
        if importlib.util.find_spec(f"biojax.{package}") is None:
            continue
        module = importlib.import_module(f"biojax.{package}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                yield f"biojax.{package}.{name}", obj


PUBLIC = sorted(public_objects(), key=lambda item: item[0])


def test_the_public_surface_is_not_empty():
    assert len(PUBLIC) >= 10


@pytest.mark.parametrize("qualified_name, obj", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_name_has_docstring_with_example(qualified_name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{qualified_name} has no docstring"
    assert ">>>" in doc, f"{qualified_name} has no example in its docstring"
