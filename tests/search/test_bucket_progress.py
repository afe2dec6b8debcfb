"""A bucket's progress: one line per bucket, and a bar over its compiled calls only when there are several."""

import re

import flax.linen as nn
import jax
import numpy as np

from biojax.search.bucket_runner import train_bucket
from biojax.search.architecture import FactoryArchitecture
from biojax.search.buckets import Trial, make_buckets
from biojax.search.engine import BucketTrainer, SplitData
from biojax.search.trial_plan import TrialPlan


def _train(n_trials, max_bucket_size, capsys, verbose=True):
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    data = SplitData.from_numpy(x, y, x, y, x, y)
    plan = TrialPlan({"n_epochs": 2, "batch_size": 8}, FactoryArchitecture(lambda config, n: nn.Dense(n)))
    trials = [Trial(str(i), plan.resolve({"lr": 0.1, "seed": i}), 8) for i in range(n_trials)]
    trainer = BucketTrainer(max_bucket_size=max_bucket_size, devices=jax.local_devices()[:1])
    results, _ = train_bucket(trainer, plan, make_buckets(trials, plan.static_part)[0], nn.Dense(2), data,
                              label="bucket 1/1", verbose=verbose)
    assert [r.status for r in results] == ["ok"] * n_trials
    return capsys.readouterr().err


def _bar_states(err):
    """The ``done/total`` counts the call bar showed, in order."""
    return re.findall(r"bucket 1/1:\s+\d+%\|[^|]*\| (\d+/\d+) ", err)


def test_a_one_call_bucket_has_a_line_and_no_bar_stuck_at_zero(capsys):
    err = _train(3, 256, capsys)
    assert "bucket 1/1: 3 trials x 2 epochs, 1 compiled call\n" in err
    assert _bar_states(err) == [] and "call/s" not in err


def test_a_split_bucket_has_a_bar_over_its_calls_with_the_total_known_from_the_start(capsys):
    err = _train(3, 1, capsys)
    assert "bucket 1/1: 3 trials x 2 epochs, 3 compiled calls\n" in err
    states = _bar_states(err)
    assert states[0] == "0/3" and states[-1] == "3/3"
    assert set(states) <= {"0/3", "1/3", "2/3", "3/3"}


def test_not_verbose_is_silent(capsys):
    assert _train(3, 1, capsys, verbose=False) == ""
