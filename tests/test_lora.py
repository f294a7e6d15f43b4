"""Tests of course_utils.lora (chapter 10) and of the evaluation command's LoRA-adapter support."""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from course_utils import lora  # noqa: E402
from course_utils.lora import (AdapterError, adapter_base, add_lora, base_fingerprint, folder_bytes,  # noqa: E402
                               freeze_encoder, lora_config, lora_param_count, matching_linear_layers,
                               save_adapter)

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["I love it", "great and lovely", "wonderful, just great", "love this", "what a great day",
         "I hate it", "awful and boring", "terrible, just awful", "hate this", "what a boring day"]
LABELS = [1] * 5 + [0] * 5


def _tiny_bert(seed=0, hidden=32):
    from transformers import BertConfig, BertForSequenceClassification
    config = BertConfig(vocab_size=30522, hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=2,
                        id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1})
    torch.manual_seed(seed)
    return BertForSequenceClassification(config).eval()


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from course_utils.checkpoints import bert_checkpoint
    return AutoTokenizer.from_pretrained(bert_checkpoint())


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory, tokenizer):
    """A tiny BERT saved as a base checkpoint (config, weights, the packaged tokenizer)."""
    path = tmp_path_factory.mktemp("base") / "tiny_base"
    _tiny_bert(0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture
def base_model(base_folder):
    from transformers import BertForSequenceClassification
    return BertForSequenceClassification.from_pretrained(base_folder).eval()


def _batch(tokenizer, texts=TEXTS, labels=LABELS):
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
            "labels": torch.tensor(labels)}


def _logits(model, tokenizer, texts=TEXTS):
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits


def _train_lora_a_little(model, tokenizer, steps=3):
    """Give B non-zero values so that the adapter changes the outputs."""
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    model.train()
    for _ in range(steps):
        model(**_batch(tokenizer)).loss.backward()
        opt.step()
        opt.zero_grad()
    return model.eval()


# ---------------------------------------------------------------- import weight
def test_import_is_light():
    import subprocess
    import sys
    code = ("import sys, course_utils.lora; "
            "print(sorted(m for m in ('torch', 'transformers', 'peft') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("r", [0, -1, 1.5, True, None, "8"])
def test_rank_must_be_a_positive_integer(r):
    with pytest.raises(ValueError, match="r \\(the LoRA rank\\) must be a positive integer"):
        lora_config(r=r)


@pytest.mark.parametrize("alpha", [0, -16, math.nan, math.inf, True, "16"])
def test_alpha_must_be_positive(alpha):
    with pytest.raises(ValueError, match="alpha .* must be a positive number"):
        lora_config(alpha=alpha)


@pytest.mark.parametrize("dropout", [-0.1, 1, 1.5, "0.1"])
def test_dropout_in_unit_interval(dropout):
    with pytest.raises(ValueError, match="dropout"):
        lora_config(dropout=dropout)


@pytest.mark.parametrize("targets", [[], (), 3, [""], ["query", 1], [" query"]])
def test_targets_must_be_names(targets):
    with pytest.raises(TypeError, match="target"):
        lora_config(target_modules=targets)


def test_a_target_that_matches_nothing_lists_the_names_that_exist():
    model = _tiny_bert()
    with pytest.raises(ValueError) as err:
        add_lora(model, target_modules=["query", "q_proj"])     # peft alone accepts this silently
    message = str(err.value)
    assert "['q_proj']" in message
    for name in ("attention.self.query", "attention.output.dense", "intermediate.dense", "bert.pooler.dense",
                 "'value'"):
        assert name in message
    assert not any(n for n, _ in model.named_modules() if "lora" in n), "nothing was changed"


def test_the_head_cannot_be_a_target():
    with pytest.raises(ValueError, match="classification head"):
        matching_linear_layers(_tiny_bert(), ["classifier"])


def test_add_lora_refuses_a_peft_model_and_a_model_without_head():
    from transformers import BertModel
    peft_model = add_lora(_tiny_bert())
    with pytest.raises(ValueError, match="already has LoRA adapters"):
        add_lora(peft_model)
    with pytest.raises(ValueError, match="no classification head"):
        add_lora(BertModel(_tiny_bert().config))
    with pytest.raises(TypeError, match="torch.nn.Module"):
        add_lora("bert")


# ---------------------------------------------------------------- counting and matching
def test_matching_follows_peft_suffix_rule():
    found = matching_linear_layers(_tiny_bert(), ["query", "attention.output.dense"])
    assert found["query"] == [f"bert.encoder.layer.{i}.attention.self.query" for i in range(2)]
    assert found["attention.output.dense"] == [f"bert.encoder.layer.{i}.attention.output.dense" for i in range(2)]


@pytest.mark.parametrize("r", [1, 4, 8])
def test_param_count_equals_peft_trainable_minus_head(r):
    model = _tiny_bert()
    expected = lora_param_count(model, r, ["query", "value", "intermediate.dense"])
    h, f = 32, 64
    assert expected == 2 * r * ((h + h) * 2 + (h + f))
    peft_model = add_lora(model, r=r, target_modules=["query", "value", "intermediate.dense"])
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert trainable == expected + (h * 2 + 2)        # the head (modules_to_save) trains in full


def test_lora_starts_as_the_base_model(tokenizer):
    model = _tiny_bert()
    before = _logits(model, tokenizer)
    peft_model = add_lora(model).eval()
    assert torch.equal(_logits(peft_model, tokenizer), before), "B = 0: the adapter changes nothing at step 0"


def test_freeze_encoder_leaves_only_the_head():
    model = freeze_encoder(_tiny_bert())
    assert sorted(n for n, p in model.named_parameters() if p.requires_grad) == ["classifier.bias",
                                                                                  "classifier.weight"]
    from transformers import BertModel
    with pytest.raises(ValueError, match="no classification head"):
        freeze_encoder(BertModel(_tiny_bert().config))


# ---------------------------------------------------------------- training with chapter 08's loop
def test_fine_tune_lora_trains_adapters_and_head_only(base_folder, base_model):
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS})
    model, tok, history = lora.fine_tune_lora(frame, frame, checkpoint=str(base_folder), r=2, alpha=4,
                                              target_modules=["query", "value"], epochs=1, lr=1e-2,
                                              batch_size=4, max_length=16, device="cpu")
    assert len(history["loss"]) == 3 and len(history["val_accuracy"]) == 1
    plain = dict(base_model.named_parameters())
    for name, p in lora._canonical_base_state(model).items():
        if name in plain:
            assert torch.equal(p, plain[name].detach()), f"{name} is frozen"
    assert base_fingerprint(model) == base_fingerprint(base_model)
    changed = [n for n, p in model.named_parameters() if "lora_B" in n and p.abs().sum() > 0]
    assert changed, "training moved B away from zero"


