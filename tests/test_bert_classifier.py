"""Tests of course_utils.bert_classifier: the fine-tuning loop, saving, loading and the broken-folder errors.

Every model here trains on 16 short texts for one epoch with max_length 16, on the CPU: a few seconds.
"""
import numpy as np
import pandas as pd
import pytest
import torch

from course_utils.bert_classifier import (LABEL_NAMES, MODEL_FOLDER, BertClassifierError, LengthGroupedSampler,
                                          default_folder, encode_examples, fine_tune_bert, length_grouped_batches,
                                          load_bert_classifier, load_or_train_bert, parameter_groups, predict_proba,
                                          save_bert_classifier)
from course_utils.checkpoints import packaged_checkpoint

TINY = pd.DataFrame({
    "text": ["I love it", "great and lovely", "love this so much", "wonderful, would buy again",
             "best purchase ever", "really happy with it", "excellent quality", "a delight",
             "I hate it", "awful and boring", "hate this", "broke after a day",
             "worst purchase ever", "really unhappy with it", "terrible quality", "a waste of money"],
    "label": [1] * 8 + [0] * 8})
SMALL = dict(epochs=1, max_length=16, batch_size=8, seed=0, device="cpu")
PROBE = ["I love it", "a waste of money"]


@pytest.fixture(scope="module")
def trained():
    model, tokenizer, history = fine_tune_bert(TINY, TINY.head(4), **SMALL)
    return model, tokenizer, history


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    model, tokenizer, _ = trained
    folder = tmp_path_factory.mktemp("models") / "bert"
    save_bert_classifier(model, tokenizer, folder)
    return folder


# ------------------------------------------------------------------ batching
def test_length_grouped_batches_cover_every_index_once():
    lengths = np.random.default_rng(0).integers(3, 100, size=103)
    batches = length_grouped_batches(lengths, 8, torch.Generator().manual_seed(1))
    assert sorted(i for b in batches for i in b) == list(range(103))
    assert all(1 <= len(b) <= 8 for b in batches)
    # within a window the examples are sorted, so a batch spans a narrow range of lengths
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    assert spread < 0.5 * (lengths.max() - lengths.min())
    again = length_grouped_batches(lengths, 8, torch.Generator().manual_seed(1))
    assert again == batches


@pytest.mark.parametrize("n", [1, 7, 64, 65, 100, 1150])
def test_sampler_length_matches_its_batches(n):
    sampler = LengthGroupedSampler(list(range(n)), batch_size=32, seed=0, window=2)
    assert len(sampler) == len(list(iter(sampler)))


def test_batching_rejects_bad_input():
    with pytest.raises(ValueError, match="lengths"):
        length_grouped_batches([], 8)
    with pytest.raises(ValueError, match="batch_size"):
        length_grouped_batches([3, 4], 0)
    with pytest.raises(ValueError, match="batch_size"):
        LengthGroupedSampler([3, 4], batch_size=2.5)


def test_encode_examples_truncates_and_checks_labels(trained):
    _, tokenizer, _ = trained
    examples = encode_examples(tokenizer, ["word " * 50, "short"], [1, 0], max_length=16)
    assert len(examples[0]["input_ids"]) == 16 and examples[0]["labels"] == 1
    assert examples[1]["input_ids"][0] == tokenizer.cls_token_id
    with pytest.raises(ValueError, match="labels"):
        encode_examples(tokenizer, ["a", "b"], [1])


# ------------------------------------------------------------------ training
def test_fine_tune_returns_a_trained_two_class_model(trained):
    model, tokenizer, history = trained
    assert model.config.num_labels == 2 and not model.training
    assert model.config.id2label == {0: "negative", 1: "positive"}
    assert len(history["loss"]) == len(history["lr"]) == 2            # 16 texts / batch 8 = 2 steps
    assert len(history["val_accuracy"]) == 1 and 0 <= history["val_accuracy"][0] <= 1
    assert history["seconds"] > 0 and all(np.isfinite(history["loss"]))
    assert history["lr"][-1] < history["lr"][0]                       # the linear schedule decays
    proba = predict_proba(model, tokenizer, PROBE, device="cpu")
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)


def test_fine_tune_is_seeded(trained):
    model, tokenizer, history = trained
    again, _, history2 = fine_tune_bert(TINY, TINY.head(4), **SMALL)
    assert history2["loss"] == history["loss"]
    assert torch.equal(again.classifier.weight, model.classifier.weight)


def test_fine_tune_rejects_bad_input():
    with pytest.raises(TypeError, match="DataFrame"):
        fine_tune_bert(["I love it"], **SMALL)
    with pytest.raises(TypeError, match="'text' and 'label'"):
        fine_tune_bert(TINY.rename(columns={"text": "review"}), **SMALL)
    with pytest.raises(ValueError, match="empty"):
        fine_tune_bert(TINY.head(0), **SMALL)
    with pytest.raises(ValueError, match="0 \\(negative\\) and 1"):
        fine_tune_bert(TINY.assign(label=2), **SMALL)
    with pytest.raises(ValueError, match="non-empty strings"):
        fine_tune_bert(TINY.assign(text=[""] + TINY["text"].tolist()[1:]), **SMALL)
    with pytest.raises(ValueError, match="epochs"):
        fine_tune_bert(TINY, **{**SMALL, "epochs": 0})
    with pytest.raises(ValueError, match="lr"):
        fine_tune_bert(TINY, lr=5, **SMALL)
    with pytest.raises(ValueError, match="warmup_ratio"):
        fine_tune_bert(TINY, warmup_ratio=1.5, **SMALL)
    with pytest.raises(TypeError, match="device"):
        fine_tune_bert(TINY, **{**SMALL, "device": 3})


