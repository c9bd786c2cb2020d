"""``source=linzen``: Linzen, Dupoux & Goldberg 2016's agreement set in language-model form, as
Gulordava et al. 2018 published it (colorlessgreenRNNs' ``data/linzen_testset/``).

``NAME.text`` (lowercased sentences ending in ``<eos>``), ``NAME.gold`` (``target index<TAB>
correct verb<TAB>wrong verb<TAB>number of attractors``) and optionally ``NAME.eval``
(:mod:`~lstm_nlp.evaluation.readers.stream`).  The path is the ``.gold`` file, or a folder: its
every ``NAME.gold`` but ``generated.gold`` (Gulordava's set), each with its ``.text``; with
several, each item's ``file`` is its ``NAME``.  The word at each target index must be the
correct form (a few gold forms are capitalised where the text is lowercased: the text's case
is taken).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.readers.lines import existing, folder_files, integer
from lstm_nlp.evaluation.readers.stream import (
    StreamFiles,
    check_eval,
    gold_rows,
    looks_like_gold,
    target_item,
    text_words,
)
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

COLUMNS = "target index, correct verb, wrong verb, number of attractors"
N_COLUMNS = 4
GULORDAVA_STEM = "generated"  # the colorless-green set's files: source=gulordava reads them


@EVAL_SOURCES.component("linzen", "lstm_nlp.evaluation.readers.linzen_lm:read")
@dataclass
class LinzenOptions(SourceOptions):
    """``source=linzen``: Linzen et al. 2016 in LM form, NAME.text/.gold(/.eval) (the .gold
    file, or a folder of such sets); results by number of attractors."""

    protocol: ClassVar[str] = "linzen"
    group_by: ClassVar[tuple[str, ...]] = ("attractors",)
    benchmark: ClassVar[str] = "linzen"
    targets: ClassVar[str] = "verb"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        golds = gold_files(path) if path.is_dir() else [path]
        return any(looks_like_gold(gold, N_COLUMNS) for gold in golds)


def gold_files(folder: Path) -> list[Path]:
    """A folder's ``NAME.gold`` files, Gulordava's ``generated.gold`` left out."""
    return [p for p in folder_files(folder, (".gold",)) if p.stem != GULORDAVA_STEM]


def read(options: LinzenOptions, path: str | os.PathLike) -> TestSet:
    """Every target of the set(s): prefix pairs over the text, file after file."""
    resolved = existing(path, "linzen")
    golds = gold_files(resolved) if resolved.is_dir() else [resolved]
    if not golds:
        raise DataError(
            f"linzen: folder {str(resolved)!r} has no NAME.gold files (other than "
            f"{GULORDAVA_STEM}.gold, which source=gulordava reads)"
        )
    items: list[PairItem] = []
    text: list[list[str]] = []
    for gold in golds:
        files = StreamFiles.of(gold, "linzen")
        found = _read_set(files, offset=len(text), text=text)
        if len(golds) > 1:
            for item in found:
                item.meta["file"] = files.gold.stem
        items += found
    return TestSet(items, text=text, name="linzen")


def _read_set(files: StreamFiles, offset: int, text: list[list[str]]) -> list[PairItem]:
    """The items of one ``NAME``; its lines are appended to ``text`` (``offset`` lines there)."""
    lines = text_words(files.text)
    rows = gold_rows(files, N_COLUMNS, COLUMNS, len(lines))
    items, targets = [], []
    for k, (target, good, bad, attractors) in enumerate(rows):
        source = f"{files.gold}:{k + 1}"
        targets.append(integer(target, source, "target index", minimum=0))
        meta = {"attractors": integer(attractors, source, "number of attractors")}
        items.append(
            target_item(lines[k], targets[-1], (good, bad), source, line=offset + k, meta=meta)
        )
    check_eval(files, targets)
    text += lines
    return items
