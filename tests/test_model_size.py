"""Tests for course_utils.model_size (chapter 01): parameter counts, memory, compute, formatting."""
import math

import pytest
import torch

from course_utils.model_size import (A100_BF16_PEAK_FLOPS, BYTES_PER_PARAM, adam_bytes_per_param,
                                     bert_param_count, count_torch_params, dense_param_count,
                                     gpt_param_breakdown, gpt_param_count, human_bytes, human_count,
                                     human_duration, inference_memory_bytes, measure_matmul_flops,
                                     training_days, training_flops, training_memory_bytes,
                                     training_seconds)

BERT_BASE_EXACT = 109_482_240     # BertModel(BertConfig()), pooler included
MINILM_EXACT = 22_713_216         # all-MiniLM-L6-v2


# ------------------------------------------------------------------ parameter counts
def test_articles_mlp_is_8970():
    # Dense(64) x2 + Dense(10) on the 64 pixels of an 8x8 digit (Articles 000 and 003)
    formula = dense_param_count(64, 64) + dense_param_count(64, 64) + dense_param_count(64, 10)
    assert formula == 64 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10 == 8970
    mlp = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                              torch.nn.Linear(64, 10))
    assert count_torch_params(mlp) == 8970


def test_dense_without_bias():
    assert dense_param_count(3, 2, bias=False) == 6


def test_bert_base_matches_transformers_exactly():
    from transformers import BertConfig, BertModel
    with torch.device("meta"):
        model = BertModel(BertConfig())
    assert count_torch_params(model) == BERT_BASE_EXACT
    assert bert_param_count(BertConfig()) == BERT_BASE_EXACT
    assert bert_param_count() == BERT_BASE_EXACT                      # defaults are bert-base's shape
    assert abs(BERT_BASE_EXACT - 110e6) / 110e6 < 0.01                # the paper's "110M"


def test_bert_without_pooler_and_overrides():
    h = 768
    assert bert_param_count(pooler=False) == BERT_BASE_EXACT - (h * h + h)
    from transformers import BertConfig, BertModel
    cfg = BertConfig(hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512,
                     vocab_size=1000)
    with torch.device("meta"):
        model = BertModel(cfg)
    assert bert_param_count(cfg) == count_torch_params(model)
    assert bert_param_count(dict(vocab_size=1000, hidden_size=128, num_hidden_layers=2, intermediate_size=512,
                                 max_position_embeddings=512, type_vocab_size=2)) == count_torch_params(model)


def test_packaged_minilm_is_22_7m():
    from transformers import AutoConfig
    from course_utils import bert_checkpoint
    cfg = AutoConfig.from_pretrained(bert_checkpoint())
    assert bert_param_count(cfg) == MINILM_EXACT
    assert human_count(MINILM_EXACT) == "22.7M"


@pytest.mark.parametrize("shape", [(2, 64, 1000, 128), (3, 48, 257, 32), (1, 8, 10, 4)])
def test_gpt_formula_matches_transformers_gpt2_exactly(shape):
    from transformers import GPT2Config, GPT2Model
    L, d, V, n_ctx = shape
    with torch.device("meta"):
        model = GPT2Model(GPT2Config(n_layer=L, n_embd=d, n_head=2 if d % 2 == 0 else 1, vocab_size=V,
                                     n_positions=n_ctx))
    assert gpt_param_count(L, d, V, n_ctx) == count_torch_params(model)


def test_gpt_closed_form_and_gpt2_small():
    L, d, V, n = 12, 768, 50257, 1024
    assert gpt_param_count(L, d, V, n) == L * (12 * d * d + 13 * d) + (V + n) * d + 2 * d == 124_439_808


def test_gpt3_is_175b_within_one_percent():
    n = gpt_param_count(96, 12288, 50257, 2048)
    assert n == 174_604_259_328
    assert abs(n - 175e9) / 175e9 < 0.01
    parts = gpt_param_breakdown(96, 12288, 50257, 2048)
    assert sum(parts.values()) == n
    assert parts["attention"] + parts["mlp"] > 0.99 * n            # the 12·L·d² term dominates


