"""Tests of course_utils.transformer (attention, blocks and the BERT encoder from scratch, chapter 07).

Everything runs on tiny random configurations in float64 on the CPU, checked against PyTorch's and
transformers' own implementations; one test loads the packaged all-MiniLM-L6-v2 checkpoint.
"""
import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.model_size import count_torch_params, gpt_param_breakdown
from course_utils.transformer import (EncoderBlock, EncoderOutput, MultiHeadAttention, TransformerEncoder, attention,
                                      bert_weight_names, causal_mask, load_bert_weights, mean_pool,
                                      saved_for_backward)

TINY = dict(vocab_size=50, hidden_size=16, num_hidden_layers=2, num_attention_heads=4, intermediate_size=24,
            max_position_embeddings=20, type_vocab_size=2)


def _qkv(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) for _ in range(3))


@pytest.fixture(scope="module")
def tiny_bert():
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    return BertModel(BertConfig(**TINY, attn_implementation="eager")).double().eval()


@pytest.fixture(scope="module")
def tiny_batch():
    ids = torch.tensor([[2, 7, 9, 11, 3, 0, 0], [2, 5, 6, 8, 10, 12, 3]])
    mask = (ids != 0).long()
    types = torch.tensor([[0, 0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 1, 1, 1]])
    return ids, mask, types


# ---------------------------------------------------------------------------------- causal_mask, attention
def test_causal_mask_is_lower_triangular_bool():
    m = causal_mask(4)
    assert m.dtype == torch.bool and m.shape == (4, 4)
    assert torch.equal(m, torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]).bool())
    assert causal_mask(1).tolist() == [[True]]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_causal_mask_rejects_bad_size(bad):
    with pytest.raises(ValueError, match="positive integer"):
        causal_mask(bad)


def test_attention_matches_torch_sdpa_with_and_without_masks():
    q, k, v = _qkv(2, 3, 5, 8)
    out, w = attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 5, dtype=torch.float64))
    keep = torch.tensor([[True, True, True, False, False], [True] * 5])[:, None, None, :]
    out, w = attention(q, k, v, keep)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=keep), rtol=1e-12, atol=1e-12)
    assert torch.all(w[0, :, :, 3:] == 0)
    out, w = attention(q, k, v, causal=True)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), rtol=1e-12, atol=1e-12)
    assert torch.all(w.triu(1) == 0)
    out, _ = attention(q, k, v, keep, causal=True)
    both = keep & causal_mask(5)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=both), rtol=1e-12, atol=1e-12)


def test_attention_with_every_key_masked_is_uniform_not_nan():
    q, k, v = _qkv(1, 3, 4)
    _, w = attention(q, k, v, torch.zeros(3, 3, dtype=torch.bool))
    torch.testing.assert_close(w, torch.full((1, 3, 3), 1 / 3, dtype=torch.float64))


def test_attention_different_query_and_key_lengths():
    q = torch.randn(2, 3, 8)
    k, v = torch.randn(2, 6, 8), torch.randn(2, 6, 4)
    out, w = attention(q, k, v)
    assert out.shape == (2, 3, 4) and w.shape == (2, 3, 6)


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([[1.0]], torch.ones(1, 2), torch.ones(1, 2)), {}, TypeError, "torch.Tensor"),
    ((torch.ones(2, 3, dtype=torch.long),) * 3, {}, TypeError, "floating-point"),
    ((torch.ones(3), torch.ones(3), torch.ones(3)), {}, ValueError, "at least 2"),
    ((torch.ones(2, 3, 4), torch.ones(2, 3, 5), torch.ones(2, 3, 4)), {}, ValueError, "same last dimension"),
    ((torch.ones(2, 3, 4), torch.ones(3, 3, 4), torch.ones(3, 3, 4)), {}, ValueError, "leading"),
    ((torch.ones(3, 4), torch.ones(3, 4), torch.ones(5, 4)), {}, ValueError, "number of positions"),
    ((torch.ones(3, 4),) * 3, {"mask": torch.ones(3, 3)}, TypeError, "bool"),
    ((torch.ones(3, 4),) * 3, {"mask": [[True] * 3] * 3}, TypeError, "bool"),
    ((torch.ones(3, 4),) * 3, {"mask": torch.ones(3, 4, dtype=torch.bool)}, ValueError, "broadcast"),
    ((torch.ones(2, 3, 4),) * 3, {"mask": torch.ones(5, 3, 3, dtype=torch.bool)}, ValueError, "broadcast"),
    ((torch.ones(3, 4), torch.ones(5, 4), torch.ones(5, 4)), {"causal": True}, ValueError, "as many queries"),
    ((torch.ones(3, 4),) * 3, {"causal": 1}, TypeError, "True or False"),
])
def test_attention_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        attention(*args, **kwargs)


