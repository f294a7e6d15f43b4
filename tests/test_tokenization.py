"""Tests of course_utils.tokenization (characters and byte-level BPE from scratch, chapter 11).

The BPE merge loop is checked against the plain ten-line loop the chapter writes, and against a BPE trained by
Hugging Face ``tokenizers`` on the same text (same merges, same encoding).
"""
import json
from collections import Counter

import pytest

from course_utils.tokenization import (BYTE_ID, BYTE_ORDER, GPT2_SPLIT_PATTERN, N_BYTES, BPETokenizer, CharTokenizer,
                                       char_tokenizer_hf, merge_pair, pre_tokenize, tokens_per_character, train_bpe)

TEXT = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
        "First Citizen:\nYou are all resolved rather to die than to famish?\n\nAll:\nResolved. resolved.\n\n"
        "First Citizen:\nFirst, you know Caius Marcius is chief enemy to the people.\n") * 3


# ---------------------------------------------------------------------------------- characters
def test_char_tokenizer_round_trip_and_sorted_vocabulary():
    tok = CharTokenizer("hello world")
    assert tok.chars == sorted(set("hello world")) and tok.vocab_size == 8
    assert tok.encode("hello") == [tok.stoi[c] for c in "hello"]
    assert tok.decode(tok.encode("world hello")) == "world hello"
    assert tok.stoi[" "] == 0                       # space sorts first
    assert tok.decode([]) == ""
    import torch
    assert tok.decode(torch.tensor(tok.encode("low"))) == "low"


def test_char_tokenizer_rejects_unknown_characters_and_says_which():
    tok = CharTokenizer("abc")
    with pytest.raises(ValueError, match=r"2 character\(s\) that are not in the vocabulary: 'é' \(U\+00E9\), "
                                         r"'z' \(U\+007A\) \(first at position 1\)"):
        tok.encode("aéz")


@pytest.mark.parametrize("bad, error, match", [("", ValueError, "empty"), (None, TypeError, "must be a str"),
                                                (["a"], TypeError, "must be a str")])
def test_char_tokenizer_rejects_empty_or_non_text(bad, error, match):
    with pytest.raises(error, match=match):
        CharTokenizer(bad)
    with pytest.raises(error, match=match):
        CharTokenizer("abc").encode(bad)


@pytest.mark.parametrize("bad", [[3], [-1], [0.5], [True], "ab", [[0, 1]]])
def test_char_tokenizer_decode_rejects_bad_ids(bad):
    with pytest.raises((ValueError, TypeError), match=r"token ids|\[0, 3\)"):
        CharTokenizer("abc").decode(bad)


# ---------------------------------------------------------------------------------- pre-tokenisation
def test_pre_tokenize_is_lossless_and_keeps_leading_spaces():
    pieces = pre_tokenize("Hello world's 123 __x  \n\nYou are")
    assert "".join(pieces) == "Hello world's 123 __x  \n\nYou are"
    assert pieces[:5] == ["Hello", " world", "'s", " 123", " __"]


def test_pre_tokenize_matches_tokenizers_byte_level_on_ascii():
    from tokenizers import pre_tokenizers
    hf = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True).pre_tokenize_str(TEXT + "  x  y\t1_000!")
    decode = {v: bytes([k]) for k, v in _bytes_to_unicode().items()}
    hf_pieces = [b"".join(decode[ch] for ch in piece).decode() for piece, _ in hf]
    assert pre_tokenize(TEXT + "  x  y\t1_000!") == hf_pieces
    assert GPT2_SPLIT_PATTERN.startswith("'s|'t")


def _bytes_to_unicode():
    """GPT-2's printable stand-ins for the 256 byte values (what tokenizers' ByteLevel shows)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


# ---------------------------------------------------------------------------------- BPE
def _plain_loop(text, num_merges):
    """The chapter's ten-line merge loop, the reference for train_bpe."""
    counts = Counter(pre_tokenize(text))
    words = {w: [BYTE_ID[b] for b in w.encode("utf-8")] for w in counts}
    merges = []
    for i in range(num_merges):
        pairs = Counter()
        for w, ids in words.items():
            for pair in zip(ids, ids[1:]):
                pairs[pair] += counts[w]
        if not pairs:
            break
        best = max(pairs, key=lambda p: (pairs[p], -p[0], -p[1]))
        words = {w: merge_pair(ids, best, N_BYTES + i) for w, ids in words.items()}
        merges.append(best)
    return merges


def test_byte_order_is_gpt2s():
    assert sorted(BYTE_ORDER) == list(range(256)) and BYTE_ORDER[0] == ord("!")
    assert BYTE_ID[ord(" ")] == 220 and BYTE_ID[ord("\n")] == 198          # GPT-2's ids for space and newline
    stand_ins = _bytes_to_unicode()
    assert [stand_ins[b] for b in BYTE_ORDER] == sorted(stand_ins.values())


