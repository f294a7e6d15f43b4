"""Tokenisers from scratch: characters, and byte-level byte-pair encoding (BPE).

Introduced in chapter 11 (a small GPT), which writes the BPE merge loop in the notebook, checks it against this
module and against a BPE trained by Hugging Face ``tokenizers`` on the same text, and contrasts both with chapter
08's WordPiece. Chapter 11's GPT reads characters; chapter 12 reuses both tokenisers.

    CharTokenizer(text)            one token per distinct character of ``text`` (sorted), as nanoGPT's
                                   shakespeare_char; ``encode`` rejects characters it has not seen
    pre_tokenize(text)             GPT-2's split into words, numbers, punctuation and spaces (merges stay inside)
    train_bpe(text, num_merges)    the merge loop: start from the 256 byte values, repeatedly merge the most
                                   frequent adjacent pair; returns a :class:`BPETokenizer`
    BPETokenizer(merges)           encode (apply the merges in the order learned) and decode, losslessly, any text
    char_tokenizer_hf(tokenizer)   the character tokeniser as a ``transformers`` ``PreTrainedTokenizerFast``
    tokens_per_character(...)      the compression ratio: tokens per character of a text

Byte-level BPE has no unknown token: every string is a sequence of UTF-8 bytes, and every byte is in the base
vocabulary. That is why GPT-2 and its successors start from bytes.
"""
from __future__ import annotations

import numbers
import re
from collections import Counter

#: GPT-2's pre-tokenisation pattern (Radford et al. 2019, ``encoder.py``) in Python's ``re``: contractions, a
#: word with its leading space, a number, punctuation, runs of spaces. ``\p{L}`` is written ``[^\W\d_]`` and
#: ``\p{N}`` is ``\d``; on ASCII text the split is exactly GPT-2's (and ``tokenizers``' ``ByteLevel``).
GPT2_SPLIT_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""
_SPLIT = re.compile(GPT2_SPLIT_PATTERN)
#: The base vocabulary of byte-level BPE: one token per byte value.
N_BYTES = 256
#: GPT-2's order of the 256 bytes, which its vocabulary's first 256 ids follow: the printable bytes first (``!`` is
#: id 0, as in GPT-2), then the others, space and newline among them, in increasing order (space is id 220, newline
#: 198). ``BYTE_ORDER[id]`` is the byte value of a base token; ``BYTE_ID[byte]`` its id.
BYTE_ORDER = [*range(33, 127), *range(161, 173), *range(174, 256)]
BYTE_ORDER += [b for b in range(N_BYTES) if b not in BYTE_ORDER]
BYTE_ID = {b: i for i, b in enumerate(BYTE_ORDER)}