# ---------------------------------------------------------------------------------- MultiHeadAttention
def _copy_into_torch_mha(ours: MultiHeadAttention) -> nn.MultiheadAttention:
    theirs = nn.MultiheadAttention(ours.d_model, ours.n_heads, batch_first=True).double()
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.query.weight, ours.key.weight, ours.value.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.query.bias, ours.key.bias, ours.value.bias]))
        theirs.out_proj.weight.copy_(ours.output.weight)
        theirs.out_proj.bias.copy_(ours.output.bias)
    return theirs


def test_multi_head_attention_matches_torch_with_padding_and_causal_masks():
    torch.manual_seed(0)
    mha = MultiHeadAttention(16, 4).double()
    theirs = _copy_into_torch_mha(mha)
    x = torch.randn(2, 7, 16, dtype=torch.float64)
    real = torch.tensor([[1] * 7, [1] * 5 + [0] * 2])
    out, w = mha(x, real, return_weights=True)
    ref, ref_w = theirs(x, x, x, key_padding_mask=real == 0, average_attn_weights=False)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(w, ref_w, rtol=1e-12, atol=1e-12)
    mha.causal = True
    ref, _ = theirs(x, x, x, attn_mask=~causal_mask(7))          # torch: True = masked out
    torch.testing.assert_close(mha(x), ref, rtol=1e-12, atol=1e-12)


def test_multi_head_attention_is_permutation_equivariant_and_counts_4d2_plus_4d():
    torch.manual_seed(1)
    mha = MultiHeadAttention(12, 3).double()
    x = torch.randn(1, 6, 12, dtype=torch.float64)
    perm = torch.randperm(6)
    torch.testing.assert_close(mha(x[:, perm]), mha(x)[:, perm], rtol=1e-12, atol=1e-12)
    assert count_torch_params(mha) == 4 * 12 * 12 + 4 * 12
    assert count_torch_params(MultiHeadAttention(12, 3, bias=False)) == 4 * 12 * 12


@pytest.mark.parametrize("kwargs, error, match", [
    ({"d_model": 10, "n_heads": 3}, ValueError, "multiple of n_heads"),
    ({"d_model": 0, "n_heads": 1}, ValueError, "positive integer"),
    ({"d_model": 8, "n_heads": 2.0}, ValueError, "positive integer"),
    ({"d_model": 8, "n_heads": 2, "causal": "yes"}, TypeError, "True or False"),
    ({"d_model": 8, "n_heads": 2, "bias": None}, TypeError, "True or False"),
])
def test_multi_head_attention_rejects_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        MultiHeadAttention(**kwargs)


@pytest.mark.parametrize("x, mask, error, match", [
    (torch.ones(2, 5, 6), None, ValueError, r"d_model=8"),
    (torch.ones(5, 8), None, ValueError, "at least 3"),
    (torch.ones(2, 5, 8, dtype=torch.long), None, TypeError, "floating-point"),
    (torch.ones(2, 5, 8), torch.ones(2, 4, dtype=torch.bool), ValueError, r"\(2, 5\)"),
    (torch.ones(2, 5, 8), torch.ones(2, 5), TypeError, "additive float mask"),
    (torch.ones(2, 5, 8), torch.full((2, 5), 2), ValueError, "only 0"),
    (torch.ones(2, 5, 8), [[1] * 5] * 2, TypeError, "torch.Tensor"),
])
def test_multi_head_attention_rejects_bad_input(x, mask, error, match):
    with pytest.raises(error, match=match):
        MultiHeadAttention(8, 2)(x, mask)