def test_fine_tune_lora_checks_its_arguments_before_training():
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS})
    with pytest.raises(ValueError, match="rank"):
        lora.fine_tune_lora(frame, r=0)
    with pytest.raises(TypeError, match="sets prepare"):
        lora.fine_tune_lora(frame, prepare=lambda m: m)


def test_fine_tune_bert_prepare_must_be_a_function_returning_a_model(base_folder):
    from course_utils.bert_classifier import fine_tune_bert
    frame = pd.DataFrame({"text": TEXTS, "label": LABELS})
    with pytest.raises(TypeError, match="prepare must be a function"):
        fine_tune_bert(frame, checkpoint=str(base_folder), prepare="lora", device="cpu")
    with pytest.raises(TypeError, match="prepare must return the model"):
        fine_tune_bert(frame, checkpoint=str(base_folder), prepare=lambda m: None, device="cpu")


# ---------------------------------------------------------------- cost of a step
def test_training_step_cost_counts_gradients_and_adam_state(tokenizer):
    from transformers import BatchEncoding
    batches = [_batch(tokenizer), BatchEncoding(_batch(tokenizer)), _batch(tokenizer)]   # what DataLoaders yield
    full = _tiny_bert()
    snapshot = {k: v.clone() for k, v in full.state_dict().items()}
    cost_full = lora.training_step_cost(full, batches, device="cpu")
    assert all(torch.equal(v, snapshot[k]) for k, v in full.state_dict().items()), "the model is not changed"
    n_all = sum(p.numel() for p in full.parameters())
    assert cost_full["weight_bytes"] == 4 * n_all
    assert cost_full["gradient_bytes"] == 4 * n_all
    assert 8 * n_all <= cost_full["optimizer_bytes"] <= 8 * n_all + 8 * 1000      # two moments + step counters
    assert cost_full["activation_bytes"] > 0 and cost_full["seconds_per_step"] > 0
    assert cost_full["peak_cuda_bytes"] is None

    adapted = add_lora(_tiny_bert(), r=2, target_modules=["query", "value"])
    cost_lora = lora.training_step_cost(adapted, batches, device="cpu")
    n_train = sum(p.numel() for p in adapted.parameters() if p.requires_grad)
    assert cost_lora["gradient_bytes"] == 4 * n_train
    assert 8 * n_train <= cost_lora["optimizer_bytes"] < 8 * n_train + 8 * 1000
    assert cost_lora["activation_bytes"] > 0


def test_training_step_cost_rejects_bad_input(tokenizer):
    with pytest.raises(ValueError, match="at least two"):
        lora.training_step_cost(_tiny_bert(), [_batch(tokenizer)], device="cpu")
    with pytest.raises(ValueError, match="at least two"):
        lora.training_step_cost(_tiny_bert(), [{"input_ids": 1}, {"input_ids": 2}], device="cpu")
    with pytest.raises(ValueError, match="lr"):
        lora.training_step_cost(_tiny_bert(), [_batch(tokenizer)] * 2, lr=0, device="cpu")
    with pytest.raises(TypeError, match="torch.nn.Module"):
        lora.training_step_cost(None, [_batch(tokenizer)] * 2)


