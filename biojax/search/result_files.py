"""Saving search results as JSON (the seed's format) or JSON lines, and reading them back."""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Sequence

from biojax._files import write_text_atomically
from biojax.search.result import SearchResult
from biojax.search.store import ResultsStore


def save_results(results: Sequence[SearchResult], path: str | os.PathLike) -> None:
    """Writes every result atomically: a JSON list for ``.json`` (the seed's format), JSON lines otherwise.

    Example:
        >>> import tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
        >>> results = [SearchResult({"n_neurons": 8}, 0.9, 0.95, 7000, 1.0, 0.3, trial_id="x")]
        >>> save_results(results, path); load_results(path)[0] == results
        True
    """
    path = pathlib.Path(path)
    records = [r.to_dict() for r in results]
    if path.suffix == ".json":
        write_text_atomically(path, json.dumps(records, indent=2, sort_keys=True))
    else:
        write_text_atomically(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in records))


def load_results(path: str | os.PathLike) -> tuple[list[SearchResult], list[str]]:
    """Reads a file of :func:`save_results` or a streamed results file: ``(results, problems)``.

    ``problems`` names each unreadable line of a JSON-lines file (skipped); a ``.json`` file must be whole.

    Example:
        >>> import tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
        >>> _ = path.write_text('{"trial_id": "a", "params": {}, "test_accuracy": 0.5, "train_accuracy": 0.5, '
        ...                     '"total_params": 1, "train_time": 0.0, "final_test_loss": 1.0}\\nnot json\\n')
        >>> results, problems = load_results(path)
        >>> len(results), len(problems)
        (1, 1)
    """
    path = pathlib.Path(path)
    if path.suffix == ".json":
        records, problems = json.loads(path.read_text(encoding="utf-8")), []
    else:
        store = ResultsStore(path)
        records, problems = store.records, store.problems
    return [SearchResult.from_dict(r) for r in records], problems
