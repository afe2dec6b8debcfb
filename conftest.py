"""Pytest configuration for the whole repository."""

import os
import subprocess
import sys

import pytest

# Golden-file generators need torch and the anchor packages; they are run by hand, never collected.
collect_ignore_glob = ["tests/golden/*.py"]


@pytest.fixture
def run_fast(tmp_path):
    """Runs ``python *args`` in fast mode (headless, CPU, ``BIOJAX_FAST=1``) inside ``tmp_path``.

    Fails the test with the end of the output when the script exits non-zero.
    """

    def run(*args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, MPLBACKEND="Agg", JAX_PLATFORMS="cpu", BIOJAX_FAST="1")
        result = subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    return run