def test_gpt_custom_ffn_width():
    assert gpt_param_count(1, 8, 10, 4, d_ff=16) - gpt_param_count(1, 8, 10, 4, d_ff=32) == -(2 * 8 * 16 + 16)


def test_count_torch_params_shared_and_trainable():
    emb = torch.nn.Embedding(10, 4)
    head = torch.nn.Linear(4, 10, bias=False)
    head.weight = emb.weight                                         # tied, as in GPT
    model = torch.nn.ModuleDict({"emb": emb, "head": head})
    assert count_torch_params(model) == 40
    frozen = torch.nn.Linear(3, 2)
    frozen.bias.requires_grad_(False)
    assert count_torch_params(frozen) == 8 and count_torch_params(frozen, trainable_only=True) == 6


@pytest.mark.parametrize("bad", [None, "model", 42, [torch.nn.Linear(2, 2)]])
def test_count_torch_params_rejects_non_modules(bad):
    with pytest.raises(TypeError, match="torch.nn.Module"):
        count_torch_params(bad)


@pytest.mark.parametrize("args, error", [((0, 768, 50257, 1024), ValueError), ((-1, 768, 50257, 1024), ValueError),
                                         ((12, 768.5, 50257, 1024), TypeError), ((12, "768", 50257, 1024), TypeError),
                                         ((True, 768, 50257, 1024), TypeError), ((12, 768, 50257, None), TypeError)])
def test_gpt_bad_input(args, error):
    with pytest.raises(error):
        gpt_param_count(*args)


def test_gpt_accepts_whole_floats():
    assert gpt_param_count(12.0, 768, 5e4, 1024) == gpt_param_count(12, 768, 50000, 1024)


def test_bert_bad_input():
    with pytest.raises(TypeError, match="unknown BERT setting"):
        bert_param_count(hidden=768)
    with pytest.raises(ValueError, match="lacks"):
        bert_param_count({"hidden_size": 768})
    with pytest.raises(ValueError, match="> 0"):
        bert_param_count(num_hidden_layers=0)


def test_dense_bad_input():
    with pytest.raises(ValueError):
        dense_param_count(0, 3)
    with pytest.raises(TypeError):
        dense_param_count(2.5, 3)


# ------------------------------------------------------------------ memory
def test_bytes_per_param_and_inference_memory():
    assert BYTES_PER_PARAM["fp32"] == 4 and BYTES_PER_PARAM["fp16"] == BYTES_PER_PARAM["bf16"] == 2
    assert BYTES_PER_PARAM["int8"] == 1
    assert inference_memory_bytes(175e9, "fp16") == 350e9
    assert inference_memory_bytes(8970, "FP32") == 35_880


def test_inference_memory_matches_torch_storage():
    layer = torch.nn.Linear(100, 50)
    n = count_torch_params(layer)
    assert inference_memory_bytes(n, "fp32") == sum(p.numel() * p.element_size() for p in layer.parameters())
    half = layer.to(torch.float16)
    assert inference_memory_bytes(n, "fp16") == sum(p.numel() * p.element_size() for p in half.parameters())


def test_adam_is_16_bytes_per_param_both_ways():
    for precision in ("mixed", "fp32"):
        parts = adam_bytes_per_param(precision)
        assert parts["total"] == 16
        assert parts["total"] == sum(v for k, v in parts.items() if k != "total")
    assert training_memory_bytes(MINILM_EXACT) == 16 * MINILM_EXACT
    assert training_memory_bytes(175e9) == 2.8e12


def test_memory_bad_input():
    with pytest.raises(ValueError, match="dtype"):
        inference_memory_bytes(100, "fp8x")
    with pytest.raises(ValueError, match="precision"):
        training_memory_bytes(100, precision="half")
    with pytest.raises(ValueError):
        inference_memory_bytes(-5)


# ------------------------------------------------------------------ compute and time
def test_gpt3_training_compute_matches_paper():
    c = training_flops(175e9, 300e9)
    assert c == 3.15e23
    assert abs(c - 3.14e23) / 3.14e23 < 0.01                         # Brown et al. 2020, Table D.1


