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
from lstm_nlp.text.chunks import ENCODING_ERRORS, check_policy, iter_line_batches

SPLITS = ("train", "valid", "test")
LAYOUTS = ("{split}.txt", "ptb.{split}.txt", "wiki.{split}.tokens")
__all__ = ["ENCODING_ERRORS", "SPLITS", "LAYOUTS", "CorpusFiles", "find_splits", "read_lines"]


@dataclass
class CorpusFiles:
    """What a data source hands to a task: one text file per split, plus optional annotations."""

    root: Path
    splits: dict[str, Path]
    annotations: dict[str, Path] = field(
        default_factory=dict
    )  # split -> JSONL, one record per line
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
    ``encoding_errors`` is ``"replace"`` or ``"ignore"``.  For a small file: a corpus split
    is read chunk by chunk instead (:mod:`lstm_nlp.text.chunks`), with the same checks.
    """
    check_policy(encoding_errors)
    return [line for batch in iter_line_batches(path, encoding_errors) for line in batch]