def test_merge_pair():
    assert merge_pair([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert merge_pair([5, 5, 5], (5, 5), 7) == [7, 5]              # left to right, no overlap
    assert merge_pair([1], (1, 2), 9) == [1]


@pytest.mark.parametrize("text, n", [(TEXT, 60), ("aaaa", 5), ("ab ab ab", 10), ("大模型 大模型", 6)])
def test_train_bpe_equals_the_plain_merge_loop(text, n):
    assert train_bpe(text, n).merges == _plain_loop(text, n)


def test_train_bpe_first_merges_are_the_most_frequent_pairs():
    bpe = train_bpe(TEXT, 20)
    strings = bpe.token_strings()
    assert bpe.vocab_size == N_BYTES + 20 and len(strings) == bpe.vocab_size
    counts = Counter()
    for w, c in Counter(pre_tokenize(TEXT)).items():
        ids = [BYTE_ID[b] for b in w.encode()]
        for p in zip(ids, ids[1:]):
            counts[p] += c
    assert bpe.merges[0] == max(counts, key=lambda p: (counts[p], -p[0], -p[1]))


def test_train_bpe_stops_when_nothing_is_left_to_merge():
    assert len(train_bpe("ab", 10).merges) == 1


def test_bpe_round_trip_on_any_text_and_compresses():
    bpe = train_bpe(TEXT, 80)
    for text in (TEXT, "Zebra quartz 12,345 — 大模型时代 🙂\n\t", "x"):
        assert bpe.decode(bpe.encode(text)) == text
    assert tokens_per_character(bpe, TEXT) < 0.5
    assert tokens_per_character(BPETokenizer([]), "héllo") == 6 / 5     # é is two UTF-8 bytes


def test_bpe_matches_huggingface_tokenizers():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    ours = train_bpe(TEXT, 40)
    hf = Tokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    hf.decoder = decoders.ByteLevel()
    hf.train_from_iterator([TEXT], trainers.BpeTrainer(
        vocab_size=N_BYTES + 40, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    to_bytes = {v: bytes([k]) for k, v in _bytes_to_unicode().items()}
    hf_merges = [tuple(b"".join(to_bytes[c] for c in s) for s in pair)
                 for pair in json.loads(hf.to_str())["model"]["merges"]]
    our_merges = [(ours.vocab[a], ours.vocab[b]) for a, b in ours.merges]
    assert our_merges == hf_merges                         # same merges, same order, ties included
    sample = TEXT[:200]
    assert [ours.vocab[i] for i in ours.encode(sample)] == \
        [b"".join(to_bytes[c] for c in t) for t in hf.encode(sample).tokens]


@pytest.mark.parametrize("text, n, error, match", [("", 5, ValueError, "empty"), (None, 5, TypeError, "str"),
                                                   ("abc", 0, ValueError, "positive integer"),
                                                   ("abc", 2.0, ValueError, "positive integer"),
                                                   ("abc", True, ValueError, "positive integer")])
def test_train_bpe_rejects_bad_input(text, n, error, match):
    with pytest.raises(error, match=match):
        train_bpe(text, n)


def test_bpe_tokenizer_rejects_bad_merges_and_ids():
    with pytest.raises(ValueError, match="merge 0 must be a pair of ids that exist before it"):
        BPETokenizer([(256, 1)])
    with pytest.raises(ValueError, match="merge 1"):
        BPETokenizer([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="list of"):
        BPETokenizer("ab")
    with pytest.raises(ValueError, match=r"\[0, 257\)"):
        BPETokenizer([(97, 98)]).decode([300])
    with pytest.raises(ValueError, match="empty"):
        BPETokenizer([]).encode("")


def test_tokens_per_character_rejects_bad_input():
    with pytest.raises(TypeError, match="encode"):
        tokens_per_character(object(), "abc")
    with pytest.raises(ValueError, match="empty"):
        tokens_per_character(CharTokenizer("abc"), "")


# ---------------------------------------------------------------------------------- transformers
def test_char_tokenizer_hf_gives_the_same_ids_and_text():
    tok = CharTokenizer(TEXT)
    fast = char_tokenizer_hf(tok)
    line = "Before we proceed any further, hear me speak.\n\nAll:"
    assert fast(line)["input_ids"] == tok.encode(line)
    assert fast.decode(tok.encode(line)) == line
    assert len(fast) == tok.vocab_size


def test_char_tokenizer_hf_unknown_characters():
    tok = CharTokenizer("ab c")
    assert char_tokenizer_hf(tok)("abz")["input_ids"] == tok.encode("ab")      # tokenizers drops them silently
    assert char_tokenizer_hf(tok, unk_token=" ")("abz")["input_ids"] == tok.encode("ab ")
    with pytest.raises(ValueError, match="unk_token"):
        char_tokenizer_hf(tok, unk_token="z")
    with pytest.raises(TypeError, match="CharTokenizer"):
        char_tokenizer_hf("ab")
