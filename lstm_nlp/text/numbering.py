"""Turning chunks of text into int32 word ids, one ``<eos>`` per line.

:class:`ChunkEncoder` finds each chunk's words with :mod:`lstm_nlp.text.word_keys`,
numbers the ones it has met before through a :class:`~lstm_nlp.text.key_table.KeyTable`,
and asks a *numbering* for the ids of new ones, in order of first appearance:

* :class:`NewWords` gives every new word the next id (the specials come first) -- the
  provisional ids of the vocabulary-building pass, counted by the caller;
* :class:`KnownWords` looks words up in a fixed vocabulary, unknown ones becoming ``<unk>``.

The ids are exactly those of ``line.split() + ['<eos>']`` per line (pytorch/examples'
``data.py``).  A chunk the fast path cannot take (non-ASCII whitespace, bytes dropped by
``encoding_errors=ignore``, a hash collision) is encoded word by word in Python instead.
"""

from __future__ import annotations

import itertools
import os
from typing import Protocol

import numpy as np
from tokenizers import normalizers

from lstm_nlp.text.chunks import TextChunk, decode_chunk
from lstm_nlp.text.key_table import KeyTable
from lstm_nlp.text.tokenizer import EOS, SPECIALS, UNK
from lstm_nlp.text.word_keys import NEWLINE_KEY, first_occurrences, split_words, word_strings


class Numbering(Protocol):
    eos: int

    def ids(self, words: list[str]) -> np.ndarray:
        """int32 ids of ``words``, in order."""


# the saved tokenizer's normalizer, so training streams and later encodes agree (str.lower
# differs on e.g. the Greek final sigma)
lowercase_like_the_tokenizer = normalizers.Lowercase().normalize_str


class NewWords:
    """Numbers words in order of first appearance, after the specials: a word's number is its
    position in :attr:`index`."""

    def __init__(self, lowercase: bool = False) -> None:
        self.index = {tok: i for i, tok in enumerate(SPECIALS)}
        self.eos, self.lowercase = self.index[EOS], lowercase

    def ids(self, words: list[str]) -> np.ndarray:
        if self.lowercase:
            words = list(map(lowercase_like_the_tokenizer, words))
        index = self.index
        index.update(
            zip([w for w in dict.fromkeys(words) if w not in index], itertools.count(len(index)))
        )
        return np.fromiter(map(index.__getitem__, words), dtype=np.int32, count=len(words))


class KnownWords:
    """Ids from a fixed vocabulary; words outside it are ``<unk>``."""

    def __init__(self, vocab: dict[str, int], lowercase: bool = False) -> None:
        self.vocab, self.lowercase = vocab, lowercase
        self.eos, self.unk = vocab[EOS], vocab[UNK]

    def ids(self, words: list[str]) -> np.ndarray:
        if self.lowercase:
            words = list(map(lowercase_like_the_tokenizer, words))
        return np.fromiter(
            map(self.vocab.get, words, itertools.repeat(self.unk)), dtype=np.int32, count=len(words)
        )


class _NeedsPython(Exception):
    pass


def new_table(eos: int) -> KeyTable:
    """A key table that knows the newline word only (as ``eos``)."""
    table = KeyTable()
    table.insert(np.array([NEWLINE_KEY]), np.zeros((1, 2), np.uint64), np.array([eos], np.int32))
    return table


class ChunkEncoder:
    """Encodes chunks in order (new words are numbered as they appear); one encoder may take
    several files, which then share what it has learnt of their words."""

    def __init__(
        self, numbering: Numbering, encoding_errors: str = "strict", table: KeyTable | None = None
    ) -> None:
        self.numbering, self.encoding_errors = numbering, encoding_errors
        self.table = table if table is not None else new_table(numbering.eos)

    def encode(self, chunk: TextChunk, path: str | os.PathLike) -> np.ndarray:
        """The ids of ``chunk`` (of the file ``path``, named in errors)."""
        try:
            return self._fast(chunk, path)
        except _NeedsPython:
            text = decode_chunk(chunk, path, self.encoding_errors)
            return self.numbering.ids(text.replace("\n", f" {EOS} ").split())

    def _fast(self, chunk: TextChunk, path: str | os.PathLike) -> np.ndarray:
        w = split_words(chunk.data)
        ids, miss = self.table.lookup(w.keys, w.long, w.ext)
        if w.huge.size:  # compared one by one, never through the table
            ids[w.huge] = -1
            is_huge = np.zeros(len(ids), dtype=bool)
            is_huge[w.huge] = True
            miss = miss[~is_huge[miss]]
        elif not miss.size:
            return ids
        first, group = first_occurrences(w.keys[miss])
        reps = miss[first]
        rows, is_long = w.rows(miss)
        rep_rows, rep_long = w.rows(reps)
        if is_long.any() and not np.array_equal(
            w.ext[rows[is_long]], w.ext[rep_rows[group[is_long]]]
        ):
            raise _NeedsPython  # two long words with one hash
        new = np.concatenate([reps, w.huge])
        order = np.argsort(new, kind="stable")
        try:
            strings = word_strings(w, new[order], self.encoding_errors)
        except UnicodeDecodeError:
            decode_chunk(chunk, path, "strict")  # raises the DataError naming the line
            raise
        if strings is None:
            raise _NeedsPython
        new_ids = np.empty(len(new), dtype=np.int32)
        new_ids[order] = self.numbering.ids(strings)
        rep_ids = new_ids[: len(reps)]
        ext = np.zeros((len(reps), 2), dtype=np.uint64)
        ext[rep_long] = w.ext[rep_rows[rep_long]]
        rising = np.argsort(
            np.bincount(group, minlength=len(reps)), kind="stable"
        )  # frequent words placed last
        self.table.insert(w.keys[reps][rising], ext[rising], rep_ids[rising])
        ids[miss] = rep_ids[group]
        ids[w.huge] = new_ids[len(reps) :]
        return ids
