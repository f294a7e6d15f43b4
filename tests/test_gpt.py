"""Tests of course_utils.gpt (the small GPT of chapter 11): shape and parameter count, chapter 07's blocks, the KV
cache against the uncached model, sampling against transformers' logits warpers, the mapping to GPT2LMHeadModel,
data loading and splits, batches, the training loop, and bad input. Tiny models only."""
import math

import pytest
import torch

from course_utils.gpt import (GPT, GPTConfig, KVCache, evaluate_loss, filter_logits, generate, get_batch,
                              gpt2_config, gpt2_state_dict, load_shakespeare, next_token_probs, sample_next,
                              shakespeare_path, split_train_val, to_gpt2, train_gpt)
from course_utils.model_size import count_torch_params, gpt_param_count
from course_utils.transformer import EncoderBlock, MultiHeadAttention

TINY = GPTConfig(vocab_size=11, n_ctx=16, n_layers=2, n_heads=2, d_model=8)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return GPT(TINY).eval()


def _ids(batch=2, n=16, vocab=11, seed=1):
    return torch.randint(0, vocab, (batch, n), generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------------------------- config and model
def test_parameter_count_is_chapter_01s_formula(tiny):
    assert count_torch_params(tiny) == TINY.n_params == gpt_param_count(2, 8, 11, 16)
    nano = GPTConfig(vocab_size=65, n_ctx=64, n_layers=4, n_heads=4, d_model=128)
    assert count_torch_params(GPT(nano)) == nano.n_params == 809_856
    wide = GPTConfig(vocab_size=11, n_ctx=16, n_layers=1, n_heads=2, d_model=8, d_ff=20)
    assert count_torch_params(GPT(wide)) == wide.n_params == gpt_param_count(1, 8, 11, 16, d_ff=20)


@pytest.mark.parametrize("field, value, match", [
    ("vocab_size", 0, "vocab_size must be a positive integer"), ("n_ctx", 2.5, "n_ctx"),
    ("n_layers", True, "n_layers"), ("n_heads", 3, "multiple of n_heads"), ("d_ff", 0, "d_ff"),
    ("dropout", 1.0, r"dropout must be in \[0, 1\)"), ("activation", "swish", "activation must be one of")])
def test_config_rejects_bad_values(field, value, match):
    fields = dict(vocab_size=11, n_ctx=16, n_layers=2, n_heads=2, d_model=8)
    fields[field] = value
    with pytest.raises(ValueError, match=match):
        GPTConfig(**fields)


def test_blocks_are_chapter_07s_and_weights_are_tied(tiny):
    block = tiny.blocks[0]
    assert isinstance(block, EncoderBlock) and isinstance(block.attention, MultiHeadAttention)
    assert block.pre_ln and block.attention.causal
    assert tiny.lm_head.weight is tiny.token_embedding.weight


def test_fused_attention_equals_chapter_07s_code_path(tiny):
    ids = _ids()
    fused = tiny(ids)
    tiny.fused = False
    try:
        plain = tiny(ids)
    finally:
        tiny.fused = True
    torch.testing.assert_close(fused, plain, rtol=1e-5, atol=1e-6)
    x = tiny.token_embedding(ids) + tiny.position_embedding(torch.arange(16))
    torch.testing.assert_close(tiny.blocks[0](x), tiny.blocks[0](x, return_weights=True)[0], rtol=1e-5, atol=1e-6)


def test_causal_a_later_token_does_not_change_earlier_logits(tiny):
    ids = _ids()
    changed = ids.clone()
    changed[:, 10] = (changed[:, 10] + 1) % 11
    a, b = tiny(ids), tiny(changed)
    torch.testing.assert_close(a[:, :10], b[:, :10])
    assert not torch.allclose(a[:, 10:], b[:, 10:])


def test_loss_at_initialisation_is_about_ln_vocab():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=65, n_ctx=32, n_layers=2, n_heads=2, d_model=32))
    ids = _ids(4, 32, 65)
    _, loss = model(ids, _ids(4, 32, 65, seed=2))
    assert abs(loss.item() - math.log(65)) < 0.05


