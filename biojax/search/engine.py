"""The bucket trainer: one compiled, vmapped program per bucket, trial axis sharded over devices.

``train`` is the whole run of one trial (init from its seed, ``n_epochs`` epochs of
:func:`biojax.train.make_epoch_fn` with their running training loss and accuracy, evaluation on
the validation and test splits after every epoch) as a pure function of the
trial's traced hyperparameters. A bucket runs many trials as one program (training ``jax.vmap``-ed,
evaluation vmapped or mapped, see :func:`make_bucket_fn`); ``jax.jit`` compiles it once per bucket (the
compiled function is cached by bucket id and chunk size, and every chunk of a split bucket has the same
size). Trials are independent inside the program, so a trial that diverges (NaN/inf) leaves the others
bit-for-bit unchanged; it is detected afterwards from its losses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from biojax._validation import check_int
from biojax.search.best_epoch import keep_better
from biojax.search.buckets import chunk_layout
from biojax.search.optimizers import AdamW, TrialOptimizer
from biojax.train import PostStep, TrainState, make_epoch_fn, softmax_cross_entropy

PostStepBuilder = Callable[[Mapping[str, jax.Array], str | None], PostStep | None]
TRIAL_AXIS = "trial_batch"
EVAL_MODES = ("auto", "vmap", "map")
METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy")


@jax.tree_util.register_dataclass
@dataclass(frozen=True)
class SplitData:
    """Device arrays of one dataset: the training split and one evaluation block.

    The evaluation block stacks the validation split and the test split; ``eval_segment`` says which
    rows belong to which (0, 1), so both are measured by one pass. (Training loss and accuracy are
    the running means of the epoch's own mini-batches, as the anchor's training loop counts them.)

    Example:
        >>> import numpy as np
        >>> x, y = np.zeros((20, 3), np.float32), np.zeros(20, np.int32)
        >>> data = SplitData.from_numpy(x, y, x[:5], y[:5], x[:4], y[:4])
        >>> data.x_eval.shape, np.bincount(np.asarray(data.eval_segment)).tolist()
        ((9, 3), [5, 4])
    """

    x_train: jax.Array
    y_train: jax.Array
    x_eval: jax.Array
    y_eval: jax.Array
    eval_segment: jax.Array

    @classmethod
    def from_numpy(cls, x_train, y_train, x_val, y_val, x_test, y_test):
        """Converts NumPy splits."""
        xs, ys = [np.asarray(x_val), np.asarray(x_test)], [np.asarray(y_val), np.asarray(y_test)]
        segment = np.concatenate([np.full(len(y), i, np.int32) for i, y in enumerate(ys)])
        return cls(jnp.asarray(x_train), jnp.asarray(y_train), jnp.asarray(np.concatenate(xs)),
                   jnp.asarray(np.concatenate(ys)), jnp.asarray(segment))


def _evaluate_segments(apply, variables, data, eval_batch_size):
    """Mean loss and accuracy per segment (validation, test) in one chunked pass.

    The rows are split into the fewest chunks of at most ``eval_batch_size`` rows, all of (nearly) equal
    size, so that padding the last chunk costs at most ``n_chunks - 1`` rows.
    """
    x, y = data.x_eval, data.y_eval
    n = x.shape[0]
    n_chunks = -(-n // eval_batch_size)
    size = -(-n // n_chunks)
    pad = n_chunks * size - n
    weights = jax.nn.one_hot(data.eval_segment, 2)
    if pad:
        x = jnp.concatenate([x, jnp.zeros((pad, *x.shape[1:]), x.dtype)])
        y = jnp.concatenate([y, jnp.zeros((pad,), y.dtype)])
        weights = jnp.concatenate([weights, jnp.zeros((pad, 2), weights.dtype)])

    def body(totals, chunk):
        xb, yb, wb = chunk
        logits = apply(variables, xb)
        losses = optax.softmax_cross_entropy_with_integer_labels(logits, yb)
        correct = (jnp.argmax(logits, -1) == yb).astype(jnp.float32)
        return (totals[0] + losses @ wb, totals[1] + correct @ wb), None

    chunks = (x.reshape(n_chunks, size, *x.shape[1:]), y.reshape(n_chunks, size), weights.reshape(n_chunks, size, 2))
    (loss_sums, correct_sums), _ = jax.lax.scan(body, (jnp.zeros(2), jnp.zeros(2)), chunks)
    counts = jnp.sum(weights, axis=0)
    return loss_sums / counts, correct_sums / counts


class _TrialParts(NamedTuple):
    """The three pure pieces of one trial; buckets batch them differently (see :func:`make_bucket_fn`)."""

    init: Callable[[Mapping[str, jax.Array], SplitData], TrainState]
    run_epoch: Callable[[Mapping[str, jax.Array], TrainState, SplitData], tuple[TrainState, jax.Array, jax.Array]]
    evaluate: Callable[[Any, SplitData], tuple[jax.Array, jax.Array]]


def _trial_parts(model, optimizer, optimizer_config, n_epochs, batch_size, post_step_builder, eval_batch_size,
                 axis_name) -> _TrialParts:
    n_epochs = check_int("n_epochs", n_epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    eval_batch_size = check_int("eval_batch_size", eval_batch_size, minimum=1)
    optimizer = AdamW() if optimizer is None else optimizer
    optimizer_config = {} if optimizer_config is None else dict(optimizer_config)

    def keys(hparams):
        return jax.random.split(jax.random.key(hparams["seed"]), 3)  # init, data order, optimizer

    def trial_optimizer(hparams, params, data):
        config = {**optimizer_config, "total_steps": n_epochs * (data.x_train.shape[0] // batch_size)}
        return optimizer.build(config, hparams, params, keys(hparams)[2])

    def init(hparams, data):
        init_key, loop_key, optimizer_key = keys(hparams)
        variables = model.init(init_key, data.x_train[:1])
        params = optimizer.prepare(optimizer_config, hparams, variables["params"], optimizer_key)
        return TrainState.from_variables({**variables, "params": params}, trial_optimizer(hparams, params, data),
                                         key=loop_key)

    def run_epoch(hparams, state, data):
        post_step = post_step_builder(hparams, axis_name) if post_step_builder is not None else None
        epoch = make_epoch_fn(model.apply, trial_optimizer(hparams, state.params, data), batch_size,
                              softmax_cross_entropy, post_step=post_step, track_accuracy=True)
        state, metrics = epoch(state, data.x_train, data.y_train)
        return state, metrics["loss"], metrics["accuracy"]

    def evaluate(variables, data):
        return _evaluate_segments(model.apply, variables, data, eval_batch_size)

    return _TrialParts(init, run_epoch, evaluate)


def _epoch_metrics(train_loss, train_accuracy, losses, accs):
    values = (train_loss, train_accuracy, losses[..., 0], accs[..., 0], losses[..., 1], accs[..., 1])
    return dict(zip(METRICS, values))


def make_trial_fn(
    model: nn.Module,
    *,
    n_epochs: int,
    batch_size: int,
    optimizer: TrialOptimizer | None = None,
    optimizer_config: Mapping[str, Any] | None = None,
    post_step_builder: PostStepBuilder | None = None,
    eval_batch_size: int = 1024,
) -> Callable[[Mapping[str, jax.Array], SplitData], dict[str, jax.Array]]:
    """Builds the pure ``train(hparams, data) -> per-epoch metrics`` of one trial.

    ``hparams`` holds the trial's traced settings as scalar arrays: ``seed`` (uint32) and what the
    optimizer and ``post_step_builder(hparams, axis_name)`` read. The optimizer is a
    :class:`~biojax.search.optimizers.TrialOptimizer` (default :class:`~biojax.search.optimizers.AdamW`:
    ``lr``, ``weight_decay``) with the bucket's static ``optimizer_config`` plus ``"total_steps"`` (epochs
    times steps per epoch, for schedules); ``post_step_builder`` returns a
    post-step hook for :func:`biojax.train.make_epoch_fn` (or ``None``). Every ``"params"`` leaf is
    trained; other collections are model state. The seed's key splits into the init, data-order and
    optimizer keys.

    Returns:
        A dict of ``(n_epochs,)`` arrays named by ``METRICS``.

    Example:
        >>> import flax.linen as nn, jax.numpy as jnp, numpy as np
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
        >>> y = (x[:, 0] > 0).astype(np.int32)
        >>> data = SplitData.from_numpy(x, y, x, y, x, y)
        >>> train = make_trial_fn(nn.Dense(2), n_epochs=3, batch_size=16)
        >>> out = train({"lr": jnp.float32(0.05), "weight_decay": jnp.float32(0.0), "seed": jnp.uint32(0)}, data)
        >>> out["val_accuracy"].shape
        (3,)
    """
    parts = _trial_parts(model, optimizer, optimizer_config, n_epochs, batch_size, post_step_builder,
                         eval_batch_size, None)

    def train(hparams: Mapping[str, jax.Array], data: SplitData) -> dict[str, jax.Array]:
        def one_epoch(state, _):
            state, train_loss, train_accuracy = parts.run_epoch(hparams, state, data)
            return state, _epoch_metrics(train_loss, train_accuracy, *parts.evaluate(state.variables, data))

        return jax.lax.scan(one_epoch, parts.init(hparams, data), None, length=n_epochs)[1]

    return train


def make_bucket_fn(
    model: nn.Module,
    *,
    n_epochs: int,
    batch_size: int,
    optimizer: TrialOptimizer | None = None,
    optimizer_config: Mapping[str, Any] | None = None,
    post_step_builder: PostStepBuilder | None = None,
    eval_batch_size: int = 1024,
    eval_mode: str = "vmap",
    n_shards: int = 1,
    keep_best: bool = False,
) -> Callable[[Mapping[str, jax.Array], SplitData], dict[str, jax.Array]]:
    """Builds ``bucket(hparams, data) -> per-epoch metrics`` for a batch of trials (leading axis).

    Every trial computes exactly what :func:`make_trial_fn` computes. Initialisation and training are
    ``jax.vmap``-ed over the trials (axis name ``TRIAL_AXIS``, passed to ``post_step_builder`` so that a
    hook can skip work no trial needs). The per-epoch evaluation either is vmapped too
    (``eval_mode="vmap"``: one pass for all trials, best on accelerators) or runs the trials one after
    another inside the program (``eval_mode="map"``, ``jax.lax.map``): on a CPU the vmapped forward pass
    over the whole evaluation block drags ``trials x rows x units`` activations through memory, which made
    a 64-trial bucket slower than 64 separate runs. With ``"map"`` the initialisation runs one trial after
    another too: a batched QR (the orthogonal initialiser of the liquid cells' recurrent kernels) spreads
    its batch over the intra-op thread pool, and with two CPU devices sharing that pool the two halves of a
    bucket waited on each other for ever (jaxlib 0.10.2, 8 trials of an NCP-wired CfC on 2 devices).
    ``n_shards`` (a divisor of the trial count) keeps the mapped parts on each device's own trials when the
    trial axis is sharded. With ``keep_best`` the program also carries, per trial, the model variables of its
    best epoch so far (highest validation accuracy, then lowest validation loss, then earliest) and returns
    them as ``"best_variables"``; training itself is unchanged.

    Returns:
        A dict of ``(n_trials, n_epochs)`` arrays named by ``METRICS``, and with ``keep_best`` also
        ``"best_variables"``: the variables tree with a leading trial axis.

    Example:
        >>> import flax.linen as nn, jax.numpy as jnp, numpy as np
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
        >>> y = (x[:, 0] > 0).astype(np.int32)
        >>> data = SplitData.from_numpy(x, y, x, y, x, y)
        >>> bucket = make_bucket_fn(nn.Dense(2), n_epochs=3, batch_size=16, eval_mode="map")
        >>> hp = {"lr": jnp.full(5, 0.05), "weight_decay": jnp.zeros(5), "seed": jnp.arange(5, dtype=jnp.uint32)}
        >>> bucket(hp, data)["val_accuracy"].shape
        (5, 3)
        >>> keeping = make_bucket_fn(nn.Dense(2), n_epochs=3, batch_size=16, eval_mode="map", keep_best=True)
        >>> keeping(hp, data)["best_variables"]["params"]["kernel"].shape
        (5, 4, 2)
    """
    if eval_mode not in EVAL_MODES[1:]:
        raise ValueError(f"eval_mode must be one of {EVAL_MODES[1:]}, got {eval_mode!r}")
    n_shards = check_int("n_shards", n_shards, minimum=1)
    parts = _trial_parts(model, optimizer, optimizer_config, n_epochs, batch_size, post_step_builder,
                         eval_batch_size, TRIAL_AXIS)
    run_epoch = jax.vmap(parts.run_epoch, in_axes=(0, 0, None), axis_name=TRIAL_AXIS)

    def per_trial(fn, trials, data):
        if eval_mode == "vmap":
            return jax.vmap(fn, in_axes=(0, None))(trials, data)
        n_trials = jax.tree.leaves(trials)[0].shape[0]
        if n_trials % n_shards:
            raise ValueError(f"n_shards={n_shards} must divide the number of trials, got {n_trials} trials")
        per_shard = jax.tree.map(lambda a: a.reshape(n_shards, n_trials // n_shards, *a.shape[1:]), trials)
        mapped = jax.vmap(lambda shard: jax.lax.map(lambda t: fn(t, data), shard))(per_shard)
        return jax.tree.map(lambda a: a.reshape(n_trials, *a.shape[2:]), mapped)

    def bucket(hparams: Mapping[str, jax.Array], data: SplitData) -> dict[str, jax.Array]:
        def one_epoch(carry, _):
            state, best = carry
            state, train_loss, train_accuracy = run_epoch(hparams, state, data)
            metrics = _epoch_metrics(train_loss, train_accuracy, *per_trial(parts.evaluate, state.variables, data))
            if keep_best:
                best = keep_better(best, state.variables, metrics["val_accuracy"], metrics["val_loss"])
            return (state, best), metrics

        state = per_trial(parts.init, hparams, data)
        n_trials = jax.tree.leaves(hparams)[0].shape[0]
        best = (state.variables, jnp.full(n_trials, -jnp.inf), jnp.full(n_trials, jnp.inf)) if keep_best else None
        (_, best), metrics = jax.lax.scan(one_epoch, (state, best), None, length=n_epochs)
        outputs = {name: values.T for name, values in metrics.items()}
        if keep_best:
            outputs["best_variables"] = best[0]
        return outputs

    return bucket


class BucketTrainer:
    """Trains buckets of same-shaped trials, one compiled program per bucket, sharded over devices.

    Args:
        max_bucket_size: most trials in one compiled call; bigger buckets are split into equal chunks
            (padded with repeats whose results are dropped) so they still compile once.
        devices: devices to shard the trial axis over (default: all local devices).
        eval_mode: how the per-epoch evaluation batches the trials (see :func:`make_bucket_fn`):
            ``"vmap"``, ``"map"`` or ``"auto"`` (default: ``"map"`` on CPU devices, else ``"vmap"``).

    Attributes:
        trace_counts: how many times each bucket's program was traced (one per compile).
        last_output_sharding: sharding of the last chunk's outputs (the trial axis over ``devices``).

    Example:
        >>> import flax.linen as nn, numpy as np
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
        >>> y = (x[:, 0] > 0).astype(np.int32)
        >>> data = SplitData.from_numpy(x, y, x, y, x, y)
        >>> trainer = BucketTrainer(max_bucket_size=4)
        >>> hp = {"lr": np.full(6, 0.05, np.float32), "weight_decay": np.zeros(6, np.float32),
        ...       "seed": np.arange(6, dtype=np.uint32)}
        >>> out = trainer.train("dense", nn.Dense(2), hp, data, n_epochs=2, batch_size=16)
        >>> out["val_accuracy"].shape, trainer.trace_counts["dense"]
        ((6, 2), 1)
    """

    def __init__(self, max_bucket_size: int = 256, devices: list[Any] | None = None, eval_mode: str = "auto"):
        self.max_bucket_size = check_int("max_bucket_size", max_bucket_size, minimum=1)
        if eval_mode not in EVAL_MODES:
            raise ValueError(f"eval_mode must be one of {EVAL_MODES}, got {eval_mode!r}")
        self.devices = list(devices) if devices is not None else jax.local_devices()
        if eval_mode == "auto":
            eval_mode = "map" if all(device.platform == "cpu" for device in self.devices) else "vmap"
        self.eval_mode = eval_mode
        self.mesh = Mesh(np.array(self.devices), ("trials",))
        self.trace_counts: dict[str, int] = {}
        self._compiled: dict[tuple[str, int], Callable] = {}
        self.last_output_sharding: Any = None

    @property
    def trial_sharding(self) -> NamedSharding:
        """Sharding that splits the leading (trial) axis over the devices."""
        return NamedSharding(self.mesh, PartitionSpec("trials"))

    def _program(self, bucket_id: str, chunk_size: int, keep_best: bool, build: Callable[[], Callable]) -> Callable:
        cache_key = (bucket_id, chunk_size, keep_best)
        if cache_key not in self._compiled:
            bucket_fn = build()

            def counted(hparams, data):
                self.trace_counts[bucket_id] = self.trace_counts.get(bucket_id, 0) + 1
                return bucket_fn(hparams, data)

            replicated = NamedSharding(self.mesh, PartitionSpec())
            self._compiled[cache_key] = jax.jit(
                counted, in_shardings=(self.trial_sharding, replicated), out_shardings=self.trial_sharding
            )
        return self._compiled[cache_key]

    def train(
        self,
        bucket_id: str,
        model: nn.Module,
        hparams: Mapping[str, np.ndarray],
        data: SplitData,
        *,
        n_epochs: int,
        batch_size: int,
        optimizer: TrialOptimizer | None = None,
        optimizer_config: Mapping[str, Any] | None = None,
        post_step_builder: PostStepBuilder | None = None,
        on_chunk: Callable[[int, int], None] | None = None,
        keep_best: bool = False,
    ) -> dict[str, Any]:
        """Trains every trial of a bucket; returns NumPy ``(n_trials, n_epochs)`` metrics.

        ``hparams`` maps names to 1-D arrays of equal length (one entry per trial); ``optimizer``,
        ``optimizer_config``, ``post_step_builder`` and ``keep_best`` as in :func:`make_bucket_fn` (with
        ``keep_best`` the result also holds ``"best_variables"``, NumPy leaves with a leading trial axis).
        ``on_chunk(done, total)`` is called after each chunk (for progress bars).
        """
        sizes = {len(np.asarray(v)) for v in hparams.values()}
        if len(sizes) != 1:
            raise ValueError(f"hparams arrays must have equal lengths, got lengths {sorted(sizes)}")
        n_trials = sizes.pop()
        n_chunks, chunk_size = chunk_layout(n_trials, self.max_bucket_size, len(self.devices))
        program = self._program(
            bucket_id,
            chunk_size,
            keep_best,
            lambda: make_bucket_fn(model, n_epochs=n_epochs, batch_size=batch_size, optimizer=optimizer,
                                   optimizer_config=optimizer_config, post_step_builder=post_step_builder,
                                   eval_mode=self.eval_mode, n_shards=len(self.devices), keep_best=keep_best),
        )
        names = (*METRICS, "best_variables") if keep_best else METRICS
        outputs: dict[str, list[Any]] = {name: [] for name in names}
        for chunk in range(n_chunks):
            index = np.arange(chunk * chunk_size, (chunk + 1) * chunk_size)
            index = np.minimum(index, n_trials - 1)
            chunk_hp = {name: jax.device_put(np.asarray(v)[index], self.trial_sharding) for name, v in hparams.items()}
            result = program(chunk_hp, data)
            self.last_output_sharding = result["val_accuracy"].sharding
            keep = min(chunk_size, n_trials - chunk * chunk_size)
            for name in outputs:
                outputs[name].append(jax.tree.map(lambda a: np.asarray(a)[:keep], result[name]))
            if on_chunk is not None:
                on_chunk(chunk + 1, n_chunks)
        return {name: jax.tree.map(lambda *chunks: np.concatenate(chunks), *parts) for name, parts in outputs.items()}
