#!/usr/bin/env python3
"""Build the course website from the committed notebooks (`make book`), offline, without executing them.

Stages a Sphinx source folder in build/book_src (README as the landing page, the chapters in the
order of README's chapter table, the solutions as their own part), then runs sphinx-build with the
configuration in book/conf.py into build/book/html. Staging edits only the copies: the Colab badge
image (fetched from colab.research.google.com) becomes a plain text link so that a page needs
nothing from the network, and links to repository files that are not pages point at GitHub.

    python tools/build_book.py            # prints the path of index.html
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from course_utils.config import REPO_BRANCH, REPO_URL  # noqa: E402

SRC = ROOT / "build" / "book_src"
OUT = ROOT / "build" / "book" / "html"
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]*)\)")
LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)")


def chapter_order() -> list[str]:
    """Chapter notebooks in the order README's chapter table lists them (the table of contents)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"\]\(notebooks/(\d\d_[a-z0-9_]+)\.ipynb\)", readme)
    order = list(dict.fromkeys(listed))
    on_disk = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    missing = [n for n in on_disk if n not in order]
    if missing:
        raise SystemExit(f"README's chapter table does not list {missing}: add a row for each chapter")
    return order


def _external(target: str) -> str:
    kind = "tree" if target.endswith("/") or (ROOT / target).is_dir() else "blob"
    return f"{REPO_URL}/{kind}/{REPO_BRANCH}/{target.rstrip('/')}"


def landing_page(chapters: list[str], solutions: list[str]) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = BADGE.sub(lambda m: f"[Open in Colab]({m.group(1)})", text)

    def relink(m: re.Match) -> str:
        target = m.group(1)
        path = target.split("#")[0]
        if path.endswith(".ipynb") and (ROOT / path).is_file():
            return m.group(0)          # a page of the site
        return f"]({_external(target)})"
    text = LINK.sub(relink, text)
    toc = ["", "```{toctree}", ":caption: Chapters", ":hidden:", ""] + [f"notebooks/{c}" for c in chapters] + ["```"]
    toc += ["", "```{toctree}", ":caption: Solutions", ":hidden:", ""] + [f"solutions/{s}" for s in solutions] + ["```"]
    return text + "\n" + "\n".join(toc) + "\n"


def stage_notebook(src: Path, dst: Path) -> None:
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = BADGE.sub(lambda m: f"[Open in Colab]({m.group(1)})", cell.source)
    dst.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)


def build(quiet: bool = True) -> Path:
    chapters = chapter_order()
    solutions = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))
    if SRC.exists():
        shutil.rmtree(SRC)
    SRC.mkdir(parents=True)
    for folder in ("notebooks", "solutions"):
        for nb in sorted((ROOT / folder).glob("*.ipynb")):
            stage_notebook(nb, SRC / folder / nb.name)
    (SRC / "index.md").write_text(landing_page(chapters, solutions), encoding="utf-8")
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT / "book"), "-W", "--keep-going",
           "-j", "1", *(["-q"] if quiet else []), str(SRC), str(OUT)]
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"sphinx-build failed (exit {result.returncode}); see the warnings above")
    return OUT / "index.html"


if __name__ == "__main__":
    print(build(quiet="-v" not in sys.argv).relative_to(ROOT))
