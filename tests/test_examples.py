"""Every script in examples/ runs to the end in its fast mode (``--fast``)."""

import pathlib

import pytest

# The longest tests of the suite (whole scripts, end to end); CI runs them on its first interpreter only.
pytestmark = pytest.mark.slow

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_in_fast_mode(script, tmp_path, run_fast):
    run_fast(str(script), "--fast", "--out", str(tmp_path))
