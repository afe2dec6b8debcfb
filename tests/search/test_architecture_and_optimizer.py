"""The Architecture and TrialOptimizer protocols: a toy architecture plugs in by registering, bio-rule chains
are searched inside vmapped buckets (one compile per static combination), and specs are checked before
anything trains."""

import pathlib
import sys

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from biojax.nn import count_params
from biojax.search import (
    BioRules,
    HyperparameterSearcher,
    SearchSpace,
    Setting,
    get_architecture,
    register_architecture,
)
from biojax.search.engine import BucketTrainer, SplitData, make_trial_fn
from biojax.search.search_space import integer_at_least, positive_finite
from biojax.search.trial_plan import TrialPlan

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import GatherNet, make_dataset  # noqa: E402


class ClippedMLP:
    """A toy architecture: one hidden layer of static ``width``, params clipped to ``[-clip, clip]`` after
    every step (a traced post-step setting)."""

    name = "clipped_mlp"
    space = SearchSpace(Setting("width", 8, check=integer_at_least(1)),
                        Setting("clip", 10.0, traced=True, check=positive_finite))

    def build(self, config, n_classes, input_shape):
        return nn.Sequential([nn.Dense(config["width"]), nn.relu, nn.Dense(n_classes)])

    def count_params(self, config, n_classes, input_shape):
        return count_params(self.build(config, n_classes, input_shape), input_shape)

    def post_step(self, hparams, axis_name):
        def clip(state, key):
            return state._replace(params=jax.tree.map(lambda p: jnp.clip(p, -hparams["clip"], hparams["clip"]),
                                                      state.params))

        return clip

    def uses_post_step(self, hparams):
        return True


register_architecture(ClippedMLP())


def _searcher(**kwargs):
    options = dict(max_params=10_000, min_param_ratio=0.0, n_epochs=4, batch_size=32, verbose=False)
    options.update(kwargs)
    return HyperparameterSearcher(make_dataset(), **options)


def test_a_registered_toy_architecture_is_searched_with_its_traced_setting_in_one_bucket():
    searcher = _searcher()
    results = searcher.grid_search({"architecture": ["clipped_mlp"], "width": [8], "clip": [1e-6, 10.0],
                                    "lr": [0.02]})
    assert get_architecture("clipped_mlp").name == "clipped_mlp"
    assert [r.status for r in results] == ["ok", "ok"]
    assert results[0].total_params == (10 * 8 + 8) + (8 * 3 + 3)
    assert len({r.bucket_id for r in results}) == 1 and list(searcher.trainer.trace_counts.values()) == [1]
    tiny, free = results
    assert tiny.val_accuracy < 0.6 < free.val_accuracy  # clipping at 1e-6 keeps the model at chance


def test_unregistered_or_malformed_architectures_are_refused():
    with pytest.raises(TypeError, match="biojax.search.Architecture"):
        register_architecture(object())
    with pytest.raises(ValueError, match="architecture must be one of .*'clipped_mlp'"):
        get_architecture("clipped")


def test_bio_rule_settings_are_traced_and_dale_is_static():
    searcher = _searcher(model_factory=lambda config, n: GatherNet(config["hidden"], config["k"], n))
    grid = {"hidden": [6], "k": [3], "optimizer": ["bio"], "fuzzy_learning_rate_factor_nu": [0.05, 0.2],
            "rejuvenation_parameter_dre": [8.0, 14.0], "dales_principle": [False, True], "lr": [0.02]}
    results = searcher.grid_search(grid)
    assert [r.status for r in results] == ["ok"] * 8
    assert len({r.bucket_id for r in results}) == 2  # one bucket per Dale setting
    assert sorted(searcher.trainer.trace_counts.values()) == [1, 1]
    assert all(r.params["optimizer"] == "bio" and r.params["bio_rules"] == "paper" for r in results)


def test_a_bio_trial_in_a_bucket_equals_the_same_trial_alone():
    d = make_dataset()
    data = SplitData.from_numpy(d.x_train, d.y_train, d.x_val, d.y_val, d.x_test, d.y_test)
    plan = TrialPlan({"optimizer": "bio"})
    configs = [plan.resolve({"architecture": "clipped_mlp", "optimizer": "bio", "dales_principle": True,
                             "bio_rules": "all", "seed": s, "fuzzy_learning_rate_factor_nu": nu, "lr": 0.01})
               for s, nu in ((1, 0.1), (2, 0.3))]
    space = plan.space(configs[0])
    hparams = space.traced_arrays(configs)
    model = get_architecture("clipped_mlp").build(configs[0], 3, (10,))
    static = space.static_part(configs[0])
    bio = BioRules()
    batched = BucketTrainer().train("bio", model, hparams, data, n_epochs=2, batch_size=32, optimizer=bio,
                                    optimizer_config=static)
    alone = jax.jit(make_trial_fn(model, n_epochs=2, batch_size=32, optimizer=bio, optimizer_config=static))
    for i in range(2):
        single = alone({k: jnp.asarray(v[i]) for k, v in hparams.items()}, data)
        for name, values in single.items():
            np.testing.assert_allclose(batched[name][i], np.asarray(values), rtol=2e-5, atol=2e-6, err_msg=name)


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ({"n_neuron": [8]}, ValueError, r"unknown setting 'n_neuron' \(did you mean 'n_neurons'\?\)"),
        ({"n_neurons": ["eight"]}, TypeError, "n_neurons must be an integer, got 'eight'"),
        ({"lr": [float("nan")]}, ValueError, "lr must be in"),
        ({"lr": [-1e-3]}, ValueError, "lr must be a finite number > 0, got -0.001"),
        ({"lr": [float("inf")]}, ValueError, "lr must be a finite number > 0, got inf"),
        ({"weight_decay": [-0.1]}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"percentage_resample": [1.5]}, ValueError, r"percentage_resample must be in \[0.0, 1.0\], got 1.5"),
        ({"steps_to_resample": [0]}, ValueError, "steps_to_resample must be an integer >= 1, got 0"),
        ({"seed": [-1]}, ValueError, "seed must be an integer >= 0, got -1"),
        ({"architecture": ["dendritic_simpel"]}, ValueError, "architecture must be one of"),
        ({"optimizer": ["sgd"]}, ValueError, "optimizer must be one of 'adamw', 'cosine', 'bio', got 'sgd'"),
        ({"optimizer": ["bio"], "bio_rules": ["fuzzy"]}, ValueError, "bio_rules must be one of"),
    ],
)
def test_bad_specs_fail_before_anything_trains(spec, error, message):
    for run in ("grid_search", "random_search"):
        searcher = _searcher()
        with pytest.raises(error, match=message):
            getattr(searcher, run)(spec)
        assert searcher.results == [] and searcher.trainer.trace_counts == {}


def test_random_spec_bounds_are_checked_too():
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        _searcher().random_search({"lr": {"type": "uniform", "low": -1.0, "high": 0.1}}, n_trials=2)
