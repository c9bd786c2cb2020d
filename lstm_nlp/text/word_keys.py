"""Whitespace words of a chunk of UTF-8 text as integer keys, found with whole-array NumPy steps.

Python's ``str.split()`` costs a string object per word; here a chunk's words are found
and named without one.  Words are the runs of bytes between the ASCII characters that
``str.split()`` splits on; each newline is a word of its own (it becomes ``<eos>``).

A word's *key* is its bytes packed into a ``uint64`` when it has at most 8 bytes (exact:
text holds no NUL bytes), else a hash of its first 24 bytes whose lowest byte is a space,
which no short word's key has.  Words of 9 to 24 bytes also keep those bytes
(``ext``), so that comparing key and ``ext`` compares the whole word; longer words
(``huge``) are looked at one by one.  Only a word's first occurrence is ever decoded
(:func:`word_strings`), so new types cost Python time and old ones do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPLIT_BYTES = (
    b" \t\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.split() splits on below 0x80, newline aside
)
NEWLINE_KEY = np.uint64(ord("\n"))
EXACT_BYTES = 24  # words up to this length are compared exactly by (key, ext)
_WORD_BYTE = bytes(0 if b in SPLIT_BYTES else 1 for b in range(256))
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_LONG_TAG, _LOW_BYTE = np.uint64(0x20), np.uint64(0xFF)


@dataclass
class ChunkWords:
    buf: bytes  # the chunk, each newline spaced off into a word of its own
    starts: np.ndarray  # intp byte offset in ``buf`` of each word
    ends: np.ndarray  # intp end (exclusive) of each word
    keys: np.ndarray  # uint64 key of each word
    long: np.ndarray  # intp indices (ascending) of the words longer than 8 bytes
    ext: np.ndarray  # (len(long), 2) uint64: bytes 9-16 and 17-24 of those words
    huge: np.ndarray  # intp indices of the words longer than EXACT_BYTES

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For word indices ``idx``: their row in ``ext`` (0 where none) and whether they are
        long."""
        if not self.long.size:
            return np.zeros(len(idx), np.intp), np.zeros(len(idx), bool)
        if len(idx) * 8 < len(self.keys):
            row = np.minimum(np.searchsorted(self.long, idx), len(self.long) - 1)
            return row, self.long[row] == idx
        row_of = (
            np.cumsum(self.ends - self.starts > 8) - 1
        )  # row of the last long word at or before
        row = np.maximum(row_of[idx], 0)
        return row, self.long[row] == idx


def _packed(words: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The (at most 8) bytes at ``starts``, as little-endian ``uint64`` zero-padded past ``lengths``
    (>= 0)."""
    return words[starts] & _MASKS[np.minimum(lengths, 8)]


def split_words(data: bytes) -> ChunkWords:
    """Words, offsets and keys of ``data`` (a chunk: no NUL bytes, no word cut at either end)."""
    buf = data.replace(b"\n", b" \n ")
    flags = np.frombuffer((b" " + buf + b" ").translate(_WORD_BYTE), dtype=np.bool_)
    edges = np.flatnonzero(flags[1:] != flags[:-1])
    starts, ends = edges[0::2], edges[1::2]
    lengths = ends - starts
    padded = buf + bytes(24)
    words = np.ndarray(
        (len(buf) + 16,), dtype="<u8", buffer=padded, strides=(1,)
    )  # 8 bytes from every offset
    keys = _packed(words, starts, lengths)
    long = np.flatnonzero(lengths > 8)
    ext = np.zeros((len(long), 2), dtype=np.uint64)
    huge = long[:0]
    if long.size:
        s, n = starts[long], lengths[long]
        ext[:, 0] = _packed(words, s + 8, n - 8)
        ext[:, 1] = _packed(words, s + 16, np.maximum(n - 16, 0))
        h = keys[long] * _MIX[0]
        h ^= ext[:, 0]
        h *= _MIX[1]
        h ^= ext[:, 1]
        h *= _MIX[2]
        h ^= h >> np.uint64(29)
        keys[long] = (h & ~_LOW_BYTE) | _LONG_TAG
        huge = long[n > EXACT_BYTES]
    return ChunkWords(buf, starts, ends, keys, long, ext, huge)


def first_occurrences(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, group)``: the index of each distinct key's first occurrence, in order of
    appearance, and for every element the number of its key in that order."""
    m = len(keys)
    if m == 0:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    bits = max(1, (m - 1).bit_length())
    # Sort (high bits of a mixed key, position) in one uint64: equal keys end up together,
    # each group led by its first position.  A bijective mix keeps distinct keys apart
    # except in the dropped low bits, which the check below catches.
    comb = keys * _MIX[0]
    comb >>= np.uint64(bits)
    comb <<= np.uint64(bits)
    comb |= np.arange(m, dtype=np.uint64)
    comb.sort()
    pos = (comb & np.uint64((1 << bits) - 1)).astype(np.intp)
    comb >>= np.uint64(bits)
    lead = np.empty(m, dtype=bool)
    lead[0] = True
    np.not_equal(comb[1:], comb[:-1], out=lead[1:])
    first = pos[lead]
    group = np.empty(m, dtype=np.intp)
    group[pos] = np.cumsum(lead) - 1
    if not np.array_equal(
        keys[first][group], keys
    ):  # two keys shared their high bits: sort exactly
        _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty(len(first), dtype=np.intp)
    rank[order] = np.arange(len(first))
    return first[order], rank[group]


def word_strings(words: ChunkWords, idx: np.ndarray, encoding_errors: str) -> list[str] | None:
    """The decoded words ``idx`` of a chunk, or ``None`` when one of them is not a single
    whitespace-free word once decoded (non-ASCII whitespace, or bytes that ``ignore`` drops).

    Raises :class:`UnicodeDecodeError` for undecodable bytes under ``strict``.
    """
    if len(idx) == 0:
        return []
    starts, lengths = words.starts[idx], words.ends[idx] - words.starts[idx]
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths  # bytes of the earlier words
    within = np.arange(total) - np.repeat(before, lengths)
    out = np.full(total + len(idx) - 1, ord(" "), dtype=np.uint8)
    out[np.repeat(before + np.arange(len(idx)), lengths) + within] = np.frombuffer(
        words.buf, np.uint8
    )[np.repeat(starts, lengths) + within]
    joined = out.tobytes()
    text = joined.decode("utf-8", errors=encoding_errors)
    parts = text.split(" ")
    if not joined.isascii() and len(text.split()) != len(parts):
        return None
    return parts
