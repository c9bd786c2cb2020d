"""From a corpus folder to a tokenizer and one memory-mapped token stream per split.

Without a tokenizer to reuse, the training text is read once: its words are numbered in
order of first appearance while they are counted, written to a provisional stream, and
renumbered into the vocabulary's ids once the counts are known.  The other splits are
then encoded with that vocabulary.  Memory stays bounded by the chunk size and the
vocabulary, whatever the corpus size.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from lstm_nlp.text.cache_lock import entry_lock
from lstm_nlp.text.chunks import check_policy
from lstm_nlp.text.corpus import CorpusFiles
from lstm_nlp.text.id_file import SpillingIds, iter_blocks
from lstm_nlp.text.numbering import ChunkEncoder, NewWords
from lstm_nlp.text.token_store import StreamStore, encode_file, renumber
from lstm_nlp.text.tokenizer import (
    UNK,
    load_tokenizer,
    save_tokenizer,
    vocabulary,
    word_level_tokenizer,
)


@dataclass
class PreparedCorpus:
    tokenizer: Tokenizer
    streams: dict[
        str, np.ndarray
    ]  # split -> int32 token ids (read-only memory maps), <eos> after every line

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.get_vocab_size()

    @property
    def num_types(self) -> int:
        """Distinct token types in the training split (as pytorch/examples' data.py counts them)."""
        seen = np.zeros(self.vocab_size, dtype=bool)
        for block in iter_blocks(self.streams["train"]):
            seen[block] = True
        return int(np.count_nonzero(seen))


def vocab_entry(train: Path, cache_dir: Path | None, **settings) -> Path | None:
    if cache_dir is None:
        return None
    st = train.stat()
    key = "|".join(
        [
            str(train.resolve()),
            str(st.st_size),
            str(st.st_mtime_ns),
            *(f"{k}={v}" for k, v in sorted(settings.items())),
        ]
    )
    return cache_dir / "vocab" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"


def cached_tokenizer(entry: Path | None) -> Tokenizer | None:
    if entry is None or not entry.is_file():
        return None
    try:
        return load_tokenizer(entry)
    except Exception:
        return None  # unreadable cache entry: rebuild


def build_vocabulary(
    train: Path,
    *,
    min_freq: int,
    max_size: int | None,
    lowercase: bool,
    encoding_errors: str,
    cache_dir: Path | None,
) -> tuple[StreamStore, np.ndarray]:
    """The streams of the tokenizer whose vocabulary comes from ``train`` (``store.tok``), and
    ``train``'s stream, from one pass over the text."""
    words = NewWords(lowercase)
    encoder = ChunkEncoder(words, encoding_errors)
    spare = cache_dir / "tokens" if cache_dir is not None else None
    if spare is not None:
        spare.mkdir(parents=True, exist_ok=True)
    with SpillingIds(spare) as provisional:
        counts = encode_file(train, encoder, provisional, count=True)
        names = list(words.index)  # provisional id -> word
        counts = np.concatenate([counts, np.zeros(len(names) - len(counts), dtype=np.int64)])
        vocab = vocabulary(names, counts, min_freq=min_freq, max_size=max_size)
        tok = word_level_tokenizer(vocab, lowercase)
        new_ids = np.fromiter(
            map(vocab.get, names, itertools.repeat(vocab[UNK])), dtype=np.int32, count=len(names)
        )
        store = StreamStore(
            tok, cache_dir, encoding_errors, vocab=vocab, table=encoder.table.renumbered(new_ids)
        )
        stream = store.cached_or_built(
            train, lambda out: renumber(provisional.blocks(), new_ids, out)
        )
    return store, stream


def train_vocabulary(
    train: Path,
    *,
    min_freq: int,
    max_size: int | None,
    lowercase: bool,
    encoding_errors: str,
    cache_dir: Path | None,
) -> tuple[StreamStore, np.ndarray | None]:
    """The streams of the tokenizer made from ``train`` (``store.tok``), fetched from the cache
    or built, once when several processes ask at the same moment (the others wait for the
    entry, then read it); a built one comes with ``train``'s stream."""
    settings = dict(
        min_freq=min_freq, max_size=max_size, lowercase=lowercase, encoding_errors=encoding_errors
    )
    entry = vocab_entry(train, cache_dir, **settings)
    tok = cached_tokenizer(entry)
    if tok is not None:
        return StreamStore(tok, cache_dir, encoding_errors), None
    if entry is None:
        return build_vocabulary(train, cache_dir=cache_dir, **settings)
    with entry_lock(entry):
        tok = cached_tokenizer(entry)  # built by another process while this one waited
        if tok is not None:
            return StreamStore(tok, cache_dir, encoding_errors), None
        store, stream = build_vocabulary(train, cache_dir=cache_dir, **settings)
        save_tokenizer(store.tok, entry)
    return store, stream


def vocab_tokenizer(
    train: Path,
    *,
    min_freq: int,
    max_size: int | None,
    lowercase: bool,
    encoding_errors: str,
    cache_dir: Path | None,
) -> Tokenizer:
    """Build (or fetch from the cache) the tokenizer whose vocabulary comes from ``train``."""
    return train_vocabulary(
        train,
        min_freq=min_freq,
        max_size=max_size,
        lowercase=lowercase,
        encoding_errors=encoding_errors,
        cache_dir=cache_dir,
    )[0].tok


def prepare_corpus(
    files: CorpusFiles,
    *,
    tokenizer_path: str | os.PathLike | None = None,
    min_freq: int = 1,
    max_size: int | None = None,
    lowercase: bool = False,
    encoding_errors: str = "strict",
    cache_dir: str | os.PathLike | None = None,
) -> PreparedCorpus:
    """Tokenizer and memory-mapped streams for every split of ``files``.

    An existing ``tokenizer_path`` (a resumed run's ``tokenizer.json``) is reused as is;
    otherwise the vocabulary is built from the training split and, when
    ``tokenizer_path`` is given, saved there.
    """
    check_policy(encoding_errors)
    cache = Path(cache_dir) if cache_dir is not None else None
    streams: dict[str, np.ndarray] = {}
    if tokenizer_path is not None and Path(tokenizer_path).is_file():
        store = StreamStore(load_tokenizer(tokenizer_path), cache, encoding_errors)
    else:
        store, train = train_vocabulary(
            files.splits["train"],
            min_freq=min_freq,
            max_size=max_size,
            lowercase=lowercase,
            encoding_errors=encoding_errors,
            cache_dir=cache,
        )
        if train is not None:
            streams["train"] = train
        if tokenizer_path is not None:
            save_tokenizer(store.tok, tokenizer_path)
    for split, path in files.splits.items():
        if split not in streams:
            streams[split] = store.load(path)
    return PreparedCorpus(store.tok, {split: streams[split] for split in files.splits})
