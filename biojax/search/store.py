"""A resumable JSONL results file, rewritten atomically after every bucket.

Each line is one finished trial (a JSON object with a ``trial_id``). :meth:`ResultsStore.add` writes
every record so far to a temporary file in the same directory, flushes and fsyncs it, then
``os.replace``-s it over the results file, so the file on disk is always a complete set of buckets:
a crash or Ctrl-C loses at most the bucket in flight. Loading skips unreadable lines (a truncated last
line from another writer, hand edits) and reports each one in :attr:`ResultsStore.problems`.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

from biojax._files import write_text_atomically


class ResultsStore:
    """Finished-trial records kept in memory and mirrored to a JSONL file.

    Args:
        path: the ``.jsonl`` file; loaded if it exists, created on the first :meth:`add`.
        load: ``False`` ignores an existing file (it is replaced, not appended to, by the first :meth:`add`).

    Attributes:
        records: the records, in file order (one per ``trial_id``; a later duplicate is reported and dropped).
        problems: one message per line that could not be read.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "results.jsonl"
        >>> ResultsStore(path).add([{"trial_id": "a", "val_accuracy": 0.5}])
        >>> store = ResultsStore(path)
        >>> store.finished_ids(), store.problems
        ({'a'}, [])
    """

    def __init__(self, path: str | os.PathLike, *, load: bool = True):
        self.path = pathlib.Path(path)
        self.records: list[dict[str, Any]] = []
        self.problems: list[str] = []
        if load and self.path.exists():
            self._load()

    def _load(self) -> None:
        seen: set[str] = set()
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                self.problems.append(f"{self.path}:{number}: unreadable line skipped ({error.msg}): {line[:60]!r}")
                continue
            if not isinstance(record, dict) or "trial_id" not in record:
                self.problems.append(f"{self.path}:{number}: line without a trial_id skipped")
                continue
            if record["trial_id"] in seen:
                self.problems.append(f"{self.path}:{number}: duplicate trial_id {record['trial_id']!r} skipped")
                continue
            seen.add(record["trial_id"])
            self.records.append(record)

    def finished_ids(self) -> set[str]:
        """The ``trial_id`` of every stored record."""
        return {record["trial_id"] for record in self.records}

    def add(self, records: list[dict[str, Any]]) -> None:
        """Appends records and atomically rewrites the file (:func:`biojax._files.write_text_atomically`)."""
        self.records.extend(records)
        write_text_atomically(
            self.path, "".join(json.dumps(record, sort_keys=True, allow_nan=True) + "\n" for record in self.records)
        )