# ---------------------------------------------------------------------------------- EncoderBlock
def test_block_counts_12d2_plus_13d_as_chapter_01_says():
    d = 32
    parts = gpt_param_breakdown(1, d, vocab=1, n_ctx=1)
    per_layer = parts["attention"] + parts["mlp"] + parts["layernorm"]
    assert count_torch_params(EncoderBlock(d, 4, 4 * d)) == per_layer == 12 * d * d + 13 * d
    assert count_torch_params(EncoderBlock(d, 4, 4 * d, pre_ln=True, causal=True)) == per_layer


def test_post_ln_block_matches_transformers_bert_layer():
    from transformers import BertConfig
    from transformers.models.bert.modeling_bert import BertLayer
    torch.manual_seed(0)
    config = BertConfig(**TINY, attn_implementation="eager")
    layer = BertLayer(config).double().eval()
    block = EncoderBlock(16, 4, 24, eps=config.layer_norm_eps).double()
    names = {ours.removeprefix("blocks.0."): theirs.removeprefix("encoder.layer.0.")
             for ours, theirs in bert_weight_names(1).items() if ours.startswith("blocks.0.")}
    state = layer.state_dict()
    block.load_state_dict({ours: state[theirs] for ours, theirs in names.items()})
    x = torch.randn(2, 5, 16, dtype=torch.float64)
    ref = layer(x)
    torch.testing.assert_close(block(x), ref[0] if isinstance(ref, tuple) else ref, rtol=1e-12, atol=1e-12)


def test_pre_ln_causal_block_matches_gpt2():
    from transformers import GPT2Config, GPT2Model
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=10, n_positions=8, n_embd=16, n_layer=1, n_head=4, n_inner=64,
                        activation_function="gelu_new", attn_implementation="eager")
    gpt = GPT2Model(config).double().eval()
    block = EncoderBlock(16, 4, 64, pre_ln=True, causal=True, eps=config.layer_norm_epsilon,
                         activation="gelu_tanh").double()
    h = gpt.h[0]
    w_q, w_k, w_v = h.attn.c_attn.weight.T.split(16)          # GPT-2's Conv1D stores (in, out): transpose
    b_q, b_k, b_v = h.attn.c_attn.bias.split(16)
    with torch.no_grad():
        for lin, w, b in ((block.attention.query, w_q, b_q), (block.attention.key, w_k, b_k),
                          (block.attention.value, w_v, b_v), (block.attention.output, h.attn.c_proj.weight.T,
                                                              h.attn.c_proj.bias),
                          (block.ffn_in, h.mlp.c_fc.weight.T, h.mlp.c_fc.bias),
                          (block.ffn_out, h.mlp.c_proj.weight.T, h.mlp.c_proj.bias)):
            lin.weight.copy_(w)
            lin.bias.copy_(b)
        block.attention_norm.load_state_dict(h.ln_1.state_dict())
        block.ffn_norm.load_state_dict(h.ln_2.state_dict())
        gpt.wpe.weight.zero_()                                   # compare the block alone, without positions
    x = torch.randn(2, 6, 16, dtype=torch.float64)
    ours = F.layer_norm(block(x), (16,), gpt.ln_f.weight, gpt.ln_f.bias, config.layer_norm_epsilon)
    torch.testing.assert_close(ours, gpt(inputs_embeds=x).last_hidden_state, rtol=1e-10, atol=1e-10)


def test_causal_block_ignores_later_tokens_and_bidirectional_does_not():
    torch.manual_seed(0)
    x = torch.randn(1, 6, 16, dtype=torch.float64)
    y = x.clone()
    y[0, 4:] += 1.0                                              # change the last two tokens
    causal = EncoderBlock(16, 4, 32, pre_ln=True, causal=True).double()
    torch.testing.assert_close(causal(x)[0, :4], causal(y)[0, :4], rtol=0, atol=0)
    both_ways = EncoderBlock(16, 4, 32).double()
    assert (both_ways(x)[0, :4] - both_ways(y)[0, :4]).abs().max() > 1e-3


