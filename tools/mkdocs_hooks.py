"""MkDocs hooks that make the site's pages and navigation at build time, so nothing is written twice.

- ``index.md``: the README's introduction and its table of contents.
- ``guides/<section>.md``: one page per ``## `` section of the README (image paths made relative).
- ``api/<subpackage>.md``: one page per entry of ``biojax._SUBPACKAGES``, rendered by mkdocstrings from
  the docstrings, with the subpackage's ``__all__`` as its members (imported, as ``__all__`` is computed).
"""

import importlib
import importlib.util
import pathlib
import re

from mkdocs.structure.files import File, Files

ROOT = pathlib.Path(__file__).resolve().parents[1]


def subpackages() -> tuple[str, ...]:
    """The names in ``biojax._SUBPACKAGES``."""
    return tuple(importlib.import_module("biojax")._SUBPACKAGES)


def _shadowed(package: str, name: str, value: object) -> bool:
    """Whether ``package.name`` is a submodule that the package's ``__init__`` overwrites with ``value``."""
    return (getattr(value, "__module__", None) == f"{package}.{name}"
            and importlib.util.find_spec(f"{package}.{name}") is not None)


def api_page(name: str) -> str:
    """The mkdocstrings page of ``biojax.<name>``: its docstring and every name of its ``__all__``.

    A public function named like the submodule that defines it (``biojax.learning.crystallize``) is
    rendered from that submodule, as static analysis sees the submodule under the package's name.
    """
    package = f"biojax.{name}"
    module = importlib.import_module(package)
    members = list(getattr(module, "__all__", []))
    shadowed = [member for member in members if _shadowed(package, member, getattr(module, member))]
    listed = "".join(f"        - {member}\n" for member in members if member not in shadowed)
    page = f"# {package}\n\n::: {package}\n" + (f"    options:\n      members:\n{listed}" if listed else "")
    for member in shadowed:
        page += f"\n::: {package}.{member}.{member}\n    options:\n      heading_level: 2\n"
    return page


def slug(title: str) -> str:
    """A file name for a README section title: ``"Liquid cells (LTC, CfC)"`` -> ``"liquid-cells-ltc-cfc"``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def readme_sections() -> tuple[str, list[tuple[str, str]]]:
    """The README's introduction and its ``## `` sections as ``(title, markdown)``."""
    text = (ROOT / "README.md").read_text()
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return parts[0], [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def _guide(title: str, body: str) -> str:
    body = body.replace("](docs/figures/", "](../figures/").replace("](docs/", "](../")
    return f"# {title}\n{body}"


def _index(intro: str, sections: list[tuple[str, str]]) -> str:
    guides = "\n".join(f"- [{title}](guides/{slug(title)}.md)" for title, _ in sections)
    api = "\n".join(f"- [`biojax.{name}`](api/{name}.md)" for name in subpackages())
    return f"{intro}\n## Guides\n\n{guides}\n\n## API reference\n\n{api}\n"


def on_config(config):
    """The navigation: home, the README's guides and the other pages of ``docs/``, the API pages."""
    _, sections = readme_sections()
    guides = [{title: f"guides/{slug(title)}.md"} for title, _ in sections]
    guides += [{page.stem.replace("_", " ").capitalize(): page.name}
               for page in sorted((ROOT / "docs").glob("*.md"))]
    api = [{f"biojax.{name}": f"api/{name}.md"} for name in subpackages()]
    config["nav"] = [{"Home": "index.md"}, {"Guides": guides}, {"API reference": api}]
    return config


def on_files(files: Files, config) -> Files:
    """Adds the generated index, guide and API pages to the site."""
    intro, sections = readme_sections()
    pages = {"index.md": _index(intro, sections)}
    for title, body in sections:
        pages[f"guides/{slug(title)}.md"] = _guide(title, body)
    for name in subpackages():
        pages[f"api/{name}.md"] = api_page(name)
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files
