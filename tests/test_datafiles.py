"""Tests of course_utils.datafiles (SHA256SUMS of shipped data, verified by the loaders of chapters 06 and 11)."""
import hashlib

import pytest

from course_utils import reviews
from course_utils.config import data_dir
from course_utils.datafiles import CHECKSUM_FILE, ChecksumError, sha256, verify_checksums


def _folder(tmp_path, files, sums=None):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    if sums is None:
        sums = "".join(f"{hashlib.sha256(c).hexdigest()}  {n}\n" for n, c in files.items())
    (tmp_path / CHECKSUM_FILE).write_text(sums)
    return tmp_path


def test_shipped_folders_verify():
    assert set(verify_checksums(data_dir() / "tinyshakespeare", required=["input.txt"])) == {"input.txt"}
    assert verify_checksums(data_dir() / "tinyshakespeare")["input.txt"].startswith("86c4e6aa9db7")


def test_sha256_of_a_file(tmp_path):
    (tmp_path / "a").write_bytes(b"abc")
    assert sha256(tmp_path / "a") == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(FileNotFoundError, match="not a file"):
        sha256(tmp_path / "missing")
    with pytest.raises(TypeError, match="file path"):
        sha256(3)


def test_a_changed_file_is_named_with_the_restore_advice(tmp_path):
    folder = _folder(tmp_path, {"x.txt": b"hello\n", "y.txt": b"world\n"})
    assert verify_checksums(folder, required=["x.txt"]) == {"x.txt": sha256(folder / "x.txt"),
                                                             "y.txt": sha256(folder / "y.txt")}
    (folder / "y.txt").write_bytes(b"world\r\n")
    with pytest.raises(ChecksumError, match=r"y\.txt in .* was modified or corrupted.*Do this\."):
        verify_checksums(folder, restore="Do this.")


@pytest.mark.parametrize("sums, error, match", [
    ("not a line\n", ChecksumError, "line 1: expected '<sha256>  <file name>'"),
    ("\n\n", ChecksumError, "lists no files"),
    (f"{'0' * 64}  other.txt\n", ChecksumError, "has no entry for x.txt"),
    (f"{'0' * 64}  x.txt\n{'0' * 64}  gone.txt\n", ChecksumError, "x.txt in .* modified"),
])
def test_bad_checksum_files(tmp_path, sums, error, match):
    folder = _folder(tmp_path, {"x.txt": b"x"}, sums)
    with pytest.raises(error, match=match):
        verify_checksums(folder, required=["x.txt"])


def test_missing_files_and_folders(tmp_path):
    folder = _folder(tmp_path, {"x.txt": b"x"}, f"{hashlib.sha256(b'x').hexdigest()}  x.txt\n{'0' * 64}  gone.txt\n")
    with pytest.raises(FileNotFoundError, match=r"gone\.txt \(listed in SHA256SUMS\) is missing"):
        verify_checksums(folder)
    (folder / CHECKSUM_FILE).unlink()
    with pytest.raises(FileNotFoundError, match="SHA256SUMS is missing from the data folder"):
        verify_checksums(folder)
    with pytest.raises(FileNotFoundError, match="corpus folder .* does not exist"):
        verify_checksums(tmp_path / "nowhere", what="corpus folder")


@pytest.mark.parametrize("kwargs, match", [({"folder": ""}, "folder"), ({"folder": None}, "folder"),
                                           ({"required": "x.txt"}, "required"), ({"required": [""]}, "required"),
                                           ({"restore": 3}, "restore")])
def test_bad_arguments(tmp_path, kwargs, match):
    args = {"folder": tmp_path, **kwargs}
    with pytest.raises(TypeError, match=match):
        verify_checksums(**args)


def test_reviews_uses_the_same_checks():
    assert reviews.ChecksumError is ChecksumError
    assert set(reviews.verify_checksums()) >= {"reviews.csv"}
