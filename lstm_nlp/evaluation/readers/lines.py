"""File helpers the benchmark readers share: a path checked, a folder's files, a file's lines
decoded (with :mod:`lstm_nlp.evaluation.pairs`' one-line errors), tab-separated cells, and a
cheap peek at a first line for ``recognises``."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import decoded_lines

PEEK_BYTES = 1 << 16  # recognises() reads at most this much of a file


def existing(path: str | os.PathLike, source: str) -> Path:
    """``path`` expanded; a :class:`DataError` naming the source when it does not exist."""
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise DataError(f"{source}: {str(resolved)!r} does not exist")
    return resolved


def folder_files(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    """The folder's own files with one of ``suffixes``, sorted by name."""
    wanted = tuple(suffixes)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(wanted))


def files_of(path: Path, suffixes: Iterable[str], source: str) -> list[Path]:
    """``[path]`` for a file; a folder's files with one of ``suffixes`` (at least one)."""
    if not path.is_dir():
        return [path]
    files = folder_files(path, suffixes)
    if not files:
        raise DataError(f"{source}: folder {str(path)!r} has no {' or '.join(suffixes)} files")
    return files


def numbered_lines(path: Path, expected: str) -> list[tuple[int, str]]:
    """The file's non-blank lines with their 1-based numbers."""
    return [(n, line) for n, line in enumerate(decoded_lines(path, expected), 1) if line.strip()]


def aligned_lines(path: Path, expected: str) -> list[str]:
    """Every line of a line-aligned file (line k of one file goes with line k of another):
    blank lines at the end are dropped, a blank line before the end is an error."""
    lines = decoded_lines(path, expected)
    while lines and not lines[-1].strip():
        lines.pop()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            raise DataError(f"{path}:{number}: a blank line (expected {expected})")
    return lines


def cells(line: str, source: str, count: int, expected: str) -> list[str]:
    """The ``count`` tab-separated cells of a line, each stripped of surrounding spaces."""
    parts = [part.strip() for part in line.split("\t")]
    if len(parts) != count:
        raise DataError(f"{source}: {len(parts)} tab-separated columns, expected {expected}")
    return parts


def integer(text: str, source: str, what: str, minimum: int | None = None) -> int:
    """``text`` as an integer (``minimum`` or more); else a :class:`DataError` naming ``what``."""
    try:
        value = int(text)
    except ValueError:
        raise DataError(f"{source}: {what} {text!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise DataError(f"{source}: {what} {value} is below {minimum}")
    return value


def first_line(path: Path) -> str | None:
    """The first non-blank line of a file (at most :data:`PEEK_BYTES` read), or None."""
    try:
        with path.open("rb") as f:
            head = f.read(PEEK_BYTES)
    except OSError:
        return None
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    return next((line for line in text.splitlines() if line.strip()), None)
