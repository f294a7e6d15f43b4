#!/usr/bin/env python3
"""Rewrite each notebook's Colab badge and Colab set-up block from course_utils.config.

The repository URL lives in one place (course_utils/config.py, REPO_URL). After changing
it, run `python tools/sync_notebooks.py` and commit; tests/test_notebook_conventions.py
fails while any notebook disagrees. The badge is the line starting with
"[![Open In Colab]", placed right under the title of the first markdown cell; the set-up block is the lines of the
first code cell from "import sys" up to the "%cd" line. It also sets the standard python3
kernelspec and drops authoring-tool metadata. Outputs are left untouched.
"""
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from course_utils.config import colab_badge, colab_setup_block  # noqa: E402

BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*$", re.M)
# jupytext may leave the magics commented ("# %cd"): match both forms.
BLOCK = re.compile(r"^import sys\nif \"google\.colab\" in sys\.modules:.*?\n    (?:# )?%cd [^\n]*", re.S)
PIP = re.compile(r"^    (?:# )?%pip install -q (.+)$", re.M)


def sync(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    md = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    if md is None or code is None:
        raise SystemExit(f"{path}: needs a markdown title cell and a code set-up cell")
    # The badge goes on its own paragraph right under the title line.
    title, _, rest = BADGE.sub("", md.source).partition("\n")
    new = f"{title}\n\n{colab_badge(path.name)}\n\n{rest.strip()}".rstrip() + "\n"
    new = new.rstrip("\n")
    changed |= new != md.source
    md.source = new
    m = BLOCK.search(code.source)
    extra = ""
    if m and PIP.search(m.group(0)):
        extra = PIP.search(m.group(0)).group(1)
    block = colab_setup_block(extra, folder=path.parent.name if path.parent.name == "solutions" else "notebooks")
    new = BLOCK.sub(lambda _: block, code.source, count=1) if m else block + "\n\n" + code.source
    changed |= new != code.source
    code.source = new
    # Standard kernel (the same name on Colab and in .venv); no authoring-tool metadata.
    kernelspec = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    if nb.metadata.get("kernelspec") != kernelspec or "jupytext" in nb.metadata:
        nb.metadata["kernelspec"] = kernelspec
        nb.metadata.pop("jupytext", None)
        changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    paths = [Path(p) for p in sys.argv[1:]] or sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("solutions/*.ipynb"))
    for p in paths:
        print(f"{'updated' if sync(p) else 'ok     '} {p.parent.name}/{p.name}")
