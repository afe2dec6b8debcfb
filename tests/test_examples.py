"""Every script in examples/ runs to the end in its fast mode (``--fast``)."""

import pathlib

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_in_fast_mode(script, tmp_path, run_fast):
    run_fast(str(script), "--fast", "--out", str(tmp_path))
