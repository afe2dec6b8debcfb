"""Argument types for the ``biojax`` command: each checks one flag's value when the command line is read.

A bad value ends as ``biojax search: error: argument --trials: must be an integer >= 1, got '0'`` under
the sub-command's usage (exit status 2). The types import nothing heavy, so building the parser stays fast.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import re
from collections.abc import Callable, Mapping
from typing import Any


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: an integer ``>= minimum``.

    Example:
        >>> int_at_least(1)("3")
        3
        >>> int_at_least(1)("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: must be an integer >= 1, got '0'
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {text!r}")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse


def number_in(low: float, high: float = math.inf, *, low_inclusive: bool = True) -> Callable[[str], float]:
    """An argparse type: a finite number in ``[low, high]`` (or ``(low, high]``).

    Example:
        >>> number_in(0.0, 1.0)("0.8")
        0.8
        >>> number_in(0.0, low_inclusive=False)("0")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: must be a number > 0.0, got '0'
    """
    if math.isfinite(high):
        bound = f"in {'[' if low_inclusive else '('}{low}, {high}]"
    else:
        bound = f"{'>=' if low_inclusive else '>'} {low}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        above = value >= low if low_inclusive else value > low
        if not (math.isfinite(value) and above and value <= high):
            raise argparse.ArgumentTypeError(f"must be a number {bound}, got {text!r}")
        return value

    parse.__name__ = f"number {bound}"
    return parse


def one_of(names: Callable[[], tuple[str, ...]]) -> Callable[[str], str]:
    """An argparse type: one of ``names()`` (a function, so the names are only imported when a value is read).

    Example:
        >>> one_of(lambda: ("a", "b"))("c")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: must be one of a, b, got 'c'
    """

    def parse(text: str) -> str:
        allowed = names()
        if text not in allowed:
            raise argparse.ArgumentTypeError(f"must be one of {', '.join(allowed)}, got {text!r}")
        return text

    parse.__name__ = "name"
    return parse


def json_object_file(text: str) -> dict[str, Any]:
    """An argparse type: the path of a JSON file holding one object (``{name: values, ...}``), read now.

    Example:
        >>> json_object_file("/nonexistent.json")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: cannot read '/nonexistent.json': no such file
    """
    path = pathlib.Path(text)
    if not path.is_file():
        reason = "it is a directory" if path.is_dir() else "no such file"
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: {reason}")
    try:
        value = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as error:
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: {error}") from None
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"{text!r} must hold a JSON object {{name: values, ...}}, got a JSON {type(value).__name__}")
    return value


def _in_existing_folder(path: pathlib.Path, text: str) -> pathlib.Path:
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"the folder '{path.parent}' of {text!r} does not exist")
    return path


def writable_file(text: str) -> pathlib.Path:
    """An argparse type: a file path whose folder exists (the file itself may not exist yet).

    Example:
        >>> writable_file("/nonexistent/results.jsonl")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: the folder '/nonexistent' of '/nonexistent/results.jsonl' does not exist
    """
    path = pathlib.Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
    return _in_existing_folder(path, text)


def new_directory_path(text: str) -> pathlib.Path:
    """An argparse type: a directory path whose parent folder exists (the directory itself may not yet).

    Example:
        >>> new_directory_path("/nonexistent/best")
        Traceback (most recent call last):
        ...
        argparse.ArgumentTypeError: the folder '/nonexistent' of '/nonexistent/best' does not exist
    """
    path = pathlib.Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file; give a directory")
    return _in_existing_folder(path, text)


def in_flag_words(error: Exception, flags: Mapping[str, str]) -> ValueError:
    """``error`` as a ``ValueError`` whose message names the flag instead of the Python argument.

    Args:
        error: raised by library code, its message starting with an argument name (``"units must ..."``).
        flags: Python argument name -> flag (``{"units": "--units"}``).

    Example:
        >>> in_flag_words(ValueError("output_size must be an integer in [1, 2], got 4"), {"output_size": "--outputs"})
        ValueError('--outputs must be an integer in [1, 2], got 4')
    """
    message = str(error)
    match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", message)
    if match and match.group(0) in flags:
        message = flags[match.group(0)] + message[match.end():]
    return ValueError(message)