def test_predict_proba_rejects_a_single_string(trained):
    model, tokenizer, _ = trained
    with pytest.raises(TypeError, match="list of strings"):
        predict_proba(model, tokenizer, "I love it")


# ------------------------------------------------------------------ saving and loading
def test_save_and_load_round_trip(trained, saved):
    model, tokenizer, _ = trained
    assert {"config.json", "model.safetensors"} <= {p.name for p in saved.iterdir()}
    loaded, loaded_tok = load_bert_classifier(saved, device="cpu")
    assert loaded.config.id2label == dict(enumerate(LABEL_NAMES))
    assert np.allclose(predict_proba(loaded, loaded_tok, PROBE, device="cpu"),
                       predict_proba(model, tokenizer, PROBE, device="cpu"), atol=1e-6)


def test_save_refuses_to_overwrite(trained, saved):
    model, tokenizer, _ = trained
    before = (saved / "model.safetensors").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_bert_classifier(model, tokenizer, saved)
    assert (saved / "model.safetensors").read_bytes() == before
    with pytest.raises(TypeError, match="transformers model"):
        save_bert_classifier("not a model", tokenizer, saved.parent / "other")


def test_load_missing_folder_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="load_or_train_bert"):
        load_bert_classifier(tmp_path / "nothing here")


def test_load_folder_without_config_or_weights(tmp_path, saved):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BertClassifierError, match="no config.json"):
        load_bert_classifier(empty)
    (empty / "config.json").write_text((saved / "config.json").read_text())
    with pytest.raises(BertClassifierError, match="no weights"):
        load_bert_classifier(empty)
    (empty / "model.safetensors").write_bytes((saved / "model.safetensors").read_bytes())
    with pytest.raises(BertClassifierError, match="tokenizer"):
        load_bert_classifier(empty)


def _copy(src, dst):
    dst.mkdir()
    for p in src.iterdir():
        (dst / p.name).write_bytes(p.read_bytes())
    return dst


def test_corrupt_weights_are_reported_and_nothing_is_overwritten(tmp_path, saved):
    broken = _copy(saved, tmp_path / "broken")
    (broken / "model.safetensors").write_bytes(b"this is not a safetensors file")
    files_before = {p.name: p.read_bytes() for p in broken.iterdir()}
    with pytest.raises(BertClassifierError, match="corrupt"):
        load_bert_classifier(broken)
    # load_or_train_bert must not retrain over an existing folder either
    with pytest.raises(BertClassifierError, match="Delete the folder"):
        load_or_train_bert(broken, train_df=TINY, **SMALL)
    assert {p.name: p.read_bytes() for p in broken.iterdir()} == files_before


def test_a_base_checkpoint_is_not_a_fine_tuned_classifier():
    with pytest.raises(BertClassifierError, match="not a fine-tuned classifier"):
        load_bert_classifier(packaged_checkpoint())


def test_load_or_train_builds_once_then_loads(tmp_path):
    folder = tmp_path / "sub" / "bert_sentiment"
    model, tokenizer = load_or_train_bert(folder, train_df=TINY, **SMALL)
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    again, again_tok = load_or_train_bert(folder, train_df=TINY, **SMALL)
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp          # loaded, not retrained
    assert np.allclose(predict_proba(model, tokenizer, PROBE, device="cpu"),
                       predict_proba(again, again_tok, PROBE, device="cpu"), atol=1e-6)


def test_default_folder_honours_the_models_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODEL_COURSE_MODELS", str(tmp_path))
    assert default_folder() == tmp_path / MODEL_FOLDER
    with pytest.raises(TypeError, match="folder"):
        load_bert_classifier(42)


# ------------------------------------------------------------------ AdamW parameter groups
def _tiny_bert():
    from transformers import BertConfig, BertForSequenceClassification
    torch.manual_seed(0)
    return BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1,
                                                    num_attention_heads=2, intermediate_size=16, num_labels=2))


def test_parameter_groups_decay_matrices_only_as_transformers_trainer_does():
    from transformers import Trainer
    model = _tiny_bert()
    decay, no_decay = parameter_groups(model, 0.01)
    assert decay["weight_decay"] == 0.01 and no_decay["weight_decay"] == 0.0
    names = {id(p): n for n, p in model.named_parameters()}
    decayed = sorted(names[id(p)] for p in decay["params"])
    assert decayed == sorted(Trainer.get_decay_parameter_names(None, model))
    assert all("bias" in names[id(p)] or "LayerNorm" in names[id(p)] for p in no_decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))
    torch.optim.AdamW(parameter_groups(model), lr=1e-3)        # a valid optimiser argument


