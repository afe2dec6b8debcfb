"""Writing a file so that readers see either the old or the new contents, never a part (private)."""

from __future__ import annotations

import os
import pathlib
import secrets


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