# ---------------------------------------------------------------- fingerprints
def test_fingerprint_ignores_head_and_adapters_but_not_weights():
    a, b = _tiny_bert(0), _tiny_bert(0)
    with torch.no_grad():
        b.classifier.weight.add_(1.0)
    assert base_fingerprint(a) == base_fingerprint(b), "the head is not part of the base"
    assert base_fingerprint(add_lora(_tiny_bert(0))) == base_fingerprint(a)
    with torch.no_grad():
        b.bert.encoder.layer[0].attention.self.query.weight[0, 0] += 1e-3
    assert base_fingerprint(b) != base_fingerprint(a)
    assert base_fingerprint(_tiny_bert(0, hidden=16)) != base_fingerprint(a)


# ---------------------------------------------------------------- saving and loading
@pytest.fixture
def trained_adapter(base_model, tokenizer):
    return _train_lora_a_little(add_lora(base_model, r=2, alpha=4, target_modules=["query", "value"]), tokenizer)


def test_save_and_load_round_trip(tmp_path, trained_adapter, tokenizer, base_folder):
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    assert sorted(p.name for p in folder.iterdir()) == sorted([lora.ADAPTER_CONFIG, lora.ADAPTER_WEIGHTS,
                                                               lora.BASE_RECORD])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary folder left behind"
    info = adapter_base(folder)
    assert info["base_model"] == str(base_folder) and info["r"] == 2
    assert folder_bytes(folder) < 200_000
    loaded, tok = lora.load_adapter(folder, device="cpu")
    assert torch.allclose(_logits(loaded, tok), _logits(trained_adapter, tokenizer), atol=1e-6)
    from transformers import BertForSequenceClassification
    plain = BertForSequenceClassification.from_pretrained(base_folder).eval()
    assert not torch.allclose(_logits(loaded, tok), _logits(plain, tok), atol=1e-4), "the adapter is in use"


def test_packaged_base_is_recorded_by_its_portable_name():
    from course_utils.checkpoints import packaged_checkpoint
    assert lora._portable_name(packaged_checkpoint()) == lora.PACKAGED_BASE_NAME
    assert lora._portable_name("bert-base-uncased") == "bert-base-uncased"