def _text(text, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    if not text:
        raise ValueError(f"{name} is empty; give at least one character")
    return text


def _describe_chars(chars) -> str:
    return ", ".join(f"{c!r} (U+{ord(c):04X})" for c in chars)


def _id_list(ids, vocab_size: int, name: str = "ids") -> list[int]:
    if hasattr(ids, "tolist"):                       # a tensor or NumPy array
        ids = ids.tolist()
    if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
        raise TypeError(f"{name} must be a list of token ids (integers), got {type(ids).__name__}")
    ids = list(ids)
    bad = [i for i in ids if isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < vocab_size]
    if bad:
        raise ValueError(f"{name} must be integers in [0, {vocab_size}), the vocabulary; got {bad[:5]}"
                         + (" (a nested list? decode one sequence at a time)" if isinstance(bad[0], list) else ""))
    return [int(i) for i in ids]


# ---------------------------------------------------------------------------------- characters
class CharTokenizer:
    """One token per character: the vocabulary is the sorted set of the characters of ``text``.

    ``CharTokenizer(shakespeare)`` has 65 tokens, ids in the order ``'\\n', ' ', '!', ...``, exactly nanoGPT's
    shakespeare_char encoding. Text with a character the tokenizer has not seen cannot be encoded: ``encode``
    raises an error that names the characters and where they are.
    """

    def __init__(self, text: str):
        text = _text(text)
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        self.itos = dict(enumerate(self.chars))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """The ids of the characters of ``text``; an unknown character raises ``ValueError`` naming it."""
        text = _text(text)
        try:
            return [self.stoi[c] for c in text]
        except KeyError:
            unknown = list(dict.fromkeys(c for c in text if c not in self.stoi))      # in order of appearance
            first = next(i for i, c in enumerate(text) if c not in self.stoi)
            raise ValueError(f"the text has {len(unknown)} character(s) that are not in the vocabulary: "
                             f"{_describe_chars(unknown[:10])}{' ...' if len(unknown) > 10 else ''} (first at "
                             f"position {first}). A character tokenizer knows only the {self.vocab_size} characters "
                             "of the text it was built from; remove or replace these, or use byte-level BPE, which "
                             "encodes any text") from None

    def decode(self, ids) -> str:
        """The text of a list (or 1-D tensor) of ids."""
        return "".join(self.itos[i] for i in _id_list(ids, self.vocab_size))

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"


# ---------------------------------------------------------------------------------- byte-pair encoding
def pre_tokenize(text: str) -> list[str]:
    """Split ``text`` into GPT-2's pre-tokens (:data:`GPT2_SPLIT_PATTERN`); joined, they give ``text`` back."""
    return _SPLIT.findall(_text(text))


def merge_pair(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """``ids`` with every occurrence of ``pair`` (left to right, not overlapping) replaced by ``new_id``."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BPETokenizer:
    """Byte-level BPE: text → UTF-8 bytes → the learned merges applied in the order they were learned.

    Ids 0–255 are the bytes in GPT-2's order (:data:`BYTE_ORDER`); ``merges`` is the list of pairs
    ``(left_id, right_id)``, and merge ``i`` creates token ``256 + i``. Build one with :func:`train_bpe`.
    ``decode(encode(text)) == text`` for every string.
    """

    def __init__(self, merges):
        if isinstance(merges, (str, bytes)) or not hasattr(merges, "__iter__"):
            raise TypeError(f"merges must be a list of (left_id, right_id) pairs, got {type(merges).__name__}")
        self.merges: list[tuple[int, int]] = []
        self.vocab: dict[int, bytes] = {i: bytes([b]) for i, b in enumerate(BYTE_ORDER)}
        for i, pair in enumerate(merges):
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(
                    isinstance(t, numbers.Integral) and not isinstance(t, bool) and 0 <= t < N_BYTES + i
                    for t in pair)):
                raise ValueError(f"merge {i} must be a pair of ids that exist before it (< {N_BYTES + i}), "
                                 f"got {pair!r}")
            a, b = int(pair[0]), int(pair[1])
            self.merges.append((a, b))
            self.vocab[N_BYTES + i] = self.vocab[a] + self.vocab[b]
        self.ranks = {pair: i for i, pair in enumerate(self.merges)}
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return N_BYTES + len(self.merges)

    def _encode_chunk(self, chunk: str) -> list[int]:
        ids = [BYTE_ID[b] for b in chunk.encode("utf-8")]
        while len(ids) > 1:
            pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, len(self.ranks)))
            if pair not in self.ranks:
                break                                   # no learned merge applies any more
            ids = merge_pair(ids, pair, N_BYTES + self.ranks[pair])
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``: each pre-token's bytes, merged by the earliest learned merge first."""
        out = []
        for chunk in pre_tokenize(text):
            if chunk not in self._cache:
                self._cache[chunk] = self._encode_chunk(chunk)
            out.extend(self._cache[chunk])
        return out

    def decode(self, ids) -> str:
        """The text of a list of ids (bytes that are not valid UTF-8 on their own become U+FFFD)."""
        return b"".join(self.vocab[i] for i in _id_list(ids, self.vocab_size)).decode("utf-8", errors="replace")

    def token_strings(self) -> list[str]:
        """Each token's bytes as text, e.g. ``' the'``, for reading the vocabulary."""
        return [self.vocab[i].decode("utf-8", errors="replace") for i in range(self.vocab_size)]

    def __repr__(self) -> str:
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)})"