def test_parameter_groups_leave_out_frozen_parameters():
    model = _tiny_bert()
    for p in model.bert.parameters():
        p.requires_grad_(False)
    decay, no_decay = parameter_groups(model)
    assert len(decay["params"]) == 1 and len(no_decay["params"]) == 1    # the classifier's weight and bias


def test_parameter_groups_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        parameter_groups([torch.zeros(2, 2)])
    with pytest.raises(ValueError, match="weight_decay"):
        parameter_groups(torch.nn.Linear(2, 2), -0.1)
    with pytest.raises(ValueError, match="weight_decay"):
        parameter_groups(torch.nn.Linear(2, 2), float("nan"))
    frozen = torch.nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        parameter_groups(frozen)


# ------------------------------------------------------------------ issue 9: refuse instead of training or saving junk
def _small_checkpoint(folder, nan=False, tokenizer=True):
    """A 1-layer BERT base checkpoint with the packaged tokenizer's vocabulary (NaN weights on request)."""
    from transformers import AutoTokenizer, BertConfig, BertModel
    torch.manual_seed(0)
    base = BertModel(BertConfig(vocab_size=30522, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32))
    if nan:
        with torch.no_grad():
            base.embeddings.word_embeddings.weight.fill_(float("nan"))
    base.save_pretrained(folder)
    if tokenizer:
        AutoTokenizer.from_pretrained(packaged_checkpoint()).save_pretrained(folder)
    return folder


def test_non_finite_max_grad_norm_is_refused():
    for bad in (float("nan"), float("inf"), 0, -1.0):
        with pytest.raises(ValueError, match="max_grad_norm must be a positive finite number"):
            fine_tune_bert(TINY, max_grad_norm=bad, **SMALL)


def test_a_diverging_run_stops_and_saves_nothing(tmp_path):
    checkpoint = _small_checkpoint(tmp_path / "nan_checkpoint", nan=True)
    with pytest.raises(FloatingPointError, match="fine-tuning diverged: the loss at step 1 is nan.*nothing was saved"):
        fine_tune_bert(TINY, checkpoint=str(checkpoint), **SMALL)
    target = tmp_path / "models" / "bert_sentiment"
    with pytest.raises(FloatingPointError, match="diverged"):
        load_or_train_bert(target, train_df=TINY, checkpoint=str(checkpoint), **SMALL)
    assert not (tmp_path / "models").exists()                         # not even an empty folder


def test_checkpoint_without_tokenizer_files_is_refused(tmp_path):
    checkpoint = _small_checkpoint(tmp_path / "no_tokenizer", tokenizer=False)
    with pytest.raises(BertClassifierError, match="has no tokenizer files .*5 special tokens"):
        fine_tune_bert(TINY, checkpoint=str(checkpoint), **SMALL)


def test_unavailable_or_unknown_devices_are_clear_errors():
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="'cuda' was asked for, but this machine has no CUDA device"):
            fine_tune_bert(TINY, **{**SMALL, "device": "cuda"})
        with pytest.raises(ValueError, match="no CUDA device"):
            predict_proba(torch.nn.Linear(2, 2), None, ["x"], device=torch.device("cuda:0"))
    with pytest.raises(ValueError, match="'gpu' is not a device PyTorch knows"):
        fine_tune_bert(TINY, **{**SMALL, "device": "gpu"})


def test_a_failed_save_leaves_the_old_model_or_nothing(trained, saved, tmp_path, monkeypatch):
    model, tokenizer, _ = trained
    (tmp_path / "models").mkdir()
    target = _copy(saved, tmp_path / "models" / "bert")
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(type(tokenizer), "save_pretrained", disk_full)      # fails after the weights are written
    with torch.no_grad():
        model.classifier.bias.add_(1.0)                                      # "new" weights that must not land
    try:
        with pytest.raises(OSError, match="No space left"):
            save_bert_classifier(model, tokenizer, target, overwrite=True)
        assert {p.name: p.read_bytes() for p in target.iterdir()} == before   # the old model, intact
        with pytest.raises(OSError, match="No space left"):
            save_bert_classifier(model, tokenizer, tmp_path / "models" / "new")
        assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["bert"]   # no half-written folder
        monkeypatch.undo()
        save_bert_classifier(model, tokenizer, target, overwrite=True)       # a complete save replaces it
        assert (target / "model.safetensors").read_bytes() != before["model.safetensors"]
        assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["bert"]
    finally:
        with torch.no_grad():
            model.classifier.bias.sub_(1.0)                                  # the shared fixture as it was


def test_a_model_with_nan_weights_is_not_saved(tmp_path):
    from transformers import AutoTokenizer
    model = _tiny_bert()
    with torch.no_grad():
        model.classifier.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"\['classifier.weight'\] hold NaN or infinity"):
        save_bert_classifier(model, AutoTokenizer.from_pretrained(packaged_checkpoint()), tmp_path / "nan")
    assert not (tmp_path / "nan").exists()
