"""From a corpus folder to a tokenizer and one token stream per split."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from lstm_nlp.text.corpus import CorpusFiles, read_lines
from lstm_nlp.text.token_store import load_stream
from lstm_nlp.text.tokenizer import build_tokenizer, count_words, load_tokenizer, save_tokenizer


@dataclass
class PreparedCorpus:
    tokenizer: Tokenizer
    streams: dict[str, np.ndarray]  # split -> int32 token ids, <eos> after every line

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.get_vocab_size()

    @property
    def num_types(self) -> int:
        """Distinct token types in the training split (as pytorch/examples' data.py counts them)."""
        return int(np.count_nonzero(np.bincount(self.streams["train"], minlength=1)))


def vocab_tokenizer(
    train: Path, *, min_freq: int, max_size: int | None, lowercase: bool,
    encoding_errors: str, cache_dir: Path | None,
) -> Tokenizer:
    """Build (or fetch from the cache) the tokenizer whose vocabulary comes from ``train``."""
    cached = None
    if cache_dir is not None:
        st = train.stat()
        key = f"{train.resolve()}|{st.st_size}|{st.st_mtime_ns}|{min_freq}|{max_size}|{lowercase}|{encoding_errors}"
        cached = cache_dir / "vocab" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        if cached.is_file():
            try:
                return load_tokenizer(cached)
            except Exception:
                pass  # unreadable cache entry: rebuild
    counts = count_words(read_lines(train, encoding_errors), lowercase=lowercase)
    tok = build_tokenizer(counts, min_freq=min_freq, max_size=max_size, lowercase=lowercase)
    if cached is not None:
        save_tokenizer(tok, cached)
    return tok


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
    """Tokenizer and streams for every split of ``files``.

    An existing ``tokenizer_path`` (a resumed run's ``tokenizer.json``) is reused as is;
    otherwise the vocabulary is built from the training split and, when
    ``tokenizer_path`` is given, saved there.
    """
    cache = Path(cache_dir) if cache_dir is not None else None
    if tokenizer_path is not None and Path(tokenizer_path).is_file():
        tok = load_tokenizer(tokenizer_path)
    else:
        tok = vocab_tokenizer(files.splits["train"], min_freq=min_freq, max_size=max_size,
                              lowercase=lowercase, encoding_errors=encoding_errors, cache_dir=cache)
        if tokenizer_path is not None:
            save_tokenizer(tok, tokenizer_path)
    streams = {s: load_stream(p, tok, cache, encoding_errors) for s, p in files.splits.items()}
    return PreparedCorpus(tok, streams)
