"""A Griffe extension for the API site: biojax's reST-flavoured docstrings in mkdocstrings' terms.

- ``Example:`` sections become Google-style ``Examples:`` sections (code, not quoted text).
- An entry for several names (``min_factor, max_factor: bounds ...``) becomes one entry per name.
- Sphinx roles become cross-references: ``:class:`~biojax.nn.LTC``` a link titled ``LTC``,
  ``:func:`biojax.data.load``` one titled with the whole path; a relative name
  (``:meth:`WiredCfCCell.remat_by_default```) is resolved in the scope of the docstring's object, and a
  name given by its defining module (``biojax.learning.crystallize.crystallize``) links to where the
  site documents it (``biojax.learning.crystallize``).
- A name that exists but is on no page (private, or not in a subpackage's ``__all__``) becomes plain
  code. A name that does not exist stays a link to nothing, which fails the strict build.
"""

import importlib
import re
from collections.abc import Iterator

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|obj|exc):`(~?)([\w.]+)(?:\(\))?`")
EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.M)
SHARED_ENTRY = re.compile(r"^(\s+)(\w+(?:, \w+)+):(.*)$")


def _split_shared_entries(text: str) -> str:
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        match = SHARED_ENTRY.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent, names, first = match.groups()
        block = [first]
        i += 1
        while i < len(lines) and lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) > len(indent):
            block.append("\n" + lines[i])
            i += 1
        out.extend(f"{indent}{name}:{''.join(block)}" for name in names.split(", "))
    return "\n".join(out)


def _walk(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)


def _find(pkg: griffe.Module, path: str) -> griffe.Object | griffe.Alias | None:
    node = pkg
    try:
        for part in path.split(".")[1:]:
            node = node.members[part]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return node


def _documented(pkg: griffe.Module) -> dict[str, str]:
    """Every path the site documents, and the defining module's path of each, to its documented path."""
    paths: dict[str, str] = {}

    def add(public: str, obj: griffe.Object | griffe.Alias, rendered: str) -> None:
        paths[public] = rendered
        try:
            paths.setdefault(obj.canonical_path, rendered)
            members = obj.members if obj.is_class else {}
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            return
        for name, member in members.items():
            if not name.startswith("_") and member.has_docstring:
                add(f"{public}.{name}", member, f"{rendered}.{name}")

    for sub in importlib.import_module(pkg.name)._SUBPACKAGES:
        package = f"{pkg.name}.{sub}"
        paths[package] = package
        for name in getattr(importlib.import_module(package), "__all__", []):
            found = _find(pkg, f"{package}.{name}")
            if found is not None and found.is_module:
                # A function named like its submodule (biojax.learning.crystallize): see tools/mkdocs_hooks.py.
                found = found.members.get(name)
                if found is not None:
                    add(f"{package}.{name}", found, found.path)
            elif found is not None:
                add(f"{package}.{name}", found, f"{package}.{name}")
    return paths


def _resolve(obj: griffe.Object, name: str) -> str:
    if name.split(".")[0] == obj.package.name:
        return name
    first, _, rest = name.partition(".")
    scope = obj
    while scope is not None:
        if first in scope.members:
            path = scope.members[first].path
        else:
            try:
                path = scope.resolve(first)
            except (griffe.NameResolutionError, ValueError):
                scope = scope.parent
                continue
        return f"{path}.{rest}" if rest else path
    return name


def convert(pkg: griffe.Module, documented: dict[str, str], obj: griffe.Object, text: str) -> str:
    """``text`` with its ``Example:`` headers and Sphinx roles rewritten (see the module docstring)."""

    def replace(match: re.Match) -> str:
        short, name = match.group(1), match.group(2)
        title = f"`{name.rsplit('.', 1)[-1] if short else name}`"
        target = _resolve(obj, name)
        if target in documented:
            return f"[{title}][{documented[target]}]"
        if _find(pkg, target) is not None:
            return title
        return f"[{title}][{target}]"

    return ROLE.sub(replace, _split_shared_entries(EXAMPLE.sub(r"\1Examples:", text)))


class SphinxRoles(griffe.Extension):
    """Rewrites the docstring of every object of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        documented = _documented(pkg)
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = convert(pkg, documented, obj, obj.docstring.value)
