import os
import pathlib
import sys

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.search.buckets import chunk_layout
from biojax.search.engine import BucketTrainer, SplitData, make_bucket_fn, make_trial_fn

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import ROOT, GatherNet, fresh_python, make_dataset  # noqa: E402


def _data():
    d = make_dataset()
    return SplitData.from_numpy(d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test)


def _hparams(lrs, seeds=None):
    n = len(lrs)
    return {
        "lr": np.asarray(lrs, np.float32),
        "weight_decay": np.full(n, 0.01, np.float32),
        "seed": np.asarray(seeds if seeds is not None else np.arange(n), np.uint32),
    }


def test_vmapped_trial_equals_the_same_trial_trained_alone():
    data, model = _data(), GatherNet(6, 3, 3)
    hp = _hparams([0.003, 0.02, 0.05], seeds=[4, 5, 6])
    batched = BucketTrainer(max_bucket_size=8).train("b", model, hp, data, n_epochs=3, batch_size=32)
    alone = jax.jit(make_trial_fn(model, n_epochs=3, batch_size=32))
    for i in range(3):
        single = alone({k: jnp.asarray(v[i]) for k, v in hp.items()}, data)
        for name, values in single.items():
            np.testing.assert_allclose(batched[name][i], np.asarray(values), rtol=2e-5, atol=2e-6, err_msg=name)
    assert batched["val_accuracy"][1, -1] > 0.6  # it learns (3 well-separated blobs)


def test_mapped_evaluation_gives_the_vmapped_metrics():
    data, model = _data(), GatherNet(6, 3, 3)
    hp = {k: jnp.asarray(v) for k, v in _hparams([0.003, 0.02, 0.05, 0.01, 0.04, 0.03]).items()}
    outputs = {}
    for mode, shards in (("vmap", 1), ("map", 1), ("map", 3)):
        bucket = make_bucket_fn(model, n_epochs=2, batch_size=32, eval_mode=mode, n_shards=shards)
        outputs[mode, shards] = jax.jit(bucket)(hp, data)
    reference = outputs["vmap", 1]
    assert reference["test_accuracy"].shape == (6, 2)
    for key, out in outputs.items():
        for name in reference:
            np.testing.assert_allclose(out[name], reference[name], rtol=2e-5, atol=2e-6, err_msg=f"{key} {name}")


def test_evaluation_mode_is_chosen_per_platform_and_validated():
    assert BucketTrainer(devices=jax.devices("cpu")[:1]).eval_mode == "map"
    assert BucketTrainer(eval_mode="vmap").eval_mode == "vmap"
    with pytest.raises(ValueError, match="eval_mode must be one of .*'fast'"):
        BucketTrainer(eval_mode="fast")
    with pytest.raises(ValueError, match="eval_mode must be one of .*'auto'"):
        make_bucket_fn(GatherNet(4, 3, 3), n_epochs=1, batch_size=8, eval_mode="auto")
    bucket = make_bucket_fn(GatherNet(4, 3, 3), n_epochs=1, batch_size=32, eval_mode="map", n_shards=4)
    with pytest.raises(ValueError, match="n_shards=4 must divide the number of trials, got 6"):
        bucket({k: jnp.asarray(v) for k, v in _hparams([0.01] * 6).items()}, _data())


def test_a_diverging_trial_does_not_disturb_its_bucket():
    data, model = _data(), GatherNet(6, 3, 3)
    trainer = BucketTrainer(max_bucket_size=8)
    clean = trainer.train("b", model, _hparams([0.01, 0.02, 0.05]), data, n_epochs=2, batch_size=32)
    broken = trainer.train("b", model, _hparams([0.01, np.nan, 0.05]), data, n_epochs=2, batch_size=32)
    assert not np.isfinite(broken["train_loss"][1]).any()
    for name in clean:
        np.testing.assert_array_equal(broken[name][[0, 2]], clean[name][[0, 2]], err_msg=name)
    assert trainer.trace_counts["b"] == 1  # same bucket, same chunk size: no recompile


