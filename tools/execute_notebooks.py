#!/usr/bin/env python3
"""Re-run notebooks top to bottom in place (refreshes committed outputs) and time each one.

Used by `make execute` (which sets the offline variables). Runs each notebook in a fresh
kernel from its own folder (notebooks/ or solutions/) so relative paths behave as in JupyterLab
and under nbval, and prints the wall-clock time that README's chapter table reports.

A cell that starts with `# NBVAL_RAISES_EXCEPTION` is an exercise check that must fail while its
stub is blank: it is allowed to raise, and the run fails if it does *not* raise (a check that
cannot fail proves nothing). Any other error stops the run and nothing is written.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT_PER_CELL = 600
RAISES = "# NBVAL_RAISES_EXCEPTION"
TAG = "raises-exception"


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    expected = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(RAISES):
            tags = cell.metadata.setdefault("tags", [])
            if TAG not in tags:
                tags.append(TAG)
                expected.append((cell, True))
            else:
                expected.append((cell, False))
    start = time.perf_counter()
    NotebookClient(nb, timeout=TIMEOUT_PER_CELL, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    for cell, added in expected:
        if not any(o.output_type == "error" for o in cell.outputs):
            raise SystemExit(f"{path.name}: a cell marked {RAISES} ran without an error, so its check cannot "
                             f"fail; nothing was written. The cell starts:\n{cell.source[:300]}")
        if added:
            cell.metadata["tags"].remove(TAG)
            if not cell.metadata["tags"]:
                del cell.metadata["tags"]
    nbformat.write(nb, path)
    return seconds


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        raise SystemExit("usage: execute_notebooks.py NOTEBOOK.ipynb [...]")
    for p in paths:
        if p.suffix != ".ipynb" or not p.is_file():
            raise SystemExit(f"not a notebook file: {p}")
    for p in paths:
        print(f"running {p.parent.name}/{p.name} ...", flush=True)
        print(f"  {p.name}: {run(p):.0f} s", flush=True)
