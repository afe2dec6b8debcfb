"""Training one bucket of a search: its traced settings as arrays, one compiled call, one result per trial."""

from __future__ import annotations

import time
from typing import Any

from biojax.search.buckets import Bucket
from biojax.search.engine import BucketTrainer, SplitData
from biojax.search.result import SearchResult, result_from_metrics
from biojax.search.trial_plan import TrialPlan


def train_bucket(
    trainer: BucketTrainer, plan: TrialPlan, bucket: Bucket, model: Any, data: SplitData, *, label: str,
    verbose: bool,
) -> list[SearchResult]:
    """Trains every trial of ``bucket`` as one compiled program; ``train_time`` is the wall time per trial.

    The traced settings of the trials become one array each; the architecture's post-step hook is
    compiled in only when some trial of the bucket uses it.

    Example:
        >>> import flax.linen as nn, numpy as np
        >>> from biojax.search.architecture import FactoryArchitecture
        >>> from biojax.search.buckets import Trial, make_buckets
        >>> x = np.ones((16, 3), np.float32); y = np.zeros(16, np.int32)
        >>> plan = TrialPlan({"n_epochs": 1, "batch_size": 8}, FactoryArchitecture(lambda c, n: nn.Dense(n)))
        >>> trials = [Trial(str(i), plan.resolve({"seed": i}), 8) for i in range(2)]
        >>> bucket = make_buckets(trials, plan.static_part)[0]
        >>> results = train_bucket(BucketTrainer(), plan, bucket, nn.Dense(2), SplitData.from_numpy(x, y, x, y, x, y),
        ...                        label="bucket", verbose=False)
        >>> [r.status for r in results]
        ['ok', 'ok']
    """
    from tqdm.auto import tqdm

    architecture, optimizer, space = plan.parts(bucket.static)
    hparams = space.traced_arrays([t.config for t in bucket.trials])
    builder = architecture.post_step if architecture.uses_post_step(hparams) else None
    program_id = bucket.bucket_id + ("+post_step" if builder is not None else "")
    chunks_done = [0]
    start = time.perf_counter()
    with tqdm(total=None, desc=f"{label} ({len(bucket.trials)} trials)", unit="chunk", leave=False,
              disable=not verbose) as bar:

        def on_chunk(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - chunks_done[0])
            chunks_done[0] = done

        metrics = trainer.train(program_id, model, hparams, data, n_epochs=bucket.static["n_epochs"],
                                batch_size=bucket.static["batch_size"], optimizer=optimizer,
                                optimizer_config=bucket.static, post_step_builder=builder, on_chunk=on_chunk)
    per_trial = (time.perf_counter() - start) / len(bucket.trials)
    return [result_from_metrics(trial, metrics, i, bucket.bucket_id, per_trial)
            for i, trial in enumerate(bucket.trials)]
