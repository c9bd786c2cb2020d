"""Sentences as the model reads them: whitespace-separated words, each through the tokenizer's
own pipeline (its normalizer: a lowercasing model knows "The" as "the"), words outside the
vocabulary as ``<unk>``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.text.specials import EOS, PAD, UNK


@dataclass(frozen=True)
class Words:
    """A sentence's tokens: the words as written (one per id) and their ids."""

    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    known: tuple[bool, ...]

    @property
    def unknown(self) -> list[str]:
        return list(dict.fromkeys(t for t, k in zip(self.tokens, self.known) if not k))


def words_of(tokenizer: Any, sentence: str) -> Words:
    """The ids of ``sentence``'s words (no ``<eos>`` added); a word with several ids repeats."""
    if not isinstance(sentence, str):
        raise ConfigError(f"a sentence must be text, got {type(sentence).__name__}")
    words = sentence.split()
    if not words:
        return Words((), (), ())
    enc = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    unk = tokenizer.token_to_id(UNK)
    tokens = tuple(words[w] for w in enc.word_ids)
    known = tuple(i != unk or t == UNK for t, i in zip(tokens, enc.ids))
    return Words(tokens, tuple(enc.ids), known)


def specials(tokenizer: Any) -> tuple[int, int]:
    """The ids of ``<eos>`` and ``<pad>``."""
    return tokenizer.token_to_id(EOS), tokenizer.token_to_id(PAD)


def as_list(texts: str | list[str] | tuple[str, ...], what: str) -> list[str]:
    """One text or a sequence of them, as a list (a one-line error for anything else)."""
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, (list, tuple)) and all(isinstance(t, str) for t in texts):
        return list(texts)
    raise ConfigError(f"{what} must be a string or a list of strings, got {type(texts).__name__}")
