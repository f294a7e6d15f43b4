"""Static checks of every chapter notebook against CONTRIBUTING.md (nbval checks the outputs themselves)."""
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.config import REPO_URL, colab_badge, colab_setup_block

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
MACHINE_PATHS = re.compile(r"(/work/|/tmp/|/root/|/home/\w+/|site-packages/)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _cells(path):
    nb = nbformat.read(path, as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == "code" and c.source.strip()], \
        [c for c in nb.cells if c.cell_type == "markdown"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_title_badge_and_follows_line(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), "notebooks are named NN_slug.ipynb"
    _, _, md = _cells(path)
    title = md[0].source
    first = title.splitlines()[0]
    assert first.startswith(f"# {path.name[:2]} · "), "title starts with '# NN · '"
    assert first.count(" · ") >= 2 and CJK.search(first), "bilingual title: English · 中文"
    assert colab_badge(path.name) in title, "badge must match course_utils.config (run tools/sync_notebooks.py)"
    assert re.search(r"\*\*Follows:\*\* .*Article 00\d", title), "a **Follows:** line naming article sections"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_required_sections(path):
    _, _, md = _cells(path)
    headings = [line.strip().lower() for c in md for line in c.source.splitlines() if line.startswith("## ")]
    for section in ("## learning objectives", "## errata", "## exercises", "## summary"):
        assert section in headings, f"missing section {section!r}"
    text = "\n".join(c.source for c in md)
    assert "../shared" not in text and "shared/seeds" not in text, "cite articles by number and section, not path"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell(path):
    nb, code, _ = _cells(path)
    setup = code[0].source
    pip = re.search(r"^    %pip install -q (.+)$", setup, re.M)
    assert setup.startswith(colab_setup_block(pip.group(1) if pip else "")), \
        "the set-up cell starts with the guarded Colab block (run tools/sync_notebooks.py)"
    assert REPO_URL in setup
    for call in ("print_versions(", "seed_everything("):
        assert call in setup, f"the set-up cell calls {call}...)"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", "kernelspec python3 (works on Colab too)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_come_from_one_clean_run(path):
    _, code, _ = _cells(path)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run top to bottom with `make execute` before committing"
    for i, c in enumerate(code, 1):
        for out in c.outputs:
            assert out.output_type != "error", f"code cell {i} has an error output"
            text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
            assert not MACHINE_PATHS.search(text), f"code cell {i} shows a machine path"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_check_cells(path):
    nb, _, _ = _cells(path)
    after = False
    checks = 0
    for c in nb.cells:
        if c.cell_type == "markdown" and re.search(r"^## Exercises", c.source, re.M):
            after = True
        elif c.cell_type == "markdown" and re.search(r"^## Summary", c.source, re.M):
            after = False
        elif after and c.cell_type == "code" and re.search(r"\bcheck(_\w+)?\(", c.source):
            checks += 1
    assert checks >= 1, "exercises need check cells (course_utils check helpers)"
