"""Training one bucket of a search: its traced settings as arrays, one compiled call, one result per trial."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from biojax.data.optional import require
from biojax.search.buckets import Bucket, chunk_layout
from biojax.search.engine import BucketTrainer, PostStepBuilder, SplitData
from biojax.search.resampling_hook import resampling_hparams, resampling_post_step_builder
from biojax.search.result import SearchResult, result_from_metrics


def traced_settings(configs: Sequence[Mapping[str, Any]], *, dendritic: bool) -> dict[str, np.ndarray]:
    """One array per traced setting, one entry per trial: learning rate, weight decay, seed, and for
    biojax's dendritic models the resampling settings.

    Example:
        >>> hp = traced_settings([{"lr": 0.1, "weight_decay": 0.0, "seed": 3}], dendritic=False)
        >>> sorted(hp), hp["seed"].dtype.name
        (['lr', 'seed', 'weight_decay'], 'uint32')
    """
    hparams = {
        "lr": np.array([c["lr"] for c in configs], np.float32),
        "weight_decay": np.array([c["weight_decay"] for c in configs], np.float32),
        "seed": np.array([c["seed"] for c in configs], np.uint32),
    }
    if dendritic:
        hparams.update(resampling_hparams(configs))
    return hparams


def post_step_builder(hparams: Mapping[str, np.ndarray]) -> PostStepBuilder | None:
    """The resampling hook when some trial of the bucket resamples (fraction > 0), else ``None``.

    Example:
        >>> post_step_builder({"resample_fraction": np.zeros(2, np.float32)}) is None
        True
    """
    if not np.any(hparams.get("resample_fraction", 0.0) > 0):
        return None
    return resampling_post_step_builder


def train_bucket(
    trainer: BucketTrainer, bucket: Bucket, model: Any, data: SplitData, *, dendritic: bool, label: str,
    verbose: bool,
) -> list[SearchResult]:
    """Trains every trial of ``bucket`` as one compiled program; ``train_time`` is the wall time per trial.

    Example:
        >>> import flax.linen as nn
        >>> from biojax.search.buckets import Trial, make_buckets
        >>> x = np.ones((16, 3), np.float32); y = np.zeros(16, np.int32)
        >>> data = SplitData.from_numpy(x, y, x, y, x, y)
        >>> trials = [Trial(str(i), {"lr": 0.1, "weight_decay": 0.0, "seed": i, "n_epochs": 1,
        ...                          "batch_size": 8}, 8) for i in range(2)]
        >>> results = train_bucket(BucketTrainer(), make_buckets(trials)[0], nn.Dense(2), data, dendritic=False,
        ...                        label="bucket", verbose=False)
        >>> [r.status for r in results]
        ['ok', 'ok']
    """
    hparams = traced_settings([t.config for t in bucket.trials], dendritic=dendritic)
    builder = post_step_builder(hparams) if dendritic else None
    program_id = bucket.bucket_id + ("+resampling" if builder is not None else "")
    start = time.perf_counter()
    with bucket_progress(trainer, bucket, label, verbose) as on_chunk:
        metrics = trainer.train(program_id, model, hparams, data, n_epochs=bucket.static["n_epochs"],
                                batch_size=bucket.static["batch_size"], post_step_builder=builder, on_chunk=on_chunk)
    per_trial = (time.perf_counter() - start) / len(bucket.trials)
    return [result_from_metrics(trial, metrics, i, bucket.bucket_id, per_trial)
            for i, trial in enumerate(bucket.trials)]


@contextlib.contextmanager
def bucket_progress(
    trainer: BucketTrainer, bucket: Bucket, label: str, verbose: bool
) -> Iterator[Callable[[int, int], None]]:
    """Reports a bucket's progress honestly; yields the ``on_chunk(done, total)`` callback for the trainer.

    A bucket trains as one compiled call per chunk (all its epochs inside), so nothing can move during a
    call. When ``verbose``, one line on stderr says what the bucket is (``bucket 2/5: 16 trials x 15 epochs,
    1 compiled call``); a bucket split into several chunks also gets a bar over its calls, whose total is
    known from the start. Silent when not ``verbose``.

    Example:
        >>> from biojax.search.buckets import Trial, make_buckets
        >>> bucket = make_buckets([Trial("a", {"n_epochs": 3, "batch_size": 8}, 8)])[0]
        >>> with bucket_progress(BucketTrainer(), bucket, "bucket 1/1", verbose=False) as on_chunk:
        ...     on_chunk(1, 1)
    """
    require(["tqdm.auto"], "the search's progress bar")
    from tqdm.auto import tqdm

    n_chunks, _ = chunk_layout(len(bucket.trials), trainer.max_bucket_size, len(trainer.devices))
    calls = f"{n_chunks} compiled call{'' if n_chunks == 1 else 's'}"
    with tqdm(total=n_chunks, desc=label, unit="call", leave=False, disable=not verbose or n_chunks == 1,
              file=sys.stderr, mininterval=0, miniters=1) as bar:  # calls are long: show every one
        if verbose:
            bar.write(f"{label}: {len(bucket.trials)} trials x {bucket.static['n_epochs']} epochs, {calls}",
                      file=sys.stderr)
        yield lambda done, total: bar.update(done - bar.n)
