"""Token streams: a split's text as one compact ``int32`` array, cached on disk.

The cache key holds the file's absolute path, size and modification time, the
tokenizer's fingerprint and the decoding policy, so a second run skips tokenisation
and any change to the corpus or the vocabulary rebuilds the stream.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from lstm_nlp.atomic import atomic_path
from lstm_nlp.text.corpus import read_lines
from lstm_nlp.text.tokenizer import tokenizer_fingerprint

CACHE_VERSION = "1"
CHUNK_LINES = 20_000


def encode_lines(lines: list[str], tok: Tokenizer) -> np.ndarray:
    """Ids of all lines, one ``<eos>`` after each, as one int32 array."""
    parts = []
    for start in range(0, len(lines), CHUNK_LINES):
        encs = tok.encode_batch_fast(lines[start : start + CHUNK_LINES], add_special_tokens=True)
        ids = itertools.chain.from_iterable(e.ids for e in encs)
        parts.append(np.fromiter(ids, dtype=np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def stream_key(path: Path, tok: Tokenizer, encoding_errors: str) -> str:
    st = path.stat()
    raw = "|".join([CACHE_VERSION, str(path.resolve()), str(st.st_size), str(st.st_mtime_ns),
                    tokenizer_fingerprint(tok), encoding_errors])
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def load_stream(
    path: str | os.PathLike,
    tok: Tokenizer,
    cache_dir: str | os.PathLike | None = None,
    encoding_errors: str = "strict",
) -> np.ndarray:
    """The token ids of ``path`` (cached under ``cache_dir/tokens`` when a cache is given)."""
    path = Path(path)
    if cache_dir is None:
        return encode_lines(read_lines(path, encoding_errors), tok)
    cached = Path(cache_dir) / "tokens" / f"{path.stem}-{stream_key(path, tok, encoding_errors)}.npy"
    if cached.is_file():
        try:
            return np.load(cached)
        except (OSError, ValueError):
            pass  # unreadable cache entry: rebuild it below
    ids = encode_lines(read_lines(path, encoding_errors), tok)
    with atomic_path(cached) as tmp:
        with open(tmp, "wb") as f:
            np.save(f, ids)
    return ids
