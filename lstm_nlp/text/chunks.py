"""Reading a text file in bounded pieces of whole lines, with the checks of :func:`read_lines`.

A corpus of any size is read this way: :func:`iter_chunks` yields about half a megabyte
of whole lines at a time (never the whole file), with the byte-order mark removed and
``\\r\\n`` / lone ``\\r`` turned into ``\\n`` (universal newlines, as text-mode ``open()``
reads them).  A chunk ends with ``\\n`` (a last line without one gets it added), except
inside a line longer than a read, which is cut after a space or tab: no word is ever
split between chunks, and memory stays bounded even for a file that is one long line.
NUL bytes (binary files), unreadable and blank files are one-line :class:`DataError`\\ s
naming the file and line; undecodable bytes are reported by :func:`decode_chunk`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.errors import DataError

CHUNK_BYTES = 1 << 19  # bytes read at a time; a chunk is this plus the rest of its last line
ENCODING_ERRORS = ("strict", "replace", "ignore")
BOM = b"\xef\xbb\xbf"


@dataclass
class TextChunk:
    data: bytes  # whole lines ending in b"\n", or (a line longer than a read) up to a space or tab
    first_line: int  # 1-based number of the line that ``data`` starts in
    column: int = 0  # bytes of that line before ``data`` (0 unless a long line goes on)


def check_policy(encoding_errors: str) -> None:
    if encoding_errors not in ENCODING_ERRORS:
        raise DataError(
            f"data.encoding_errors must be one of {', '.join(ENCODING_ERRORS)}, got "
            f"{encoding_errors!r}"
        )


def _cut(block: bytes) -> int:
    """Length of the longest prefix of ``block`` that ends a line (a final ``\r`` may still get
    its ``\n``), else that ends at a space or tab (words never straddle chunks); 0 if none."""
    line_end = max(block.rfind(b"\n"), block.rfind(b"\r", 0, len(block) - 1)) + 1
    return line_end or max(block.rfind(b" "), block.rfind(b"\t")) + 1


def iter_chunks(path: str | os.PathLike, chunk_bytes: int | None = None) -> Iterator[TextChunk]:
    """The file's text, ``chunk_bytes`` (default :data:`CHUNK_BYTES`) plus the end of a line at a
    time; see the module doc."""
    path, chunk_bytes = Path(path), chunk_bytes or CHUNK_BYTES
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
    with f:
        line, column, blank, pending, first = 1, 0, True, [], True
        while True:
            try:
                block = f.read(max(chunk_bytes, len(BOM)) if first else chunk_bytes)
            except OSError as e:
                raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
            if first and block.startswith(BOM):
                block = block[len(BOM) :] or f.read(chunk_bytes)
            first = False
            cut = _cut(block) if block else len(block)
            if block and cut == 0:  # no line end, space or tab in this block: read on
                pending.append(block)
                continue
            piece = b"".join([*pending, block[:cut]])
            pending = [block[cut:]] if cut < len(block) else []
            if b"\r" in piece:
                piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if (
                not block and piece and not piece.endswith(b"\n")
            ):  # the file's last line lacks its newline
                piece += b"\n"
            nul = piece.find(b"\x00")
            if nul >= 0:
                at = line + piece.count(b"\n", 0, nul)
                raise DataError(f"{path}:{at}: NUL byte; this looks like a binary file, not text")
            blank = blank and not piece.strip()
            if piece:
                yield TextChunk(piece, line, column)
            newlines = piece.count(b"\n")
            line += newlines
            column = len(piece) - piece.rfind(b"\n") - 1 if newlines else column + len(piece)
            if not block:
                break
    if blank:
        raise DataError(
            f"{path}: the file is empty; expected whitespace-separated text, one sentence per line"
        )


def decode_chunk(chunk: TextChunk, path: str | os.PathLike, encoding_errors: str = "strict") -> str:
    """The chunk as text; undecodable bytes are a :class:`DataError` naming file and line under
    ``strict``."""
    try:
        return chunk.data.decode("utf-8", errors=encoding_errors)
    except UnicodeDecodeError as e:
        raise utf8_error(chunk, path, e.start) from None


def utf8_error(chunk: TextChunk, path: str | os.PathLike, offset: int) -> DataError:
    """The error for an undecodable byte at ``offset`` of ``chunk``."""
    newlines = chunk.data.count(b"\n", 0, offset)
    column = offset - chunk.data.rfind(b"\n", 0, offset) - 1 if newlines else chunk.column + offset
    return DataError(
        f"{path}:{chunk.first_line + newlines}: bytes that are not UTF-8 (byte {column + 1} of "
        "the line); fix the file or set data.encoding_errors=replace"
    )


def iter_line_batches(
    path: str | os.PathLike, encoding_errors: str = "strict"
) -> Iterator[list[str]]:
    """The decoded lines of ``path``, a chunk's worth at a time (a line split across two
    chunks is joined again)."""
    rest = ""  # the start of a line that goes on in the next chunk
    for chunk in iter_chunks(path):
        lines = (rest + decode_chunk(chunk, path, encoding_errors)).split("\n")
        rest = lines.pop()
        yield lines
