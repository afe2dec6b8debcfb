import pathlib
import sys

import pytest

optuna = pytest.importorskip("optuna")  # the `search` extra; installed in the test environment

from biojax.search import HyperparameterSearcher  # noqa: E402
from biojax.search.optuna_adapter import optuna_search  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import gather_factory, make_dataset  # noqa: E402

SPACE = {"hidden": [2, 8], "k": 4, "lr": {"type": "loguniform", "low": 1e-3, "high": 1e-1}}


def test_batches_share_an_sqlite_study_across_workers(tmp_path):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="s", storage=storage, direction="maximize",
                        sampler=optuna.samplers.RandomSampler(seed=0))
    searcher = HyperparameterSearcher(make_dataset(), max_params=100, min_param_ratio=0.5, n_epochs=1,
                                      batch_size=64, verbose=False, model_factory=gather_factory)
    for _worker in range(2):  # each worker loads the shared study from storage
        study = optuna.load_study(study_name="s", storage=storage)
        optuna_search(searcher, study, SPACE, batch_size=4)
    trials = optuna.load_study(study_name="s", storage=storage).trials
    assert len(trials) == 8
    states = {t.state for t in trials}
    assert states <= {optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED}
    for t in trials:
        if t.params["hidden"] == 2:  # 2*4 + 2*3 + 3 = 17 params < 50
            assert t.state == optuna.trial.TrialState.PRUNED and "under_budget" in t.user_attrs["biojax_reason"]
        else:
            assert t.state == optuna.trial.TrialState.COMPLETE and 0.0 <= t.value <= 1.0
            assert t.user_attrs["total_params"] == 59
    assert searcher.trainer.trace_counts and set(searcher.trainer.trace_counts.values()) <= {1, 2}


def test_minimising_study_is_rejected():
    study = optuna.create_study(direction="minimize")
    searcher = HyperparameterSearcher(make_dataset(), verbose=False, model_factory=gather_factory)
    with pytest.raises(ValueError, match="study must maximise validation accuracy, got direction MINIMIZE"):
        optuna_search(searcher, study, SPACE)