def test_training_time_arithmetic():
    c = training_flops(175e9, 300e9)
    seconds = training_seconds(c, n_gpus=1, peak_flops=A100_BF16_PEAK_FLOPS, utilization=0.4)
    assert math.isclose(seconds, 3.15e23 / (312e12 * 0.4))
    assert math.isclose(training_days(c, n_gpus=1024), seconds / 1024 / 86400)
    # 7B parameters, 1T tokens, 8 A100s at 40 %: well over a year
    assert 480 < training_days(training_flops(7e9, 1e12), n_gpus=8) < 495


@pytest.mark.parametrize("kwargs", [dict(utilization=0), dict(utilization=1.5), dict(n_gpus=0),
                                    dict(peak_flops=-1.0), dict(utilization=float("nan"))])
def test_training_time_bad_input(kwargs):
    with pytest.raises((ValueError, TypeError)):
        training_seconds(1e20, **kwargs)


def test_training_flops_bad_input():
    with pytest.raises(ValueError):
        training_flops(0, 10)
    with pytest.raises(TypeError):
        training_flops(1e9, "many")


# ------------------------------------------------------------------ formatting
def test_human_formatting():
    assert human_count(175e9) == "175B"
    assert human_count(8970) == "8.97k"
    assert human_count(1.571e12) == "1.57T"
    assert human_count(12) == "12"
    assert human_bytes(350e9) == "350 GB"
    assert human_bytes(16) == "16 B"
    assert human_duration(86400) == "1 day"
    assert human_duration(90) == "1.5 min"
    assert human_duration(0.25) == "0.25 s"
    assert human_duration(3600 * 5) == "5 hours"


@pytest.mark.parametrize("fn", [human_count, human_bytes, human_duration])
@pytest.mark.parametrize("bad", [-1, float("inf"), "10", None, True])
def test_human_bad_input(fn, bad):
    with pytest.raises(ValueError):
        fn(bad)


@pytest.mark.parametrize("fn, value, text", [
    # Issue 9: rounding to 3 digits must move to the next unit, never print '1e+03k'.
    (human_count, 999_999, "1M"), (human_count, 999.9, "1k"), (human_count, 999_499, "999k"),
    (human_count, 999_999_999_999, "1T"), (human_count, 5e15, "5,000T"), (human_count, 0, "0"),
    (human_bytes, 999_999_999, "1 GB"), (human_bytes, 999_999, "1 MB"), (human_bytes, 999.7, "1 kB"),
    (human_bytes, 1_234_567, "1.23 MB"), (human_bytes, 2.5e15, "2,500 TB"),
    (human_duration, 59.999, "1 min"), (human_duration, 3599.9, "1 hour"), (human_duration, 86_399, "1 day"),
    (human_duration, 999.9, "16.7 min"), (human_duration, 3e12, "95,064 years"),
])
def test_human_formatting_rounds_into_the_next_unit(fn, value, text):
    assert fn(value) == text
    assert "e+" not in fn(value)


# ------------------------------------------------------------------ measured throughput
def test_measure_matmul_flops_on_the_cpu_is_plausible():
    flops = measure_matmul_flops("cpu", n=64, seconds=0.05)
    assert isinstance(flops, float) and 1e6 < flops < 1e15
    assert measure_matmul_flops(torch.device("cpu"), n=32, seconds=0.01) > 0


@pytest.mark.parametrize("kwargs, error", [
    (dict(device="no-such-device"), ValueError), (dict(device=3.5), ValueError),
    (dict(n=0), ValueError), (dict(n=2.5), TypeError), (dict(n="64"), TypeError),
    (dict(seconds=0), ValueError), (dict(seconds=-1.0), ValueError), (dict(seconds=float("nan")), ValueError),
])
def test_measure_matmul_flops_bad_input(kwargs, error):
    with pytest.raises(error):
        measure_matmul_flops(**{"n": 16, "seconds": 0.01, **kwargs})