def test_block_returns_weights_and_accepts_padding_mask():
    block = EncoderBlock(8, 2, 16)
    out, w = block(torch.randn(2, 3, 8), torch.tensor([[1, 1, 0], [1, 1, 1]]), return_weights=True)
    assert out.shape == (2, 3, 8) and w.shape == (2, 2, 3, 3)
    assert torch.all(w[0, :, :, 2] == 0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"eps": 0}, ValueError, "eps"),
    ({"eps": "1e-5"}, ValueError, "eps"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"dropout": 1.0}, ValueError, "dropout"),
    ({"pre_ln": "no"}, TypeError, "True or False"),
    ({"d_ff": 0}, ValueError, "d_ff"),
])
def test_block_rejects_bad_settings(kwargs, error, match):
    settings = dict(d_model=8, n_heads=2, d_ff=16) | kwargs
    with pytest.raises(error, match=match):
        EncoderBlock(**settings)


# ---------------------------------------------------------------------------------- TransformerEncoder, loading
def _assert_same_as_bert(ours, bert, ids, mask, types, tol=1e-12):
    out = ours(ids, mask, types, return_weights=True)
    ref = bert(input_ids=ids, attention_mask=mask, token_type_ids=types, output_hidden_states=True,
               output_attentions=True)
    assert isinstance(out, EncoderOutput) and len(out.hidden_states) == len(ref.hidden_states)
    keep = mask.bool()
    for mine, theirs in zip(out.hidden_states, ref.hidden_states):
        torch.testing.assert_close(mine[keep], theirs[keep], rtol=tol, atol=tol)
    for mine, theirs in zip(out.attentions, ref.attentions):             # (batch, heads, queries, keys)
        real_queries = keep[:, None, :, None].expand_as(mine)
        torch.testing.assert_close(mine[real_queries], theirs[real_queries], rtol=tol, atol=tol)
    torch.testing.assert_close(out.pooler_output, ref.pooler_output, rtol=tol, atol=tol)


def test_encoder_loaded_from_a_bert_model_matches_it(tiny_bert, tiny_batch):
    ours = load_bert_weights(tiny_bert)
    assert not ours.training and count_torch_params(ours) == count_torch_params(tiny_bert)
    _assert_same_as_bert(ours, tiny_bert, *tiny_batch)


def test_encoder_loaded_from_saved_folders_matches(tiny_bert, tiny_batch, tmp_path):
    from transformers import BertConfig, BertForSequenceClassification
    tiny_bert.save_pretrained(tmp_path / "base")
    _assert_same_as_bert(load_bert_weights(tmp_path / "base").double(), tiny_bert, *tiny_batch)
    torch.manual_seed(1)
    clf = BertForSequenceClassification(BertConfig(**TINY, attn_implementation="eager")).double().eval()
    clf.save_pretrained(tmp_path / "clf")                          # weights named "bert.…"
    ours = load_bert_weights(str(tmp_path / "clf")).double()
    _assert_same_as_bert(ours, clf.bert, *tiny_batch)
    _assert_same_as_bert(load_bert_weights(clf), clf.bert, *tiny_batch)


def test_encoder_without_pooler_and_into_a_given_model(tiny_bert, tiny_batch):
    ours = TransformerEncoder.from_config(tiny_bert.config, pooler=False).double()
    assert load_bert_weights(tiny_bert, model=ours) is ours
    out = ours(*tiny_batch)
    assert out.pooler_output is None and out.attentions is None
    assert count_torch_params(ours) == count_torch_params(tiny_bert) - (16 * 16 + 16)


def test_pre_ln_encoder_ends_with_a_layer_norm():
    enc = TransformerEncoder(50, 16, 4, 32, 2, pre_ln=True, causal=True, pooler=False)
    out = enc(torch.tensor([[1, 2, 3]]))
    torch.testing.assert_close(out.last_hidden_state.mean(-1), torch.zeros(1, 3), atol=1e-5, rtol=0)
    assert out.hidden_states[-1] is out.last_hidden_state