def test_one_compile_per_bucket_even_when_split_into_chunks():
    data = _data()
    trainer = BucketTrainer(max_bucket_size=2)
    out = trainer.train("small", GatherNet(4, 3, 3), _hparams([0.01] * 5), data, n_epochs=1, batch_size=64)
    assert out["val_accuracy"].shape == (5, 1)
    trainer.train("small", GatherNet(4, 3, 3), _hparams([0.02] * 3), data, n_epochs=1, batch_size=64)
    trainer.train("wide", GatherNet(8, 3, 3), _hparams([0.01] * 2), data, n_epochs=1, batch_size=64)
    assert trainer.trace_counts == {"small": 1, "wide": 1}


def test_trial_function_traces_once_for_new_traced_values():
    data = _data()
    train = make_trial_fn(GatherNet(4, 3, 3), n_epochs=1, batch_size=64)

    def run(hparams, data):
        return jax.vmap(train, in_axes=(0, None))(hparams, data)

    batched = jax.jit(chex.assert_max_traces(run, n=1))
    for lr in (0.01, 0.1, 0.3):
        batched({k: jnp.asarray(v) for k, v in _hparams([lr, lr / 2]).items()}, data)


def test_chunk_layout_bounds_the_bucket_and_divides_over_devices():
    for n in range(1, 40):
        for cap in (1, 3, 8):
            for devices in (1, 2, 4):
                chunks, size = chunk_layout(n, cap, devices)
                assert size % devices == 0 and chunks * size >= n
                assert size <= max(cap, devices) + devices - 1
                assert (chunks - 1) * size < n  # no empty chunk


def test_trial_axis_is_sharded_over_fake_devices():
    script = """
        import numpy as np, jax
        from biojax.search.engine import BucketTrainer, SplitData
        from search_testkit import GatherNet, make_dataset
        d = make_dataset()
        data = SplitData.from_numpy(d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test)
        hp = {"lr": np.linspace(0.005, 0.05, 6).astype(np.float32), "weight_decay": np.zeros(6, np.float32),
              "seed": np.arange(6, dtype=np.uint32)}
        sharded = BucketTrainer()
        out = sharded.train("b", GatherNet(4, 3, 3), hp, data, n_epochs=2, batch_size=32)
        vmapped = BucketTrainer(eval_mode="vmap").train("b", GatherNet(4, 3, 3), hp, data, n_epochs=2, batch_size=32)
        assert sharded.eval_mode == "map"
        single = BucketTrainer(devices=jax.devices()[:1]).train("b", GatherNet(4, 3, 3), hp, data,
                                                               n_epochs=2, batch_size=32)
        assert len(sharded.devices) == 4, sharded.devices
        assert len(sharded.last_output_sharding.device_set) == 4
        assert out["val_accuracy"].shape == (6, 2)
        for name in out:
            np.testing.assert_allclose(out[name], single[name], rtol=2e-5, atol=2e-6)
            np.testing.assert_allclose(vmapped[name], single[name], rtol=2e-5, atol=2e-6)
        print("OK", len(sharded.devices))
    """
    out = fresh_python(script, XLA_FLAGS="--xla_force_host_platform_device_count=4",
                       PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests" / "search")]))
    assert out[-2:] == ["OK", "4"]


@pytest.mark.parametrize("eval_batch_size", [7, 48, 1000])
def test_chunked_evaluation_equals_one_pass_over_all_rows(eval_batch_size):
    data, model = _data(), GatherNet(6, 3, 3)
    hp = {k: jnp.asarray(v[0]) for k, v in _hparams([0.02]).items()}
    one_pass = make_trial_fn(model, n_epochs=1, batch_size=32, eval_batch_size=10_000)(hp, data)
    chunked = make_trial_fn(model, n_epochs=1, batch_size=32, eval_batch_size=eval_batch_size)(hp, data)
    n_eval = data.x_eval.shape[0]
    assert n_eval == 128  # so 7 and 48 give padded chunks: 19 x 7 = 133 and 3 x 43 = 129 rows
    for name in ("val_loss", "val_accuracy", "test_loss", "test_accuracy"):
        np.testing.assert_allclose(chunked[name], one_pass[name], rtol=1e-5, err_msg=name)
