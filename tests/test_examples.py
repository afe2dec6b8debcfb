"""Every script in examples/ runs to the end in its fast mode (``--fast``)."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).parents[1] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_in_fast_mode(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", JAX_PLATFORMS="cpu", BIOJAX_FAST="1")
    result = subprocess.run(
        [sys.executable, str(script), "--fast", "--out", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
