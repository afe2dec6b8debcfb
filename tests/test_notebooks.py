"""Every notebook in notebooks/ runs top to bottom in fast mode (``BIOJAX_FAST=1``).

The code cells are joined into one script and run in a fresh interpreter, which needs no Jupyter
kernel; magics and shell escapes are not allowed in our notebooks.
"""

import json
import pathlib

import pytest

# The longest tests of the suite (whole notebooks, end to end); CI runs them on its first interpreter only.
pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def notebook_source(path: pathlib.Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "\n\n".join(
        "".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_fast_mode(notebook, tmp_path, run_fast):
    source = notebook_source(notebook)
    assert "\n%" not in source and "\n!" not in source, "notebooks must be plain Python"
    script = tmp_path / (notebook.stem + ".py")
    script.write_text(source)
    run_fast(str(script))
