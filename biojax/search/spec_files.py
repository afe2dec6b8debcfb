"""Reading a grid or random-search spec from a JSON file, with errors that name the option and the file."""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any


def load_spec_file(path: str | os.PathLike, option: str = "spec file") -> dict[str, Any]:
    """The JSON object in ``path`` (a grid ``{name: [values]}`` or a random spec ``{name: list | {type: ...}}``).

    The keys and values are checked later, with the search's settings (:meth:`TrialPlan.check_spec`).

    Args:
        path: the ``.json`` file.
        option: how the caller names the file in messages, e.g. ``"--grid"``.

    Raises:
        ValueError: the file is missing, unreadable, not JSON, or not a JSON object; the message names
            ``option`` and ``path``.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "grid.json"
        >>> _ = path.write_text('{"lr": [0.001, 0.01]}')
        >>> load_spec_file(path, "--grid")
        {'lr': [0.001, 0.01]}
        >>> _ = path.write_text('{"lr": [0.001, }')
        >>> load_spec_file(path, "--grid")
        Traceback (most recent call last):
        ...
        ValueError: --grid .../grid.json is not valid JSON: Expecting value at line 1, column 16
    """
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{option} {path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{option} {path} is a directory; expected a JSON file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{option} {path} cannot be read: {error}") from None
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{option} {path} is not valid JSON: {error.msg} at line {error.lineno}, "
                         f"column {error.colno}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"{option} {path} must hold a JSON object {{setting: values}}, got a JSON "
                         f"{type(spec).__name__}")
    return spec
