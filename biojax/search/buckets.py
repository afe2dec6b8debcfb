"""Grouping trials into buckets that share every static setting, and splitting big buckets.

A trial's configuration has *traced* settings (numbers that only enter the compiled program as
arrays: learning rate, weight decay, seed, resampling fraction) and *static* settings (everything
else: architecture, layer sizes, epochs, batch size ...), as its search space says
(:mod:`biojax.search.search_space`). Trials with equal static settings form one bucket, trained by one
compiled ``jax.jit(jax.vmap(train))``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from biojax._validation import check_int

def canonical_json(value: Any) -> str:
    """Sorted-key compact JSON, the identity used for trial and bucket ids.

    Example:
        >>> canonical_json({"b": 1, "a": [True, None]})
        '{"a":[true,null],"b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def short_hash(value: Any) -> str:
    """First 12 hex digits of the SHA-1 of :func:`canonical_json`.

    Example:
        >>> short_hash({"a": 1})
        '9f89c740ceb4'
    """
    return hashlib.sha1(canonical_json(value).encode()).hexdigest()[:12]


@dataclass
class Trial:
    """One configuration to train.

    Attributes:
        trial_id: stable id (hash of the full configuration and the search's data/training settings).
        config: the full, resolved configuration.
        n_params: exact trainable parameter count.

    Example:
        >>> Trial("t1", {"n_neurons": 8, "lr": 0.01}, 100).config["lr"]
        0.01
    """

    trial_id: str
    config: dict[str, Any]
    n_params: int


@dataclass
class Bucket:
    """Trials sharing every static setting.

    Example:
        >>> trials = [Trial("a", {"n": 1, "lr": 0.1}, 5), Trial("b", {"n": 1, "lr": 0.2}, 5)]
        >>> bucket = make_buckets(trials, lambda config: {"n": config["n"]})[0]
        >>> len(bucket.trials), bucket.static
        (2, {'n': 1})
    """

    bucket_id: str
    static: dict[str, Any]
    trials: list[Trial] = field(default_factory=list)


def make_buckets(trials: list[Trial], static_part: Callable[[dict[str, Any]], dict[str, Any]]) -> list[Bucket]:
    """Groups trials by their static settings (``static_part(config)``), in order of first appearance.

    Example:
        >>> trials = [Trial(str(i), {"n": i % 2, "lr": 0.1 * i}, 1) for i in range(5)]
        >>> without_lr = lambda config: {k: v for k, v in config.items() if k != "lr"}
        >>> [len(b.trials) for b in make_buckets(trials, without_lr)]
        [3, 2]
    """
    buckets: dict[str, Bucket] = {}
    for trial in trials:
        static = static_part(trial.config)
        bucket_id = short_hash(static)
        buckets.setdefault(bucket_id, Bucket(bucket_id, static)).trials.append(trial)
    return list(buckets.values())


def chunk_layout(n_trials: int, max_bucket_size: int, n_devices: int = 1) -> tuple[int, int]:
    """``(n_chunks, chunk_size)`` for running ``n_trials`` in equal chunks of at most ``max_bucket_size``.

    Every chunk has the same size (the last one is padded with repeated trials whose results are
    dropped), so a split bucket still compiles once; ``chunk_size`` is a multiple of ``n_devices`` so
    the trial axis divides evenly over devices.

    Example:
        >>> chunk_layout(10, 4)
        (3, 4)
        >>> chunk_layout(5, 256, n_devices=4)
        (1, 8)
    """
    n_trials = check_int("n_trials", n_trials, minimum=1)
    max_bucket_size = check_int("max_bucket_size", max_bucket_size, minimum=1)
    n_devices = check_int("n_devices", n_devices, minimum=1)
    cap = max(n_devices, (max_bucket_size // n_devices) * n_devices)
    n_chunks = -(-n_trials // cap)
    per_chunk = -(-n_trials // n_chunks)
    chunk_size = -(-per_chunk // n_devices) * n_devices
    return n_chunks, chunk_size
