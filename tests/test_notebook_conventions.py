"""Static checks of every chapter notebook against CONTRIBUTING.md (nbval checks the outputs themselves)."""
import re
from pathlib import Path

import nbformat
import pytest

from course_utils.config import REPO_URL, colab_badge, colab_setup_block

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
RAISES = "# NBVAL_RAISES_EXCEPTION"
STUB = re.compile(r"# YOUR (CODE|ANSWER) HERE")
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
    control = re.search(r"[\x00-\x09\x0b-\x1f]", text)
    assert not control, (f"markdown holds control character {control.group(0)!r} near "
                         f"{text[max(0, control.start() - 30):control.start() + 10]!r}: a backslash was lost "
                         "(write '\\alpha' in Python strings that build LaTeX, or use raw strings)")


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
            if out.output_type == "error":
                assert c.source.startswith(RAISES), f"code cell {i} has an error output"
                assert out.ename == "NotDoneYet" and out.evalue.startswith("not done yet: "), \
                    f"code cell {i}: an exercise check must fail with NotDoneYet while its stub is blank"
                text = "\n".join(out.traceback)
            else:
                text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
            assert not MACHINE_PATHS.search(text), f"code cell {i} shows a machine path"


def _exercise_cells(nb):
    """Code cells between '## Exercises' and '## Summary'."""
    inside, cells = False, []
    for c in nb.cells:
        if c.cell_type == "markdown" and re.search(r"^## Exercises", c.source, re.M):
            inside = True
        elif c.cell_type == "markdown" and re.search(r"^## Summary", c.source, re.M):
            inside = False
        elif inside and c.cell_type == "code":
            cells.append(c)
    return cells


def _solutions_path(path):
    return ROOT / "solutions" / f"{path.stem}_solutions.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_stubs_whose_checks_fail(path):
    nb, code, md = _cells(path)
    cells = _exercise_cells(nb)
    stubs = [c for c in cells if STUB.search(c.source)]
    checks = [c for c in cells if c.source.startswith(RAISES)]
    assert stubs, "exercises need cells for the learner, marked '# YOUR CODE HERE' or '# YOUR ANSWER HERE'"
    assert checks, f"exercises need check cells marked {RAISES} that fail until the stub is filled in"
    for c in checks:
        assert re.search(r"\b(check(_\w+)?|answer)\(", c.source), "a check cell calls the course's check helpers"
        errors = [o for o in c.outputs if o.output_type == "error"]
        assert errors and errors[0].evalue.startswith("not done yet: "), \
            f"the committed check cell must show the 'not done yet' failure (make execute):\n{c.source[:200]}"
    marked = [c for c in code if c.source.startswith(RAISES)]
    assert len(marked) == len(checks), f"{RAISES} is only for exercise checks, inside ## Exercises"
    text = "\n".join(c.source for c in md)
    assert f"../solutions/{_solutions_path(path).name}" in text, "the exercises link to their solutions notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_notebook_runs_the_same_checks(path):
    sol = _solutions_path(path)
    assert sol.is_file(), f"missing {sol.relative_to(ROOT)}"
    chapter, _, _ = _cells(path)
    snb, scode, _ = _cells(sol)
    sources = {c.source.strip() for c in scode}
    for c in _exercise_cells(chapter):
        if c.source.startswith(RAISES):
            body = c.source[len(RAISES):].strip()
            assert body in sources, f"{sol.name} must contain the chapter's check cell unchanged:\n{body[:200]}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_notebook_conventions(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+_solutions\.ipynb", path.name), "solutions are NN_slug_solutions.ipynb"
    chapter = ROOT / "notebooks" / path.name.replace("_solutions.ipynb", ".ipynb")
    assert chapter.is_file(), f"no chapter notebook {chapter.name} for these solutions"
    nb, code, md = _cells(path)
    title = md[0].source
    assert title.splitlines()[0].startswith(f"# {path.name[:2]} · Solutions: "), "title starts '# NN · Solutions: '"
    assert colab_badge(path.name) in title, "badge must match course_utils.config (run tools/sync_notebooks.py)"
    assert f"../notebooks/{chapter.name}" in title, "the title cell links back to its chapter"
    pip = re.search(r"^    %pip install -q (.+)$", code[0].source, re.M)
    assert code[0].source.startswith(colab_setup_block(pip.group(1) if pip else "", folder="solutions")), \
        "the set-up cell starts with the guarded Colab block (run tools/sync_notebooks.py)"
    assert "seed_everything(" in code[0].source
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "re-run with `make execute`"
    for i, c in enumerate(code, 1):
        assert not STUB.search(c.source), f"code cell {i} is still a stub"
        assert not c.source.startswith(RAISES), f"code cell {i}: in solutions every check passes"
        for out in c.outputs:
            assert out.output_type != "error", f"code cell {i} has an error output"
            text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
            assert not MACHINE_PATHS.search(text), f"code cell {i} shows a machine path"
