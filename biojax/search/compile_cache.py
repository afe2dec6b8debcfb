"""Reusing compiled bucket programs across runs (JAX's persistent compilation cache).

Most of a small search's wall time is compilation: one program per bucket. With a cache directory, a
second run of the same buckets (a rerun, ``--resume`` after a crash, the refine phase of
``thorough_optimization`` in a new process, or another machine sharing the directory) loads the programs
instead of compiling them. On the 2-core development machine the README's 64-trial search took 32 s
the first time and 15 s the second (``biojax search ... --compile-cache DIR``).
"""

from __future__ import annotations

import os
import pathlib

import jax

from biojax._validation import check_number


def use_compile_cache(
    directory: str | os.PathLike | None, *, min_compile_seconds: float = 1.0
) -> pathlib.Path | None:
    """Stores every JAX program that took at least ``min_compile_seconds`` to compile in ``directory``.

    The directory is created if needed. The setting is global to the process (it is JAX's
    ``jax_compilation_cache_dir``) and applies to every later compilation, also when JAX has already
    compiled other programs or used another cache directory. Cached entries are keyed by the program,
    the JAX version and the devices, so a stale entry is never used.

    Args:
        directory: where to keep the compiled programs; ``None`` turns the cache off again.
        min_compile_seconds: programs that compiled faster than this are not stored (JAX's default, 1 s,
            keeps bucket programs and skips small helpers).

    Returns:
        The directory, as an absolute path (``None`` when turned off).

    Raises:
        TypeError: ``directory`` is not a string or path.
        ValueError: ``directory`` exists and is not a directory.

    Example:
        >>> import tempfile
        >>> from biojax.search import use_compile_cache
        >>> use_compile_cache(tempfile.mkdtemp()).is_dir()
        True
        >>> use_compile_cache(None) is None  # off again
        True
    """
    from jax.experimental.compilation_cache import compilation_cache

    if directory is None:
        jax.config.update("jax_compilation_cache_dir", None)
        compilation_cache.reset_cache()
        return None
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            f"directory must be a str, os.PathLike or None, got {type(directory).__name__} {directory!r}"
        )
    min_compile_seconds = check_number("min_compile_seconds", min_compile_seconds, minimum=0.0)
    path = pathlib.Path(directory).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise ValueError(f"directory must be a directory for the compilation cache, got the file {str(path)!r}")
    path.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_seconds))
    compilation_cache.reset_cache()  # JAX keeps the first cache it opened; make it open this directory
    return path
