"""Every Python block of README.md runs as written and prints what its ``# prints ...`` comments say.

Each block runs on its own in a fresh interpreter inside an empty folder, as a user who pastes it would.
A comment ``# prints TEXT`` at the end of a line claims that the block prints a line matching ``TEXT``
(``...`` stands for anything); the claimed lines must appear in the block's output in the order of the
comments. The README's cross-references ("see the datasets section") must name sections that exist.
"""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
PRINTS = re.compile(r"#\s*prints (?P<text>.+?)\s*$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, code)`` of every fenced ``python`` block."""
    return [(text[: m.start()].count("\n") + 2, m.group(1))
            for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M)]


def claimed_lines(code: str) -> list[str]:
    """The ``# prints ...`` texts of a block, in order."""
    return [m.group("text") for line in code.splitlines() if (m := PRINTS.search(line))]


def matches(claim: str, line: str) -> bool:
    pattern = ".*".join(re.escape(part.strip()) for part in claim.split("..."))
    return re.fullmatch(pattern, line.strip()) is not None


def missing_claims(claims: list[str], output: str) -> list[str]:
    """The claims not found, in order, among the output lines."""
    lines = iter(output.splitlines())
    return [claim for claim in claims if not any(matches(claim, line) for line in lines)]


BLOCKS = python_blocks(README.read_text())


def test_the_readme_has_python_blocks_with_claims():
    assert len(BLOCKS) >= 8
    assert sum(len(claimed_lines(code)) for _, code in BLOCKS) >= 10


def test_the_claim_checker_fails_on_a_wrong_or_reordered_claim():
    output = "28 13\n(8, 20, 4) (8, 16)\n"
    assert missing_claims(["28 13", "(8, 20, ...) (8, 16)"], output) == []
    assert missing_claims(["28 14"], output) == ["28 14"]
    assert missing_claims(["(8, 20, 4) (8, 16)", "28 13"], output) == ["28 13"]


@pytest.mark.parametrize("line, code", BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_readme_block_runs_and_prints_its_claims(line, code, tmp_path, run_fast):
    script = tmp_path / "block.py"
    script.write_text(code)
    result = run_fast(str(script))
    assert missing_claims(claimed_lines(code), result.stdout) == [], result.stdout[-3000:]


def test_every_section_the_readme_points_to_exists():
    text = README.read_text()
    headings = {h.strip().lower() for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    named = {name.lower() for name in re.findall(r"see the (\w[\w -]*?) section", text)}
    assert "datasets" in named
    assert named <= headings, named - headings


def test_the_datasets_section_says_how_to_provide_idx_files():
    section = README.read_text().split("\n## Datasets\n", 1)[1].split("\n## ", 1)[0]
    for needed in ("BIOJAX_DATA_DIR", "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", ".gz",
                   "~/.cache/biojax", "--data-dir", "data_dir="):
        assert needed in section, needed


def test_what_the_readme_commands_write_is_ignored_by_git():
    import shutil
    import subprocess

    root = README.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    text = README.read_text()
    outputs = set(re.findall(r"--out (\S+?\.jsonl)", text))
    written = {*outputs, *(name.replace(".jsonl", ".png") for name in outputs),
               *re.findall(r'save_results\("([^"]+)"\)', text), "results/x.json"}
    assert {"results.jsonl", "results.png", "quick.png", "my_search_results.json"} <= written
    result = subprocess.run(["git", "check-ignore", "--no-index", *sorted(written)], cwd=root,
                            capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(written)
