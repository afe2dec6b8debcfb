"""Training one bucket of a search: its traced settings as arrays, one compiled call, one result per trial."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from biojax.search.buckets import Bucket
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
    from tqdm.auto import tqdm

    hparams = traced_settings([t.config for t in bucket.trials], dendritic=dendritic)
    builder = post_step_builder(hparams) if dendritic else None
    program_id = bucket.bucket_id + ("+resampling" if builder is not None else "")
    chunks_done = [0]
    start = time.perf_counter()
    with tqdm(total=None, desc=f"{label} ({len(bucket.trials)} trials)", unit="chunk", leave=False,
              disable=not verbose) as bar:

        def on_chunk(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - chunks_done[0])
            chunks_done[0] = done

        metrics = trainer.train(program_id, model, hparams, data, n_epochs=bucket.static["n_epochs"],
                                batch_size=bucket.static["batch_size"], post_step_builder=builder, on_chunk=on_chunk)
    per_trial = (time.perf_counter() - start) / len(bucket.trials)
    return [result_from_metrics(trial, metrics, i, bucket.bucket_id, per_trial)
            for i, trial in enumerate(bucket.trials)]
