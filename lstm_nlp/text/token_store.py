"""Token streams: a split's text as one int32 array on disk, mapped into memory, cached.

A stream is built in one pass over the text, chunk by chunk (:mod:`lstm_nlp.text.chunks`),
its ids written straight into a ``.npy`` file (:mod:`lstm_nlp.text.id_file`); neither the
text nor the ids are ever held whole in memory, and the returned array is a read-only
memory map (4 bytes per token, on disk and in the page cache).

Under ``cache_dir/tokens`` the file's name holds a key of the text file's absolute path,
size and modification time, the tokenizer's fingerprint and the decoding policy: a second
run maps the stream without tokenising, and any change to the corpus or the vocabulary
builds a new one.  Files are written under a temporary name and renamed when complete,
so a failed build (bad input, interruption) leaves nothing behind; an unreadable entry
is rebuilt.  Processes that ask for the same entry at once build it once: the others wait
on the entry's lock and map what it wrote (:mod:`lstm_nlp.text.cache_lock`).  Without a
cache the stream lives in an unlinked temporary file.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from lstm_nlp.atomic import atomic_path
from lstm_nlp.errors import DataError
from lstm_nlp.text.cache_lock import entry_lock
from lstm_nlp.text.chunks import check_policy, iter_chunks, iter_line_batches
from lstm_nlp.text.id_file import IdWriter, SpillingIds, open_ids
from lstm_nlp.text.key_table import KeyTable
from lstm_nlp.text.numbering import ChunkEncoder, KnownWords
from lstm_nlp.text.tokenizer import tokenizer_fingerprint, word_level_lowercase

CACHE_VERSION = "2"
CHUNK_LINES = 20_000


def encode_lines(lines: list[str], tok: Tokenizer) -> np.ndarray:
    """Ids of ``lines`` through the tokenizer's own pipeline, one ``<eos>`` after each (int32)."""
    parts = []
    for start in range(0, len(lines), CHUNK_LINES):
        encs = tok.encode_batch_fast(lines[start : start + CHUNK_LINES], add_special_tokens=True)
        ids = itertools.chain.from_iterable(e.ids for e in encs)
        parts.append(np.fromiter(ids, dtype=np.int32))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def stream_key(path: Path, fingerprint: str, encoding_errors: str) -> str:
    st = path.stat()
    raw = "|".join(
        [
            CACHE_VERSION,
            str(path.resolve()),
            str(st.st_size),
            str(st.st_mtime_ns),
            fingerprint,
            encoding_errors,
        ]
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def write_stream(target: Path | None, fill: Callable[[IdWriter], None]) -> np.ndarray:
    """Run ``fill`` on a writer for ``target`` (or a temporary file) and map the result.

    A failing write (a full disk, a read-only cache folder) is a one-line :class:`DataError`.
    """
    try:
        return _write_stream(target, fill)
    except OSError as err:
        where = target.parent if target is not None else Path(tempfile.gettempdir())
        raise DataError(
            f"{where}: cannot write the token cache ({err.strerror or err}); free disk space "
            "there or set cache_dir=DIR to a folder with room for 4 bytes per token"
        ) from None


def _write_stream(target: Path | None, fill: Callable[[IdWriter], None]) -> np.ndarray:
    if target is None:
        fd, tmp = tempfile.mkstemp(prefix="lstm-nlp-tokens-", suffix=".npy")
        os.close(fd)
        try:
            with IdWriter(tmp) as writer:
                fill(writer)
            return open_ids(tmp)  # the mapping outlives the name
        finally:
            os.unlink(tmp)
    with atomic_path(target) as tmp:
        with IdWriter(tmp) as writer:
            fill(writer)
    return open_ids(target)


def encode_file(
    path: Path, encoder: ChunkEncoder, writer: IdWriter | SpillingIds, count: bool = False
) -> np.ndarray | None:
    """Encode ``path`` chunk by chunk into ``writer``; with ``count``, return how often each id
    occurs."""
    counts = np.zeros(0, dtype=np.int64)
    for chunk in iter_chunks(path):
        ids = encoder.encode(chunk, path)
        writer.write(ids)
        if count:
            seen = np.bincount(ids)
            if len(seen) > len(counts):
                counts = np.concatenate([counts, np.zeros(len(seen) - len(counts), dtype=np.int64)])
            counts[: len(seen)] += seen
    return counts if count else None


class StreamStore:
    """Builds and caches the streams of one tokenizer (its fingerprint and vocabulary looked up
    once)."""

    def __init__(
        self,
        tok: Tokenizer,
        cache_dir: str | os.PathLike | None = None,
        encoding_errors: str = "strict",
        vocab: dict[str, int] | None = None,
        table: KeyTable | None = None,
    ) -> None:
        """``vocab`` (``tok.get_vocab()``) and ``table`` (words already numbered) save work when
        known."""
        check_policy(encoding_errors)
        self.tok, self.encoding_errors = tok, encoding_errors
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.fingerprint = tokenizer_fingerprint(tok) if self.cache_dir is not None else ""
        self.lowercase = word_level_lowercase(tok)
        self._vocab, self._table, self._encoder = vocab, table, None

    def entry(self, path: Path) -> Path | None:
        """The cache file for ``path``'s stream (``None`` without a cache)."""
        if self.cache_dir is None:
            return None
        return (
            self.cache_dir
            / "tokens"
            / f"{path.stem}-{stream_key(path, self.fingerprint, self.encoding_errors)}.npy"
        )

    def cached(self, path: Path) -> np.ndarray | None:
        target = self.entry(path)
        if target is None or not target.is_file():
            return None
        try:
            return open_ids(target)
        except (OSError, ValueError, EOFError):
            return None  # unreadable cache entry: to be rebuilt

    def load(self, path: str | os.PathLike) -> np.ndarray:
        """The token ids of ``path``, memory-mapped: from the cache, else built (and cached)."""
        path = Path(path)
        return self.cached_or_built(path, lambda writer: self.build(path, writer))

    def cached_or_built(self, path: Path, fill: Callable[[IdWriter], None]) -> np.ndarray:
        """``path``'s stream from the cache, else written by ``fill`` into its entry, once: a
        process that finds the entry being built waits for it and maps it."""
        target = self.entry(path)
        found = self.cached(path)
        if target is None or found is not None:
            return found if found is not None else write_stream(None, fill)
        with entry_lock(target):
            found = self.cached(path)  # built by another process while this one waited
            return found if found is not None else write_stream(target, fill)

    def build(self, path: Path, writer: IdWriter) -> None:
        """Write the ids of ``path`` (fast for this package's word-level tokenizers)."""
        if self.lowercase is None:  # some other pipeline: let the tokenizer itself encode
            for lines in iter_line_batches(path, self.encoding_errors):
                writer.write(encode_lines(lines, self.tok))
            return
        if self._encoder is None:
            words = KnownWords(
                self._vocab if self._vocab is not None else self.tok.get_vocab(), self.lowercase
            )
            self._encoder = ChunkEncoder(words, self.encoding_errors, self._table)
        encode_file(path, self._encoder, writer)


def load_stream(
    path: str | os.PathLike,
    tok: Tokenizer,
    cache_dir: str | os.PathLike | None = None,
    encoding_errors: str = "strict",
) -> np.ndarray:
    """The token ids of ``path``, memory-mapped (cached under ``cache_dir/tokens`` when a cache is
    given)."""
    return StreamStore(tok, cache_dir, encoding_errors).load(path)


def renumber(blocks: Iterable[np.ndarray], new_ids: np.ndarray, writer: IdWriter) -> None:
    """Write the ids of ``blocks`` to ``writer``, id ``i`` becoming ``new_ids[i]``."""
    for block in blocks:
        writer.write(new_ids[block])