def test_forward_rejects_bad_input(tiny):
    with pytest.raises(TypeError, match="integer torch.Tensor"):
        tiny(torch.zeros(1, 4))
    with pytest.raises(ValueError, match=r"shape \(batch, tokens\)"):
        tiny(torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="more than the model's context of 16"):
        tiny(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match="targets"):
        tiny(_ids(), targets=_ids()[:, :3])
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"vocab_size": 11})
    with pytest.raises(TypeError, match="cache must be a KVCache"):
        tiny(_ids(), cache=[])


# ---------------------------------------------------------------------------------- KV cache
def test_kv_cache_gives_the_same_logits_as_the_uncached_model(tiny):
    ids = _ids()
    full = tiny(ids)
    cache = KVCache(2)
    steps = [tiny(ids[:, :5], cache=cache)] + [tiny(ids[:, t:t + 1], cache=cache) for t in range(5, 16)]
    torch.testing.assert_close(torch.cat(steps, dim=1), full, rtol=1e-5, atol=1e-6)
    assert len(cache) == 16 and cache.keys[1].shape == (2, 2, 16, 4)
    cache = KVCache(2)                                     # several new tokens after cached ones
    tiny(ids[:, :6], cache=cache)
    torch.testing.assert_close(tiny(ids[:, 6:13], cache=cache), full[:, 6:13], rtol=1e-5, atol=1e-6)
    tiny.fused = False
    try:
        cache = KVCache(2)
        tiny(ids[:, :6], cache=cache)
        torch.testing.assert_close(tiny(ids[:, 6:13], cache=cache), full[:, 6:13], rtol=1e-5, atol=1e-6)
    finally:
        tiny.fused = True


def test_kv_cache_full_and_bad_use(tiny):
    cache = KVCache(2)
    tiny(_ids(1, 16), cache=cache)
    with pytest.raises(ValueError, match=r"17 positions \(16 cached \+ 1 new\)"):
        tiny(_ids(1, 1), cache=cache)
    with pytest.raises(ValueError, match="cache has 3 layers"):
        tiny(_ids(), cache=KVCache(3))
    with pytest.raises(ValueError, match="positive integer"):
        KVCache(0)
    with pytest.raises(ValueError, match=r"layer must be an integer in \[0, 2\)"):
        KVCache(2).append(2, torch.zeros(1, 1, 1, 1), torch.zeros(1, 1, 1, 1))


def test_generate_with_and_without_cache_agree(tiny):
    prompt = _ids(2, 3)
    a = generate(tiny, prompt, 13, greedy=True, use_cache=True)
    b = generate(tiny, prompt, 13, greedy=True, use_cache=False)
    assert torch.equal(a, b) and a.shape == (2, 16) and torch.equal(a[:, :3], prompt)
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    assert torch.equal(generate(tiny, prompt, 13, temperature=0.8, top_k=5, generator=g1),
                       generate(tiny, prompt, 13, temperature=0.8, top_k=5, use_cache=False, generator=g2))
    longer = generate(tiny, prompt, 40, greedy=True)       # past the context: the window slides
    assert longer.shape == (2, 43)
    assert torch.equal(generate(tiny, prompt, 0), prompt)


@pytest.mark.parametrize("kwargs, match", [
    (dict(temperature=0), "temperature must be a number > 0"), (dict(temperature=-1.0), "temperature"),
    (dict(top_k=0), "top_k must be an integer >= 1"), (dict(top_k=2.5), "top_k"),
    (dict(top_p=0.0), r"top_p must be a number in \(0, 1\]"), (dict(top_p=1.5), "top_p"),
    (dict(max_new_tokens=-1), "max_new_tokens")])
def test_generate_rejects_bad_settings(tiny, kwargs, match):
    kwargs.setdefault("max_new_tokens", 3)
    with pytest.raises(ValueError, match=match):
        generate(tiny, _ids(1, 3), **kwargs)


