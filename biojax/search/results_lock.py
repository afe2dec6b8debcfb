"""One writer per results file: an advisory ``fcntl.flock`` on a sidecar lock file, held while a search runs.

Two searches streaming to the same JSONL file would each rewrite it with only their own trials. The
searcher therefore takes :class:`ResultsLock` on ``.<name>.lock`` beside the results file when it starts
(before any training) and holds it for its lifetime; a second process, or a second searcher in the same
process, gets :class:`ResultsInUseError`. The operating system drops the lock when its holder exits,
even on ``kill -9``, so a later ``--resume`` never finds a stale lock. Readers (:class:`ResultsStore`)
take no lock: the file is always replaced whole (:func:`biojax._files.write_text_atomically`).
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import secrets
import weakref


class ResultsInUseError(ValueError):
    """Another search holds the lock of this results file.

    Example:
        >>> issubclass(ResultsInUseError, ValueError)
        True
    """


def _unwritable(path: pathlib.Path, error: OSError) -> ValueError:
    reason = error.strerror or type(error).__name__
    return ValueError(f"results_path {str(path)!r} cannot be written ({reason}: {error.filename}); "
                      "choose a file in a writable directory")


class ResultsLock:
    """An exclusive lock on ``results_path`` for this object's lifetime (or until :meth:`release`).

    Taking it also proves the results file can be written: the directory is created if needed and a probe
    file is written and removed there, so an unwritable path fails before any training, with a
    ``ValueError`` naming it. Temporary files of an earlier writer that was killed mid-write are removed.

    Args:
        results_path: the results file (it need not exist).

    Raises:
        ResultsInUseError: another search (in any process) holds the lock.
        ValueError: the path is a directory or cannot be written.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "results.jsonl"
        >>> lock = ResultsLock(path)
        >>> ResultsLock(path)
        Traceback (most recent call last):
        ...
        biojax.search.results_lock.ResultsInUseError: results_path '...results.jsonl' is already in use by another search (it holds the lock ...); wait for that search to finish or write to another file
        >>> lock.release(); ResultsLock(path).release()
    """

    def __init__(self, results_path: str | os.PathLike):
        self.path = pathlib.Path(results_path)
        self.lock_path = self.path.with_name(f".{self.path.name}.lock")
        if self.path.is_dir():
            raise ValueError(f"results_path {str(self.path)!r} is a directory; pass a file such as "
                             f"{str(self.path / 'results.jsonl')!r}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise _unwritable(self.path, error) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ResultsInUseError(
                f"results_path {str(self.path)!r} is already in use by another search (it holds the lock "
                f"{str(self.lock_path)!r}); wait for that search to finish or write to another file"
            ) from None
        self._release = weakref.finalize(self, os.close, fd)
        try:
            self._probe()
        except OSError as error:
            self.release()
            raise _unwritable(self.path, error) from error
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)

    def _probe(self) -> None:
        probe = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.probe")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        probe.unlink()
        if self.path.exists() and not os.access(self.path, os.R_OK):
            raise PermissionError(13, "Permission denied", str(self.path))

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._release.alive

    def release(self) -> None:
        """Releases the lock (closing its file); calling it again does nothing."""
        self._release()