def test_save_refuses_to_overwrite_and_replaces_only_when_asked(tmp_path, trained_adapter):
    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_adapter(trained_adapter, folder)
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    save_adapter(trained_adapter, folder, overwrite=True)
    assert (folder / lora.ADAPTER_WEIGHTS).is_file() and not (folder / "keep.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError, match="is a file"):
        save_adapter(trained_adapter, tmp_path / "file")
    with pytest.raises(TypeError, match="peft model"):
        save_adapter(_tiny_bert(), tmp_path / "plain")
    with pytest.raises(TypeError, match="overwrite"):
        save_adapter(trained_adapter, tmp_path / "x", overwrite="yes")


def test_a_failed_save_leaves_nothing_and_keeps_the_old_folder(tmp_path, trained_adapter, monkeypatch):
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(*args, **kwargs):
        Path(args[0], "adapter_model.safetensors").write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(trained_adapter, "save_pretrained", broken)
    with pytest.raises(OSError, match="disk full"):
        save_adapter(trained_adapter, folder, overwrite=True)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "the old adapter is untouched"
    with pytest.raises(OSError, match="disk full"):
        save_adapter(trained_adapter, tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adapter"], "nothing else on disk"


def test_adapter_base_rejects_folders_that_are_not_adapters(tmp_path, trained_adapter):
    with pytest.raises(FileNotFoundError, match="no adapter folder"):
        adapter_base(tmp_path / "missing")
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(AdapterError, match="is a file"):
        adapter_base(tmp_path / "f.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(AdapterError, match="not a LoRA adapter"):
        adapter_base(tmp_path / "empty")
    folder = save_adapter(trained_adapter, tmp_path / "a")
    (folder / lora.ADAPTER_WEIGHTS).unlink()
    with pytest.raises(AdapterError, match="no weights"):
        adapter_base(folder)
    folder = save_adapter(trained_adapter, tmp_path / "b")
    (folder / lora.ADAPTER_CONFIG).write_text("{not json")
    with pytest.raises(AdapterError, match="cannot be read"):
        adapter_base(folder)
    with pytest.raises(TypeError, match="path"):
        adapter_base(None)


def test_load_refuses_a_base_that_does_not_match(tmp_path, trained_adapter, tokenizer):
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    other = tmp_path / "other_base"                   # same architecture, other weights (e.g. a fine-tuned copy)
    _tiny_bert(seed=1).save_pretrained(other)
    tokenizer.save_pretrained(other)
    with pytest.raises(AdapterError, match="was trained on the base model .* is a different model"):
        lora.load_adapter(folder, base=str(other), device="cpu")
    bigger = tmp_path / "bigger_base"
    _tiny_bert(seed=0, hidden=16).save_pretrained(bigger)
    tokenizer.save_pretrained(bigger)
    with pytest.raises(AdapterError, match="different model"):
        lora.load_adapter(folder, base=str(bigger), device="cpu")
    with pytest.raises(TypeError, match="base must be None"):
        lora.load_adapter(folder, base=3)


def test_load_names_a_missing_base(tmp_path, trained_adapter):
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    for name in ("config", "record"):
        path = folder / (lora.ADAPTER_CONFIG if name == "config" else lora.BASE_RECORD)
        data = json.loads(path.read_text())
        data["base_model_name_or_path" if name == "config" else "base_model"] = str(tmp_path / "gone")
        path.write_text(json.dumps(data))
    with pytest.raises(AdapterError, match="is a LoRA adapter for the base model .*gone.*not available here"):
        lora.load_adapter(folder, device="cpu")


# ---------------------------------------------------------------- the evaluation command
@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("text,label\n" + "".join(f'"{t}",{y}\n' for t, y in zip(TEXTS, LABELS)), encoding="utf-8")
    return path


def test_evaluate_reads_an_adapter_folder(tmp_path, trained_adapter, tokenizer, labelled_csv, capsys):
    from course_utils.evaluate import main, model_kind, predict_proba
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    assert model_kind(folder) == "adapter"
    proba = predict_proba(folder, TEXTS)
    expected = torch.softmax(_logits(trained_adapter, tokenizer), dim=-1).numpy()
    np.testing.assert_allclose(proba, expected, atol=1e-5)
    assert main([str(folder), str(labelled_csv)]) == 0
    out = capsys.readouterr().out
    assert "LoRA adapter on" in out and "of 10 correct" in out


def test_evaluate_says_which_base_is_missing(tmp_path, trained_adapter, labelled_csv, capsys):
    from course_utils.evaluate import ModelError, main, model_kind
    folder = save_adapter(trained_adapter, tmp_path / "adapter")
    record = json.loads((folder / lora.BASE_RECORD).read_text())
    record["base_model"] = str(tmp_path / "gone")
    (folder / lora.BASE_RECORD).write_text(json.dumps(record))
    with pytest.raises(SystemExit) as exit_info:
        main([str(folder), str(labelled_csv)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "LoRA adapter for the base model" in err and "gone" in err and "not available here" in err
    (folder / lora.ADAPTER_WEIGHTS).unlink()
    with pytest.raises(ModelError, match="no weights"):
        model_kind(folder)


# ---------------------------------------------------------------- the rank sweep's results
def test_committed_rank_sweep_has_its_shape_and_provenance():
    frame, meta = lora.load_rank_sweep()
    assert meta["command"].startswith("python benchmarks/lora_rank_sweep.py")
    for key in ("platform", "processor", "cpu_count", "torch", "device"):
        assert key in meta["machine"]
    assert {1, 2, 4, 8, 16} <= set(frame["r"])
    assert (frame["trainable_parameters"] > 0).all() and frame["val_accuracy"].between(0, 1).all()
    assert (frame["adapter_bytes"] > 0).all() and (frame["seconds"] > 0).all()
    default = frame[frame["target_modules"].apply(tuple) == lora.TARGET_MODULES]
    assert sorted(default["r"]) == sorted(set(default["r"])), "one run per rank for the chapter's targets"
    counts = default.set_index("r")["trainable_parameters"]
    assert counts.is_monotonic_increasing, "more rank, more parameters"
    for key in ("epochs", "lr", "alpha_over_r", "seed"):
        assert key in meta["settings"]


def test_load_rank_sweep_rejects_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="lora_rank_sweep.py"):
        lora.load_rank_sweep(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ValueError, match="not a JSON file"):
        lora.load_rank_sweep(bad)
    bad.write_text(json.dumps({"rows": []}))
    with pytest.raises(ValueError, match="fields"):
        lora.load_rank_sweep(bad)
    good = {"command": "c", "machine": {}, "created": "now", "settings": {}, "rows": [{"r": 1}]}
    bad.write_text(json.dumps(good))
    with pytest.raises(ValueError, match="lack the column"):
        lora.load_rank_sweep(bad)
    with pytest.raises(TypeError, match="file path"):
        lora.load_rank_sweep(3)


def test_folder_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"12345")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"123")
    assert folder_bytes(tmp_path) == 8
    with pytest.raises(FileNotFoundError):
        folder_bytes(tmp_path / "a")
