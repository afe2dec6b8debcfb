"""The leaderboard shows what differs between the rows shown, and only settings that act on a trial."""

from biojax.search.leaderboard import format_leaderboard
from biojax.search.result import SearchResult


def _result(val, **params):
    base = {"architecture": "dendritic_simple", "n_neurons": 8, "synaptic_resampling": True,
            "percentage_resample": 0.25, "steps_to_resample": 128, "lr": 0.001}
    return SearchResult({**base, **params}, 0.8, 0.9, 7000, 1.0, 0.3, val_accuracy=val, val_loss=1 - val)


def _config_column(text):
    return [line.split("  ")[-1] for line in text.splitlines()[2:]]


def test_architecture_is_shown_only_when_it_differs():
    same = format_leaderboard([_result(0.9, lr=0.1), _result(0.8, lr=0.2)])
    assert "architecture" not in same
    mixed = format_leaderboard([_result(0.9), _result(0.8, architecture="soma_disabled")])
    assert _config_column(mixed) == ["architecture=dendritic_simple", "architecture=soma_disabled"]


def test_resampling_settings_are_hidden_where_resampling_is_off():
    text = format_leaderboard([_result(0.9, percentage_resample=0.5),
                               _result(0.8, percentage_resample=0.1),
                               _result(0.7, synaptic_resampling=False, percentage_resample=0.3)])
    assert _config_column(text) == ["synaptic_resampling=True, percentage_resample=0.5",
                                    "synaptic_resampling=True, percentage_resample=0.1",
                                    "synaptic_resampling=False"]


def test_a_setting_equal_wherever_it_acts_is_not_shown():
    text = format_leaderboard([_result(0.9, percentage_resample=0.25),
                               _result(0.8, synaptic_resampling=False, percentage_resample=0.9)])
    assert "percentage_resample" not in text
    assert _config_column(text) == ["synaptic_resampling=True", "synaptic_resampling=False"]


def test_the_title_counts_the_rows_shown():
    results = [_result(v, lr=v) for v in (0.5, 0.6, 0.7)]
    assert format_leaderboard(results, 10).splitlines()[0].startswith("Top 3 of 3 trials")
    assert format_leaderboard(results, 2).splitlines()[0].startswith("Top 2 of 3 trials")
    diverged = SearchResult({}, float("nan"), float("nan"), 1, 0.0, float("nan"), status="diverged")
    text = format_leaderboard([*results, diverged], 10, n_skipped=1)
    assert text.splitlines()[0] == ("Top 3 of 4 trials (ranked on validation accuracy; "
                                    "1 configuration skipped)")
    assert text.splitlines()[-1] == "(1 diverged trial(s) not ranked)"


def test_a_single_row_shows_every_setting_that_acts():
    text = format_leaderboard([_result(0.9, synaptic_resampling=False)], 5)
    assert _config_column(text) == ["architecture=dendritic_simple, n_neurons=8, synaptic_resampling=False, lr=0.001"]


def test_nothing_to_rank_says_so():
    assert format_leaderboard([], 10, n_skipped=20) == ("No finished trial to rank (0 trial(s) run; "
                                                        "20 configurations skipped)")
