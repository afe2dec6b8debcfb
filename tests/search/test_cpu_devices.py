import pathlib
import sys

import jax
import pytest

from biojax.search import available_cores, use_cpu_cores

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from search_testkit import fresh_python  # noqa: E402


def test_cpu_devices_are_set_before_jax_starts_even_after_the_cli_is_built():
    out = fresh_python(
        """
        from biojax.cli import build_parser
        build_parser()  # imports every sub-command module, as `biojax search` does
        from biojax.search import use_cpu_cores
        print(use_cpu_cores(3))
        import jax
        print(len(jax.devices("cpu")))
        """
    )
    assert out == ["3", "3"]


def test_a_device_count_in_xla_flags_wins():
    out = fresh_python(
        """
        from biojax.search import use_cpu_cores
        import jax
        print(use_cpu_cores(5), len(jax.devices("cpu")))
        """,
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
    )
    assert out == ["2", "2"]


def test_the_search_command_spreads_trials_over_the_requested_cpu_devices(tmp_path):
    out = fresh_python(
        f"""
        from biojax.cli import main
        main(["search", "--dataset", "digits", "--max-params", "3000", "--epochs", "1", "--batch-size", "128",
              "--quiet", "--trials", "3", "--structures", "1", "--cpu-devices", "2",
              "--out", {str(tmp_path / "r.jsonl")!r}])
        import jax
        print("devices", len(jax.devices()))
        """
    )
    assert out[-2:] == ["devices", "2"]
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3


def test_too_late_or_bad_requests_raise_clear_errors():
    started = len(jax.devices("cpu"))
    assert use_cpu_cores(started) == started
    assert available_cores() >= 1
    with pytest.raises(RuntimeError, match=f"came too late: JAX already started with {started} CPU device"):
        use_cpu_cores(started + 1)
    with pytest.raises(ValueError, match="n_devices must be an integer >= 1, got 0"):
        use_cpu_cores(0)
