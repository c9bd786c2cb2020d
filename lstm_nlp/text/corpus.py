"""Corpus folders in the PTB / WikiText layout, read with clear errors.

A corpus folder holds one file per split, found under any of these names:
``train.txt``/``valid.txt``/``test.txt``, ``ptb.train.txt``/..., ``wiki.train.tokens``/...
Text is whitespace-tokenised; every line (empty ones too) ends with one ``<eos>``,
exactly as pytorch/examples' ``data.py`` reads it, so perplexities stay comparable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from lstm_nlp.errors import DataError

SPLITS = ("train", "valid", "test")
LAYOUTS = ("{split}.txt", "ptb.{split}.txt", "wiki.{split}.tokens")
ENCODING_ERRORS = ("strict", "replace", "ignore")


@dataclass
class CorpusFiles:
    """What a data source hands to a task: one text file per split, plus optional annotations."""

    root: Path
    splits: dict[str, Path]
    annotations: dict[str, Path] = field(default_factory=dict)  # split -> JSONL, one record per line
    name: str = "corpus"


def find_splits(folder: str | os.PathLike, splits: tuple[str, ...] = SPLITS) -> dict[str, Path]:
    """Locate each split's file in ``folder``; a missing folder or split is a :class:`DataError`."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(f"data.path: corpus folder {str(root)!r} does not exist or is not a folder")
    found: dict[str, Path] = {}
    for split in splits:
        candidates = [root / layout.format(split=split) for layout in LAYOUTS]
        existing = [p for p in candidates if p.is_file()]
        if not existing:
            names = " or ".join(p.name for p in candidates)
            raise DataError(f"{root}: missing the {split} split (expected {names})")
        found[split] = existing[0]
    return found


def read_lines(path: str | os.PathLike, encoding_errors: str = "strict") -> list[str]:
    """Read a text file as lines (universal newlines, BOM removed), refusing binary or empty files.

    Undecodable bytes raise a :class:`DataError` naming file and line unless
    ``encoding_errors`` is ``"replace"`` or ``"ignore"``.
    """
    path = Path(path)
    if encoding_errors not in ENCODING_ERRORS:
        raise DataError(f"data.encoding_errors must be one of {', '.join(ENCODING_ERRORS)}, got {encoding_errors!r}")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; expected whitespace-separated text, one sentence per line")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DataError(f"{path}:{line}: NUL byte; this looks like a binary file, not text")
    try:
        text = raw.decode("utf-8", errors=encoding_errors)
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{path}:{line}: bytes that are not UTF-8 (at byte {e.start}); "
            f"fix the file or set data.encoding_errors=replace"
        ) from None
    # Universal newlines, as text-mode open() does: \r\n and lone \r end a line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