def test_generate_rejects_a_prompt_longer_than_the_context(tiny):
    with pytest.raises(ValueError, match="the prompt has 17 tokens, more than the model's context of 16"):
        generate(tiny, _ids(1, 17), 1)
    with pytest.raises(ValueError, match="empty"):
        generate(tiny, torch.zeros(1, 0, dtype=torch.long), 1)


# ---------------------------------------------------------------------------------- sampling
def test_filter_logits_matches_transformers_warpers():
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper
    logits = torch.randn(6, 50, generator=torch.Generator().manual_seed(0)) * 3
    for t, k, p in [(1.0, None, None), (0.7, 10, None), (1.3, None, 0.9), (0.5, 20, 0.6), (1.0, 1, None),
                    (1.0, None, 1.0), (2.0, 60, 0.3)]:
        theirs = TemperatureLogitsWarper(t)(None, logits.clone())
        if k is not None:
            theirs = TopKLogitsWarper(k)(None, theirs)
        if p is not None:
            theirs = TopPLogitsWarper(p)(None, theirs)
        ours = filter_logits(logits, t, k, p)
        assert torch.equal(torch.isinf(ours), torch.isinf(theirs)), (t, k, p)
        torch.testing.assert_close(ours[~torch.isinf(ours)], theirs[~torch.isinf(theirs)])


def test_sample_next_greedy_top_k_1_and_distribution():
    logits = torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, -1.0]])
    assert sample_next(logits, greedy=True).tolist() == [[1], [0]]
    assert sample_next(logits, top_k=1).tolist() == [[1], [0]]
    probs = next_token_probs(logits, top_p=0.5)
    assert torch.equal(probs > 0, torch.tensor([[False, True, False], [True, False, False]]))
    draws = torch.cat([sample_next(logits[:1], generator=torch.Generator().manual_seed(s)) for s in range(400)])
    freq = torch.bincount(draws.flatten(), minlength=3).float() / 400
    torch.testing.assert_close(freq, logits[0].softmax(-1), atol=0.07, rtol=0)


@pytest.mark.parametrize("bad, error", [(torch.zeros(3), TypeError), (torch.zeros(2, 3, dtype=torch.long), TypeError),
                                        ([[0.0, 1.0]], TypeError)])
def test_sampling_rejects_bad_logits(bad, error):
    with pytest.raises(error, match="logits must be a floating-point torch.Tensor"):
        filter_logits(bad)


def test_sample_next_rejects_bad_settings():
    with pytest.raises(ValueError, match="temperature"):
        sample_next(torch.zeros(1, 3), temperature=float("nan"))
    with pytest.raises(TypeError, match="greedy"):
        sample_next(torch.zeros(1, 3), greedy=1)


# ---------------------------------------------------------------------------------- transformers
def test_gpt2_lm_head_model_gives_the_same_logits_and_greedy_text(tiny):
    hf = to_gpt2(tiny)
    ids = _ids()
    torch.testing.assert_close(hf(ids).logits, tiny(ids), rtol=1e-5, atol=1e-5)
    out = hf.generate(ids[:, :4], max_new_tokens=12, do_sample=False)
    assert torch.equal(out, generate(tiny, ids[:, :4], 12, greedy=True))
    assert hf.lm_head.weight.data_ptr() == hf.transformer.wte.weight.data_ptr()
    state = gpt2_state_dict(tiny)
    assert state["transformer.h.0.attn.c_attn.weight"].shape == (8, 24)
    cfg = gpt2_config(TINY)
    assert (cfg.n_positions, cfg.n_embd, cfg.n_layer, cfg.n_head, cfg.n_inner, cfg.activation_function) == \
        (16, 8, 2, 2, 32, "gelu")


def test_gpt2_mapping_rejects_other_models():
    with pytest.raises(TypeError, match="must be a GPT"):
        to_gpt2(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="GPTConfig"):
        gpt2_config({"n_ctx": 3})


# ---------------------------------------------------------------------------------- data
def test_shakespeare_is_the_checked_file_and_nanogpts_split():
    text = load_shakespeare()
    assert len(text) == 1_115_394 and text.startswith("First Citizen:\n")
    train, val = split_train_val(text)
    assert (len(train), len(val)) == (1_003_854, 111_540) and train + val == text
    ids = torch.arange(10)
    a, b = split_train_val(ids)
    assert a.tolist() == list(range(9)) and b.tolist() == [9]


