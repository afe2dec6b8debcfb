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


def test_bad_wiring_arguments_exit_2_naming_the_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["wiring", "--units", "5", "--outputs", "4"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: biojax wiring")
    assert "biojax wiring: error: --outputs must be an integer in [1, 2], got 4" in err


def test_building_the_parser_and_help_import_nothing_heavy():
    code = ("import sys, contextlib, io\n"
            "from biojax.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    for argv in (['--help'], ['search', '--help'], ['wiring', '--help']):\n"
            "        try:\n"
            "            main(argv)\n"
            "        except SystemExit as exit:\n"
            "            assert exit.code == 0, exit.code\n"
            "print(sorted(m for m in ('jax', 'numpy', 'flax', 'optax', 'matplotlib', 'tqdm') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_missing_extra_ends_in_one_line_naming_it(tmp_path):
    code = ("import sys\n"
            "sys.modules['matplotlib'] = None\n"
            "from biojax.cli import main\n"
            "sys.exit(main(['wiring', '--draw', 'w.png']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == 'biojax wiring --draw needs matplotlib (not installed): pip install "biojax[viz]"'
    assert not (tmp_path / "w.png").exists()


def test_module_entry_point_reports_version():
    result = subprocess.run([sys.executable, "-m", "biojax", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"biojax {__version__}"


def test_env_command_prints_backend_and_json(capsys):
    import json

    assert main(["env"]) == 0
    assert "cpu" in capsys.readouterr().out.lower()
    assert main(["env", "--json"]) == 0
    assert "devices" in json.loads(capsys.readouterr().out)
