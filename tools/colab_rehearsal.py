#!/usr/bin/env python3
"""Run notebooks the way Colab would, offline: the Colab branch of each set-up cell clones the course and
imports `course_utils` from that clone, not from the installed package.

The kernel gets a fake `google.colab` module (so the set-up block takes its Colab branch), the editable
install of `course_utils` is hidden from it, and the block's `git clone` reads its source and target from
`$BIGMODEL_COURSE_REPO_URL` (this repository's committed HEAD, as a file:// URL) and
`$BIGMODEL_COURSE_COLAB_DIR` (a temporary folder) instead of GitHub and /content.

    python tools/colab_rehearsal.py --setup-only notebooks/*.ipynb   # set-up cells, one kernel (tests/test_colab.py)
    python tools/colab_rehearsal.py notebooks/*.ipynb                 # whole notebooks (`make test-colab`)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from course_utils.config import CLONE_URL_ENV, COLAB_DIR_ENV  # noqa: E402

RAISES = "# NBVAL_RAISES_EXCEPTION"
SITECUSTOMIZE = '''\
"""Colab rehearsal: pretend to be Colab, and hide the editable install of course_utils."""
import sys
import google.colab  # noqa: F401  (the fake module beside this file)
sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
sys.path_hooks[:] = [h for h in sys.path_hooks if "__editable__" not in getattr(h, "__module__", "")]
'''
VERIFY = '''\
import os, course_utils
_where = os.path.realpath(course_utils.__file__)
assert _where.startswith(os.path.realpath(COURSE_DIR)), f"course_utils came from {_where}, not from the clone"
print("course_utils from the clone")'''


def fake_colab_env(workdir: Path) -> dict:
    """Environment for a kernel that believes it runs on Colab and clones this repository into ``workdir``."""
    fake = workdir / "fake_colab"
    (fake / "google" / "colab").mkdir(parents=True, exist_ok=True)
    (fake / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab module."""\n')
    (fake / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(fake), CLONE_URL_ENV: ROOT.as_uri(), COLAB_DIR_ENV: str(workdir / "bigmodel-course"),
                "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    return env


def rehearse(path: Path, env: dict) -> float:
    """Run one whole notebook in a fresh fake-Colab kernel; raise with the cell that failed."""
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type == "code" and c.source.startswith(RAISES):
            c.metadata.setdefault("tags", []).append("raises-exception")
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(env[COLAB_DIR_ENV]).parent)}}).execute(env=env)
    return time.perf_counter() - start


def rehearse_setup_cells(paths: list[Path], env: dict) -> float:
    """Run every notebook's set-up cell, in order, in one fresh fake-Colab kernel (as when a learner opens
    one chapter after another in the same Colab runtime); each is followed by the check that
    ``course_utils`` was imported from the clone. Raises with the failing cell, which names its notebook."""
    cells = []
    for path in paths:
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        if not code:
            raise ValueError(f"{path.name}: no code cells")
        cells += [nbformat.v4.new_code_cell(f"# set-up cell of {path.parent.name}/{path.name}\n" + code[0].source),
                  nbformat.v4.new_code_cell(VERIFY)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(env[COLAB_DIR_ENV]).parent)}}).execute(env=env)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--setup-only", action="store_true", help="run only each notebook's set-up cell")
    args = parser.parse_args(argv)
    for p in args.notebooks:
        if p.suffix != ".ipynb" or not p.is_file():
            parser.error(f"not a notebook file: {p}")
    failed = []
    with tempfile.TemporaryDirectory(prefix="colab-rehearsal-") as tmp:
        env = fake_colab_env(Path(tmp))
        if args.setup_only:
            print(f"  {len(args.notebooks)} set-up cells: {rehearse_setup_cells(args.notebooks, env):.0f} s")
            return 0
        for p in args.notebooks:
            try:
                print(f"  {p.parent.name}/{p.name}: {rehearse(p, env):.0f} s", flush=True)
            except Exception as exc:  # report every broken notebook, then fail
                failed.append(p.name)
                print(f"  {p.parent.name}/{p.name}: FAILED\n{str(exc)[-3000:]}", flush=True)
    if failed:
        print(f"broke on Colab: {', '.join(failed)}")
        return 1
    print(f"all {len(args.notebooks)} notebooks ran the Colab way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
