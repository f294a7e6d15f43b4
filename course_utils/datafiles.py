"""Checksums of the data files the course ships: ``SHA256SUMS`` next to the files, verified before loading.

Introduced in chapter 06 for the review corpus (``course_utils.reviews.verify_checksums``) and made
folder-agnostic in chapter 11 for tiny Shakespeare (``data/tinyshakespeare``). A loader calls
:func:`verify_checksums` on its folder; a file that was edited, truncated or had its line endings converted
raises :class:`ChecksumError` with the loader's advice on how to restore it.

``SHA256SUMS`` has one line per file, ``<64 hex digits>  <file name>``, as ``sha256sum`` writes it.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

CHECKSUM_FILE = "SHA256SUMS"
_DEFAULT_RESTORE = "Restore the committed files with `git checkout -- data/` in your clone of the course."


class ChecksumError(ValueError):
    """A data file does not match the checksum committed next to it."""


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, as 64 lowercase hex digits (what ``sha256sum`` prints)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a file; expected a file to checksum")
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(folder: str | os.PathLike, required=(), restore: str = _DEFAULT_RESTORE,
                     what: str = "data folder") -> dict:
    """Check every file listed in ``folder/SHA256SUMS``; return ``{name: sha256}``.

    Raises :class:`ChecksumError` naming the file when its contents changed, or when ``SHA256SUMS`` is malformed,
    empty or has no entry for a name in ``required`` (a file without an entry could not be verified), and
    ``FileNotFoundError`` when a listed file or ``SHA256SUMS`` itself is missing. ``restore`` is appended to
    every message: how to get the files back; ``what`` names the folder in messages (e.g. "corpus folder").
    """
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise TypeError(f"folder must be the path of a data folder, got {folder!r}")
    if isinstance(required, str) or not isinstance(required, (tuple, list)) or \
            not all(isinstance(name, str) and name for name in required):
        raise TypeError(f"required must be a list of file names, got {required!r}")
    if not isinstance(restore, str):
        raise TypeError(f"restore must be a sentence saying how to restore the files, got {restore!r}")
    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"{what} {path} does not exist. {restore}")
    sums = path / CHECKSUM_FILE
    if not sums.is_file():
        raise FileNotFoundError(f"{CHECKSUM_FILE} is missing from the {what} {path}. {restore}")
    expected = {}
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line.strip())
        if not m:
            raise ChecksumError(f"{sums.name}, line {number}: expected '<sha256>  <file name>', got {line!r}. "
                                f"{restore}")
        expected[m.group(2)] = m.group(1).lower()
    if not expected:
        raise ChecksumError(f"{sums.name} in {path} lists no files. {restore}")
    unlisted = [name for name in required if name not in expected]
    if unlisted:
        raise ChecksumError(f"{sums.name} in {path} has no entry for {', '.join(unlisted)}, so its contents cannot "
                            f"be verified (it lists {sorted(expected)}). {restore}")
    found = {}
    for name, digest in expected.items():
        file = path / name
        if not file.is_file():
            raise FileNotFoundError(f"{name} (listed in {CHECKSUM_FILE}) is missing from {path}. {restore}")
        actual = sha256(file)
        if actual != digest:
            raise ChecksumError(
                f"{name} in {path} was modified or corrupted: its SHA-256 is {actual[:12]}…, but "
                f"{CHECKSUM_FILE} says {digest[:12]}…. {restore} (On Windows, git's core.autocrlf can "
                "also change the file's line endings: check it out again with autocrlf off.)")
        found[name] = actual
    return found


__all__ = ["CHECKSUM_FILE", "ChecksumError", "sha256", "verify_checksums"]
