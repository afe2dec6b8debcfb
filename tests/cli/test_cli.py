import subprocess
import sys

import pytest

from biojax import __version__
from biojax.cli import main


def test_wiring_command_prints_structure_and_draws(tmp_path, capsys):
    png = tmp_path / "wiring.png"
    assert main(["wiring", "--units", "20", "--outputs", "5", "--inputs", "4", "--draw", str(png)]) == 0
    out = capsys.readouterr().out
    assert "AutoNCP(units=20, output_size=5" in out and "4 sensory" in out
    assert png.stat().st_size > 1000


def test_bad_wiring_arguments_exit_2_naming_the_argument(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["wiring", "--units", "5", "--outputs", "4"])
    assert exit_info.value.code == 2
    assert "output_size must be an integer in [1, 2], got 4" in capsys.readouterr().err


def test_module_entry_point_reports_version():
    result = subprocess.run([sys.executable, "-m", "biojax", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"biojax {__version__}"


def test_env_command_prints_backend_and_json(capsys):
    import json

    assert main(["env"]) == 0
    assert "cpu" in capsys.readouterr().out.lower()
    assert main(["env", "--json"]) == 0
    assert "devices" in json.loads(capsys.readouterr().out)