def test_bert_weight_names_cover_bert_model(tiny_bert):
    names = bert_weight_names(2)
    assert len(names) == 5 + 2 * 16 + 2
    assert set(names.values()) == set(tiny_bert.state_dict()) - {"embeddings.position_ids"}


@pytest.fixture()
def folders(tmp_path, tiny_bert):
    good = tmp_path / "good"
    tiny_bert.save_pretrained(good)
    cases = {}
    cases["missing"] = tmp_path / "nowhere"
    (tmp_path / "empty").mkdir()
    cases["no config"] = tmp_path / "empty"
    for name, config in (("gpt2", {"model_type": "gpt2"}), ("no weights", dict(TINY, model_type="bert"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(config))
        cases[name] = tmp_path / name
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.json").write_text("{not json")
    cases["broken json"] = tmp_path / "broken"
    (tmp_path / "a file").write_text("x")
    cases["a file"] = tmp_path / "a file"
    return good, cases


@pytest.mark.parametrize("case, error, match", [
    ("missing", FileNotFoundError, "not a folder"),
    ("a file", FileNotFoundError, "not a folder"),
    ("no config", FileNotFoundError, "no config.json"),
    ("gpt2", ValueError, "'gpt2' model, not a BERT"),
    ("no weights", FileNotFoundError, "no weights"),
    ("broken json", ValueError, "not valid JSON"),
])
def test_load_rejects_folders_that_are_not_bert_checkpoints(folders, case, error, match):
    _, cases = folders
    with pytest.raises(error, match=match) as info:
        load_bert_weights(cases[case])
    if case != "broken json":
        assert "expected a folder holding a BERT checkpoint" in str(info.value)


def test_load_rejects_wrong_sources_and_models(folders):
    good, _ = folders
    with pytest.raises(TypeError, match="checkpoint folder"):
        load_bert_weights(42)
    with pytest.raises(TypeError, match="TransformerEncoder"):
        load_bert_weights(good, model=nn.Linear(2, 2))
    with pytest.raises(KeyError, match="lacks"):
        load_bert_weights(good, model=TransformerEncoder(50, 16, 4, 24, 3, max_positions=20))
    with pytest.raises(ValueError, match="wrong shape"):
        load_bert_weights(good, model=TransformerEncoder(50, 16, 4, 32, 2, max_positions=20))
    from transformers import GPT2Config, GPT2Model
    with pytest.raises(ValueError, match="expected a BertModel"):
        load_bert_weights(GPT2Model(GPT2Config(n_embd=8, n_layer=1, n_head=2, vocab_size=10, n_positions=4)))


def test_from_config_rejects_incomplete_or_unsupported_configs():
    with pytest.raises(ValueError, match="lacks the BERT field"):
        TransformerEncoder.from_config({"hidden_size": 8})
    with pytest.raises(ValueError, match="hidden_act"):
        TransformerEncoder.from_config(dict(TINY, layer_norm_eps=1e-12, hidden_act="silu"))


@pytest.mark.parametrize("args, error, match", [
    ((torch.ones(1, 3),), TypeError, "integer"),
    (([[1, 2, 3]],), TypeError, "integer"),
    ((torch.tensor([1, 2, 3]),), ValueError, r"unsqueeze\(0\)"),
    ((torch.tensor([[1, 2, 50]]),), ValueError, "vocabulary"),
    ((torch.tensor([[-1, 2]]),), ValueError, "vocabulary"),
    ((torch.ones(1, 21, dtype=torch.long),), ValueError, "20 positions"),
    ((torch.tensor([[1, 2, 3]]), torch.tensor([[1, 1]])), ValueError, r"\(1, 3\)"),
    ((torch.tensor([[1, 2, 3]]), torch.tensor([[1.0, 1.0, 0.0]])), TypeError, "0/1 integers"),
    ((torch.tensor([[1, 2, 3]]), torch.tensor([[1, 1, 2]])), ValueError, "only 0"),
    ((torch.tensor([[1, 2, 3]]), None, torch.tensor([[0, 0]])), ValueError, "token_type_ids"),
])
def test_encoder_rejects_bad_input(tiny_bert, args, error, match):
    ours = TransformerEncoder.from_config(tiny_bert.config)
    with pytest.raises(error, match=match):
        ours(*args)


# ---------------------------------------------------------------------------------- mean_pool
def test_mean_pool_averages_real_tokens_only():
    h = torch.arange(2 * 3 * 2, dtype=torch.float32).view(2, 3, 2)
    pooled = mean_pool(h, torch.tensor([[1, 1, 0], [1, 1, 1]]))
    torch.testing.assert_close(pooled, torch.stack([h[0, :2].mean(0), h[1].mean(0)]))


@pytest.mark.parametrize("hidden, mask, error", [
    (torch.ones(2, 3), torch.ones(2, 3), ValueError),
    (torch.ones(2, 3, 4), torch.ones(2, 4), ValueError),
    (torch.ones(2, 3, 4, dtype=torch.long), torch.ones(2, 3), TypeError),
    (torch.ones(2, 3, 4), torch.ones(2, 3) * 0.5, TypeError),
])
def test_mean_pool_rejects_bad_input(hidden, mask, error):
    with pytest.raises(error):
        mean_pool(hidden, mask)


# ---------------------------------------------------------------------------------- the packaged checkpoint
def test_packaged_minilm_matches_transformers_and_sentence_embedding():
    import transformers
    from transformers import AutoTokenizer, BertModel

    from course_utils.checkpoints import packaged_checkpoint
    transformers.utils.logging.disable_progress_bar()
    folder = packaged_checkpoint()
    bert = BertModel.from_pretrained(folder).eval()
    ours = load_bert_weights(folder)
    assert count_torch_params(ours) == count_torch_params(bert) == 22_713_216
    tok = AutoTokenizer.from_pretrained(folder)
    batch = tok(["Attention is all you need.", "A short one"], padding=True, return_tensors="pt")
    with torch.no_grad():
        out = ours(**batch)
        ref = bert(**batch, output_hidden_states=True)
    keep = batch["attention_mask"].bool()
    for mine, theirs in zip(out.hidden_states, ref.hidden_states):
        torch.testing.assert_close(mine[keep], theirs[keep], rtol=1e-5, atol=1e-5)
    emb = F.normalize(mean_pool(out.last_hidden_state, batch["attention_mask"]), dim=-1)
    torch.testing.assert_close(emb.norm(dim=-1), torch.ones(2))
    ref_emb = F.normalize(mean_pool(ref.last_hidden_state, batch["attention_mask"]), dim=-1)
    torch.testing.assert_close(emb, ref_emb, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------- saved_for_backward
def test_saved_for_backward_counts_activations_not_weights():
    x = torch.randn(5, 4)
    assert saved_for_backward(nn.Linear(4, 3), x) == 5 * 4 * 4              # the input, for the weight's gradient
    assert saved_for_backward(nn.Sequential(nn.Linear(4, 3), nn.Tanh()), x) == 5 * 4 * 4 + 5 * 3 * 4   # + tanh out
    with torch.no_grad():                                                   # measures even inside no_grad
        assert saved_for_backward(nn.Linear(4, 3), x) == 80


def test_saved_for_backward_attention_keeps_the_n_by_n_weights():
    mha = MultiHeadAttention(8, 2)
    small, large = (saved_for_backward(mha, torch.randn(1, n, 8)) for n in (64, 128))
    assert large - 2 * small >= 2 * 2 * 64 * 64 * 4          # doubling n adds more than linear growth: n² weights


@pytest.mark.parametrize("module, x, error", [
    ("not a module", torch.randn(2, 4), TypeError),
    (nn.Linear(4, 3), [[1.0] * 4], TypeError),
    (nn.Linear(4, 3), torch.ones(2, 4, dtype=torch.long), TypeError),
    (nn.Linear(4, 3), torch.tensor(1.0), ValueError),
])
def test_saved_for_backward_rejects_bad_input(module, x, error):
    with pytest.raises(error):
        saved_for_backward(module, x)
