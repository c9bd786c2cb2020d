"""``source=blimp``: BLiMP (Warstadt et al. 2020), one JSONL file per paradigm as
alexwarstadt/blimp's ``data/`` has them.

Each line is a JSON object with ``sentence_good`` and ``sentence_bad`` and the paradigm's
fields (``UID``, ``linguistics_term``, ``field``, ``pairID``, ``one_prefix_method``,
``simple_LM_method``, ...): a sentence pair whose every other field is metadata.  A folder
means each of its ``.jsonl`` files, sorted by name (the paradigm is each item's ``UID``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem, _jsonl_items
from lstm_nlp.evaluation.readers.lines import (
    decoded_lines,
    existing,
    files_of,
    first_line,
    folder_files,
)
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

EXPECTED = "one JSON object per line with sentence_good, sentence_bad, UID and linguistics_term"
REQUIRED = ("UID", "linguistics_term")  # the default groups


@EVAL_SOURCES.component("blimp", "lstm_nlp.evaluation.readers.blimp:read")
@dataclass
class BlimpOptions(SourceOptions):
    """``source=blimp``: BLiMP's JSONL files (one per paradigm; a folder means all of them);
    results by paradigm (UID) and phenomenon (linguistics_term)."""

    protocol: ClassVar[str] = "blimp"
    group_by: ClassVar[tuple[str, ...]] = REQUIRED
    benchmark: ClassVar[str] = "blimp"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        files = folder_files(path, (".jsonl",)) if path.is_dir() else [path]
        return any(f.suffix == ".jsonl" and _first_record_is_blimp(f) for f in files)


def _first_record_is_blimp(path: Path) -> bool:
    try:
        record = json.loads(first_line(path) or "null")
    except ValueError:
        return False
    return isinstance(record, dict) and "sentence_good" in record and "UID" in record


def read(options: BlimpOptions, path: str | os.PathLike) -> TestSet:
    """Every pair of the file, or of each ``.jsonl`` file of the folder, in file order."""
    files = files_of(existing(path, "blimp"), (".jsonl",), "blimp")
    return TestSet([item for file in files for item in read_file(file)], name="blimp")


def read_file(path: Path) -> list[PairItem]:
    """One paradigm's pairs; each line a sentence pair with the paradigm's fields."""
    items = _jsonl_items(path, decoded_lines(path, EXPECTED))
    for item in items:
        if item.prefix is not None:
            raise DataError(
                f"{item.source}: expected sentence_good and sentence_bad (BLiMP's "
                "sentence pairs), got prefix/good/bad"
            )
        missing = [key for key in REQUIRED if key not in item.meta]
        if missing:
            raise DataError(f"{item.source}: missing field {missing[0]!r} (expected {EXPECTED})")
    return items
