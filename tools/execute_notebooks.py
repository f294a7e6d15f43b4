#!/usr/bin/env python3
"""Re-run notebooks top to bottom in place (refreshes committed outputs) and time each one.

Used by `make execute` (which sets the offline variables). Runs each notebook in a fresh
kernel from notebooks/ so relative paths behave as in JupyterLab and under nbval, and
prints the wall-clock time that README's chapter table reports.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT_PER_CELL = 600


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=TIMEOUT_PER_CELL, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        raise SystemExit("usage: execute_notebooks.py NOTEBOOK.ipynb [...]")
    for p in paths:
        if p.suffix != ".ipynb" or not p.is_file():
            raise SystemExit(f"not a notebook file: {p}")
        print(f"running {p.name} ...", flush=True)
        print(f"  {p.name}: {run(p):.0f} s", flush=True)