def test_shakespeare_checksum_and_missing_file(tmp_path):
    folder = tmp_path / "tinyshakespeare"
    folder.mkdir()
    with pytest.raises(FileNotFoundError, match="input.txt is missing.*git checkout -- data/tinyshakespeare"):
        shakespeare_path(folder)
    source = shakespeare_path()
    (folder / "input.txt").write_bytes(source.read_bytes().replace(b"\n", b"\r\n", 1))
    (folder / "SHA256SUMS").write_text((source.parent / "SHA256SUMS").read_text())
    from course_utils.datafiles import ChecksumError
    with pytest.raises(ChecksumError, match="input.txt .*modified or corrupted"):
        load_shakespeare(folder)
    with pytest.raises(TypeError, match="folder"):
        load_shakespeare(3)


@pytest.mark.parametrize("bad, match", [("a", "at least 2"), (torch.arange(1), "at least 2")])
def test_split_rejects_too_little(bad, match):
    with pytest.raises(ValueError, match=match):
        split_train_val(bad)
    with pytest.raises(ValueError, match="train_fraction"):
        split_train_val("abcdef", 1.0)


def test_get_batch_targets_are_the_inputs_shifted_by_one():
    data = torch.arange(100)
    x, y = get_batch(data, 5, 8, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 8)
    assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y, x + 1)
    with pytest.raises(ValueError, match="needs at least 9"):
        get_batch(torch.arange(8), 2, 8)
    with pytest.raises(TypeError, match="1-D integer torch.Tensor"):
        get_batch([1, 2, 3], 1, 1)
    with pytest.raises(ValueError, match="batch_size"):
        get_batch(data, 0, 8)


def test_evaluate_loss_equals_the_mean_cross_entropy(tiny):
    data = _ids(1, 70).flatten()
    windows = data[:64].view(4, 16), data[1:65].view(4, 16)
    _, loss = tiny(*windows)
    assert math.isclose(evaluate_loss(tiny, data), loss.item(), rel_tol=1e-5)
    assert math.isclose(evaluate_loss(tiny, data, batch_size=3), loss.item(), rel_tol=1e-5)
    assert evaluate_loss(tiny, data, max_windows=2) > 0
    with pytest.raises(ValueError, match="fewer than one window"):
        evaluate_loss(tiny, data[:16])


# ---------------------------------------------------------------------------------- training
def test_train_gpt_learns_a_repeating_sequence_and_logs():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=5, n_ctx=8, n_layers=1, n_heads=1, d_model=16))
    data = torch.arange(5).repeat(60)
    log = train_gpt(model, data, data[:50], steps=60, batch_size=8, lr=1e-2, warmup_steps=5, eval_every=20,
                    eval_windows=None, progress=False, sample=lambda m: "x")
    assert log.steps == list(range(1, 61)) and log.eval_steps == [20, 40, 60] and len(log.seconds) == 3
    assert log.train_loss[0] > 1.4 and log.val_loss[-1] < 0.3
    assert log.lr[0] == 0 and max(log.lr) == pytest.approx(1e-2, rel=1e-6) and log.lr[-1] < 2e-3
    assert log.samples == {20: "x", 40: "x", 60: "x"} and not model.training


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(steps=0), ValueError, "steps"), (dict(warmup_steps=10), ValueError, "warmup_steps"),
    (dict(lr=0.0), ValueError, "lr"), (dict(grad_clip=0.0), ValueError, "grad_clip"),
    (dict(eval_every=0), ValueError, "eval_every"), (dict(sample="x"), TypeError, "sample"),
    (dict(batch_size=-1), ValueError, "batch_size")])
def test_train_gpt_rejects_bad_settings(tiny, kwargs, error, match):
    settings = dict(steps=10, batch_size=2, lr=1e-3, warmup_steps=2, progress=False)
    settings.update(kwargs)
    with pytest.raises(error, match=match):
        train_gpt(tiny, torch.arange(100) % 11, **settings)