def train_bpe(text: str, num_merges: int) -> BPETokenizer:
    """Learn ``num_merges`` byte-pair merges on ``text``; return the :class:`BPETokenizer`.

    The loop (chapter 11 writes it in ten lines): split the text into pre-tokens (merges never cross them), write
    each as its UTF-8 bytes (ids in GPT-2's byte order, :data:`BYTE_ID`), then ``num_merges`` times count every adjacent pair of tokens (weighted by how often
    its pre-token occurs), merge the most frequent pair everywhere into a new token, and record the merge. Ties
    go to the smallest pair of ids, as in Hugging Face ``tokenizers``' ``BpeTrainer``, whose byte-level alphabet has
    the same order: with the same pre-tokenisation both learn the same merges. Stops early when no pair is left.

    This version gives exactly those merges, faster: it counts the pairs once, and after each merge updates the
    counts of the pre-tokens that contained the merged pair only.
    """
    text = _text(text)
    if isinstance(num_merges, bool) or not isinstance(num_merges, numbers.Integral) or num_merges < 1:
        raise ValueError(f"num_merges must be a positive integer, got {num_merges!r}")
    counts = Counter(pre_tokenize(text))
    words = [[BYTE_ID[b] for b in w.encode("utf-8")] for w in counts]
    freq = list(counts.values())
    pairs: Counter = Counter()
    where: dict[tuple[int, int], set[int]] = {}
    for j, ids in enumerate(words):
        for pair in zip(ids, ids[1:]):
            pairs[pair] += freq[j]
            where.setdefault(pair, set()).add(j)
    merges = []
    for i in range(int(num_merges)):
        pairs = +pairs                                   # drop pairs whose count fell to 0
        if not pairs:
            break
        best = max(pairs, key=lambda p: (pairs[p], -p[0], -p[1]))
        for j in where.pop(best, ()):
            ids = words[j]
            for pair in zip(ids, ids[1:]):
                pairs[pair] -= freq[j]
            words[j] = ids = merge_pair(ids, best, N_BYTES + i)
            for pair in zip(ids, ids[1:]):
                pairs[pair] += freq[j]
                where.setdefault(pair, set()).add(j)
        merges.append(best)
    return BPETokenizer(merges)


def tokens_per_character(tokenizer, text: str) -> float:
    """How many tokens ``tokenizer.encode(text)`` gives per character of ``text`` (lower = more compression)."""
    text = _text(text)
    if not hasattr(tokenizer, "encode"):
        raise TypeError(f"tokenizer must have an encode(text) method, got {type(tokenizer).__name__}")
    ids = tokenizer.encode(text)
    ids = getattr(ids, "ids", ids)                       # a tokenizers.Encoding
    return len(ids) / len(text)


# ---------------------------------------------------------------------------------- into the ecosystem
def char_tokenizer_hf(tokenizer: CharTokenizer, unk_token: str | None = None):
    """The character tokeniser as a ``transformers`` ``PreTrainedTokenizerFast``, e.g. for ``pipeline``.

    Built with ``tokenizers``: a BPE model whose vocabulary is the characters and which has no merges splits any
    text into characters; a ``Fuse`` decoder joins them without spaces. Characters outside the vocabulary are
    **dropped silently** by ``tokenizers`` unless ``unk_token`` names a character of the vocabulary to stand in for
    them; check text with :meth:`CharTokenizer.encode` first, which names them.
    """
    if not isinstance(tokenizer, CharTokenizer):
        raise TypeError(f"tokenizer must be a CharTokenizer, got {type(tokenizer).__name__}")
    if unk_token is not None and unk_token not in tokenizer.stoi:
        raise ValueError(f"unk_token must be a character of the vocabulary or None, got {unk_token!r}")
    from tokenizers import Tokenizer, decoders, models
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE(vocab=dict(tokenizer.stoi), merges=[], unk_token=unk_token))
    core.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=core, clean_up_tokenization_spaces=False)


__all__ = ["CharTokenizer", "GPT2_SPLIT_PATTERN", "pre_tokenize", "merge_pair", "BPETokenizer", "train_bpe",
           "tokens_per_character", "char_tokenizer_hf", "N_BYTES", "BYTE_ORDER", "BYTE_ID"]
