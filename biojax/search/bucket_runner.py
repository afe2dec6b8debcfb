"""Training one bucket of a search: its traced settings as arrays, one compiled call, one result per trial."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from biojax.data.optional import require
from biojax.search.buckets import Bucket, chunk_layout
from biojax.search.engine import BucketTrainer, SplitData
from biojax.search.result import SearchResult, result_from_metrics
from biojax.search.trial_plan import TrialPlan


def train_bucket(
    trainer: BucketTrainer, plan: TrialPlan, bucket: Bucket, model: Any, data: SplitData, *, label: str,
    verbose: bool, keep_best: bool = False,
) -> tuple[list[SearchResult], Any]:
    """Trains every trial of ``bucket`` as one compiled program; ``train_time`` is the wall time per trial.

    The traced settings of the trials become one array each; the architecture's post-step hook is
    compiled in only when some trial of the bucket uses it.

    Returns:
        The results in the bucket's trial order, and with ``keep_best`` the model variables of every trial
        at its best epoch (NumPy leaves, leading trial axis; see :func:`~biojax.search.engine.make_bucket_fn`),
        else ``None``.

    Example:
        >>> import flax.linen as nn, numpy as np
        >>> from biojax.search.architecture import FactoryArchitecture
        >>> from biojax.search.buckets import Trial, make_buckets
        >>> x = np.ones((16, 3), np.float32); y = np.zeros(16, np.int32)
        >>> plan = TrialPlan({"n_epochs": 1, "batch_size": 8}, FactoryArchitecture(lambda c, n: nn.Dense(n)))
        >>> trials = [Trial(str(i), plan.resolve({"seed": i}), 8) for i in range(2)]
        >>> bucket = make_buckets(trials, plan.static_part)[0]
        >>> results, variables = train_bucket(BucketTrainer(), plan, bucket, nn.Dense(2),
        ...                                   SplitData.from_numpy(x, y, x, y, x, y), label="bucket", verbose=False,
        ...                                   keep_best=True)
        >>> [r.status for r in results], variables["params"]["kernel"].shape
        (['ok', 'ok'], (2, 3, 2))
    """
    architecture, optimizer, space = plan.parts(bucket.static)
    hparams = space.traced_arrays([t.config for t in bucket.trials])
    builder = architecture.post_step if architecture.uses_post_step(hparams) else None
    program_id = bucket.bucket_id + ("+post_step" if builder is not None else "")
    start = time.perf_counter()
    with bucket_progress(trainer, bucket, label, verbose) as on_chunk:
        metrics = trainer.train(program_id, model, hparams, data, n_epochs=bucket.static["n_epochs"],
                                batch_size=bucket.static["batch_size"], optimizer=optimizer,
                                optimizer_config=bucket.static, post_step_builder=builder, on_chunk=on_chunk,
                                keep_best=keep_best)
    per_trial = (time.perf_counter() - start) / len(bucket.trials)
    results = [result_from_metrics(trial, metrics, i, bucket.bucket_id, per_trial)
               for i, trial in enumerate(bucket.trials)]
    return results, metrics.get("best_variables")


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
        >>> bucket = make_buckets([Trial("a", {"n_epochs": 3, "batch_size": 8}, 8)], dict)[0]
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
