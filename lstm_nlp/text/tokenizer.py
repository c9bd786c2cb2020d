"""Word-level tokenizer and vocabulary on HuggingFace ``tokenizers``.

Text is split on whitespace (PTB / WikiText style); every line gets one ``<eos>``
appended by the tokenizer's post-processor, so encoding a line gives exactly the ids
that pytorch/examples' ``data.py`` would.  The vocabulary holds ``<unk>``, ``<eos>``
and ``<pad>`` first, then the corpus words by descending frequency (ties in order of
first occurrence).  Saved as ``tokenizer.json``, reloaded with the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from lstm_nlp.atomic import write_text
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.text.specials import EOS, PAD, SPECIALS, UNK  # noqa: F401  (re-exported)


def count_words(lines: Iterable[str], lowercase: bool = False) -> Counter:
    """Count whitespace-separated words, one ``<eos>`` per line."""
    counts: Counter = Counter()
    n_lines = 0
    for line in lines:
        counts.update((normalizers.Lowercase().normalize_str(line) if lowercase else line).split())
        n_lines += 1
    counts[EOS] += n_lines
    return counts


def _index(words: Sequence[str], word: str) -> int | None:
    try:
        return list(words).index(word)
    except ValueError:
        return None


def vocabulary(
    words: Sequence[str],
    counts: Sequence[int] | np.ndarray,
    min_freq: int = 1,
    max_size: int | None = None,
) -> dict[str, int]:
    """Specials first, then the ``words`` seen at least ``min_freq`` times, most frequent first
    (ties keep the order of ``words``: first occurrence); ``max_size`` caps the total."""
    if not isinstance(min_freq, int) or min_freq < 1:
        raise ConfigError(f"data.min_freq must be an integer >= 1, got {min_freq!r}")
    if max_size is not None and (not isinstance(max_size, int) or max_size < len(SPECIALS) + 1):
        raise ConfigError(
            f"data.max_size must be null or an integer >= {len(SPECIALS) + 1}, got {max_size!r}"
        )
    counts = np.asarray(counts, dtype=np.int64)
    order = np.argsort(-counts, kind="stable")
    keep = counts >= min_freq
    for i, special in enumerate(SPECIALS):  # the specials have their ids already
        at = i if i < len(words) and words[i] == special else _index(words, special)
        if at is not None:
            keep[at] = False
    order = order[keep[order]]
    if max_size is not None:
        order = order[: max_size - len(SPECIALS)]
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    vocab.update(
        zip([words[i] for i in order.tolist()], range(len(SPECIALS), len(SPECIALS) + len(order)))
    )
    return vocab


def word_level_tokenizer(vocab: dict[str, int], lowercase: bool = False) -> Tokenizer:
    """The word-level tokenizer of ``vocab`` (which holds the specials): split on whitespace,
    ``<eos>`` appended."""
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    if lowercase:
        tok.normalizer = normalizers.Lowercase()
    tok.post_processor = processors.TemplateProcessing(
        single=f"$A {EOS}", special_tokens=[(EOS, vocab[EOS])]
    )
    tok.add_special_tokens(
        list(SPECIALS)
    )  # marks them special (decode can skip them); ids unchanged
    return tok


def build_tokenizer(
    counts: Counter, min_freq: int = 1, max_size: int | None = None, lowercase: bool = False
) -> Tokenizer:
    """A word-level tokenizer whose vocabulary keeps words seen at least ``min_freq`` times.

    ``max_size`` caps the vocabulary (specials included); rarer words become ``<unk>``.
    """
    return word_level_tokenizer(
        vocabulary(list(counts), list(counts.values()), min_freq, max_size), lowercase
    )


def word_level_lowercase(tok: Tokenizer) -> bool | None:
    """Whether ``tok`` lowercases, if it is a tokenizer as :func:`word_level_tokenizer` makes them
    (whose ids :mod:`lstm_nlp.text.numbering` reproduces); ``None`` for any other pipeline."""
    normalizer = tok.normalizer
    plain = (
        isinstance(tok.model, models.WordLevel)
        and isinstance(tok.pre_tokenizer, pre_tokenizers.WhitespaceSplit)
        and (normalizer is None or isinstance(normalizer, normalizers.Lowercase))
        and isinstance(tok.post_processor, processors.TemplateProcessing)
        and json.loads(tok.post_processor.__getstate__())["single"]
        == [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": EOS, "type_id": 0}}]
        and all(tok.token_to_id(s) is not None for s in SPECIALS)
    )
    return (normalizer is not None) if plain else None


def word_ids(tok: Tokenizer, words: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Each word's ids as the tokenizer maps it alone (its normalizer applied, no specials added);
    a word that maps to no id at all gets ``(<unk>,)``."""
    ordered = sorted(set(words))
    unk = tok.token_to_id(UNK)
    encoded = tok.encode_batch(
        [[w] for w in ordered], is_pretokenized=True, add_special_tokens=False
    )
    return {w: tuple(e.ids) or (unk,) for w, e in zip(ordered, encoded)}


def save_tokenizer(tok: Tokenizer, path: str | os.PathLike) -> None:
    write_text(path, tok.to_str())


def load_tokenizer(path: str | os.PathLike) -> Tokenizer:
    path = Path(path)
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as e:  # tokenizers raises a bare Exception on a malformed file
        raise DataError(f"{path}: not a valid tokenizer.json ({str(e).splitlines()[0]})") from None
    missing = [s for s in SPECIALS if tok.token_to_id(s) is None]
    if missing:
        raise DataError(f"{path}: tokenizer vocabulary lacks {', '.join(missing)}")
    return tok


def tokenizer_fingerprint(tok: Tokenizer) -> str:
    """A short hash that changes whenever the tokenizer's vocabulary or rules change."""
    return hashlib.sha256(tok.to_str().encode("utf-8")).hexdigest()[:16]


def corpus_types(counts: Counter, tok: Tokenizer) -> int:
    """Distinct corpus tokens that the vocabulary covers (``<eos>`` included, unused specials
    not)."""
    return sum(1 for w in counts if tok.token_to_id(w) is not None)
