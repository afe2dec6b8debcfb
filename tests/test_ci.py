"""``.ci/run`` tests on two interpreters: it finds a Python 3.13 or 3.12 besides ``python3``, and only a real one."""

import os
import pathlib
import shlex
import shutil
import subprocess
import sys

import pytest

CI = pathlib.Path(__file__).resolve().parents[1] / ".ci" / "run"


def _newer_python(env: dict[str, str]) -> subprocess.CompletedProcess:
    text = CI.read_text()
    function = text[text.index("newer_python() {"): text.index("\n}\n", text.index("newer_python() {")) + 3]
    return subprocess.run(["bash", "-c", function + "newer_python"], env=env, capture_output=True, text=True,
                          timeout=60)


def test_ci_runs_the_suite_on_python3_and_on_the_newer_interpreter():
    calls = [shlex.split(line) for line in CI.read_text().splitlines() if line.startswith("suite ")]
    assert calls == [["suite", "python3"], ["suite", "$second", "-m", "not slow"]]


def test_an_interpreter_named_python3_12_that_is_not_3_12_is_not_taken(tmp_path):
    if sys.version_info[:2] in ((3, 12), (3, 13)):
        pytest.skip("runs under 3.11, where a fake python3.12 can be made")
    os.symlink(sys.executable, tmp_path / "python3.12")
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = _newer_python(env)
    assert result.returncode == 1 and result.stdout == ""


def test_a_real_newer_interpreter_is_found_and_reports_its_version():
    result = _newer_python(dict(os.environ))
    if result.returncode != 0:
        pytest.skip("no python3.13 or python3.12 on this machine (CI fails then)")
    found = result.stdout.strip()
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, timeout=60).stdout.strip()
    assert version in ("(3, 13)", "(3, 12)")
    assert shutil.which(found) or pathlib.Path(found).is_file()
