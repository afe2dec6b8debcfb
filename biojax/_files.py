"""Writing a file or a directory so that readers see either the old or the new contents, never a part
(private)."""

from __future__ import annotations

import os
import pathlib
import secrets
import shutil
from collections.abc import Mapping


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Writes ``text`` to a new file beside ``path``, flushes it to disk, then renames it over ``path``.

    A crash at any moment leaves either the previous file or the complete new one. The temporary file
    is created with mode ``0o666`` and the process umask applied by the operating system, so the result
    has the usual permissions of a file the user writes; the umask is never read or changed.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "out" / "notes.txt"
        >>> write_text_atomically(path, "first\\n"); write_text_atomically(path, "second\\n")
        >>> path.read_text(), sorted(p.name for p in path.parent.iterdir())
        ('second\\n', ['notes.txt'])
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_directory_atomically(path: str | os.PathLike, files: Mapping[str, bytes]) -> None:
    """Writes ``files`` (name to contents) into a new directory beside ``path``, then swaps it in.

    Every file is flushed to disk before the swap. An existing ``path`` is renamed aside, the new
    directory renamed to ``path``, and only then the old one deleted; if anything fails before the swap,
    the new directory is removed and ``path`` is left as it was.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ckpt"
        >>> write_directory_atomically(path, {"a.txt": b"1"}); write_directory_atomically(path, {"b.txt": b"2"})
        >>> sorted(p.name for p in path.iterdir()), sorted(p.name for p in path.parent.iterdir())
        (['b.txt'], ['ckpt'])
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    tmp, old = path.with_name(f".{path.name}.{token}.tmp"), path.with_name(f".{path.name}.{token}.old")
    tmp.mkdir()
    try:
        for name, data in files.items():
            if pathlib.Path(name).name != name:
                raise ValueError(f"files must be plain file names, got {name!r}")
            with open(tmp / name, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if os.path.lexists(path):
            os.rename(path, old)
            try:
                os.rename(tmp, path)
            except BaseException:
                os.rename(old, path)
                raise
            shutil.rmtree(old)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
