"""``source=lakretz``: Lakretz et al. 2019's number-agreement stimuli
(FAIRNS/Number_and_syntax_units_in_LSTM_LMs), in either of their two tab-separated ``.txt``
layouts, told apart by the rows' shape:

* the NA task files (``datasets/NA_tasks/*.txt``), no header: ``sentence<TAB>condition<TAB>
  correct|wrong<TAB>id``; the sentence stops at the verb, the condition is the number of the
  subject (then of the attractor), ``singular_plural``; two rows per id, the correct verb's
  and the wrong verb's, identical up to their last word;
* the generator's output (``generate_NA_task.pl``, as in ``Data/Stimuli/nounpp.txt``):
  ``template<TAB>sentence<TAB>`` the number of each noun phrase, one column each, then the
  other form of each verb, in order; the sentence stops at its main verb, whose other form is
  the last column.

Each item is a prefix pair: the words before the verb, the correct verb against the wrong one,
with ``condition`` (the numbers joined by ``_``) and ``congruent`` (all numbers equal), and
``id`` or ``template``.  A folder means each of its ``.txt`` files (``file``: its stem).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.readers.lines import (
    existing,
    files_of,
    first_line,
    folder_files,
    numbered_lines,
)
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

SUFFIXES = (".txt",)
NUMBERS = ("singular", "plural")
VERDICTS = ("correct", "wrong")
TASK = "sentence<TAB>condition<TAB>correct|wrong<TAB>id"
GENERATED = "template<TAB>sentence<TAB>each noun phrase's number<TAB>each verb's other form"
EXPECTED = f"{TASK} (the NA tasks) or {GENERATED} (the generated stimuli)"

Side = tuple[int, list[str], str]  # a task row: its line, its words, its condition


@EVAL_SOURCES.component("lakretz", "lstm_nlp.evaluation.readers.lakretz:read")
@dataclass
class LakretzOptions(SourceOptions):
    """``source=lakretz``: Lakretz et al. 2019's number-agreement stimuli (the NA task files or
    the generated ones; a folder means each .txt file); results by condition and congruence."""

    protocol: ClassVar[str] = "lakretz"
    group_by: ClassVar[tuple[str, ...]] = ("file+condition", "congruent")
    benchmark: ClassVar[str] = "lakretz"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        files = folder_files(path, SUFFIXES) if path.is_dir() else [path]
        return any(f.suffix in SUFFIXES and _kind((first_line(f) or "").split("\t")) for f in files)


def _kind(parts: list[str]) -> str | None:
    """``"task"`` or ``"generated"`` by a row's shape; None for neither."""
    parts = [p.strip() for p in parts]
    if len(parts) == 4 and parts[2] in VERDICTS and _is_condition(parts[1]):
        return "task"
    if len(parts) >= 4 and parts[2] in NUMBERS:
        return "generated"
    return None


def _is_condition(text: str) -> bool:
    return all(number in NUMBERS for number in text.split("_"))


def _congruent(condition: str) -> bool:
    return len(set(condition.split("_"))) == 1


def read(options: LakretzOptions, path: str | os.PathLike) -> TestSet:
    """Every pair of the file, or of each ``.txt`` file of the folder, in file order."""
    resolved = existing(path, "lakretz")
    items = []
    for file in files_of(resolved, SUFFIXES, "lakretz"):
        found = read_file(file)
        for item in found:  # nounpp's published numbers are not the other files'
            item.meta["file"] = file.stem
        items += found
    return TestSet(items, name="lakretz")


def read_file(path: Path) -> list[PairItem]:
    """One file's pairs, in the layout of its first row."""
    rows = [(n, line.split("\t")) for n, line in numbered_lines(path, EXPECTED)]
    kind = _kind(rows[0][1])
    if kind is None:
        raise DataError(f"{path}:{rows[0][0]}: expected {EXPECTED}")
    if kind == "generated":
        return [_generated_item(parts, f"{path}:{n}") for n, parts in rows]
    return _task_items(path, rows)


def _task_items(path: Path, rows: list[tuple[int, list[str]]]) -> list[PairItem]:
    """The NA task layout: the rows paired by id (in order of first appearance)."""
    sides: dict[str, dict[str, Side]] = {}
    for n, parts in rows:
        sentence, condition, verdict, ident = _task_cells(parts, f"{path}:{n}")
        pair = sides.setdefault(ident, {})
        if verdict in pair:
            raise DataError(
                f"{path}:{n}: a second {verdict!r} row for id {ident!r} (the first "
                f"is line {pair[verdict][0]}; expected two rows per id)"
            )
        pair[verdict] = (n, sentence.split(), condition)
    return [_task_item(path, ident, pair) for ident, pair in sides.items()]


def _task_cells(parts: list[str], source: str) -> list[str]:
    cells = [p.strip() for p in parts]
    if len(cells) != 4:
        raise DataError(f"{source}: {len(cells)} tab-separated columns, expected 4: {TASK}")
    sentence, condition, verdict, ident = cells
    if verdict not in VERDICTS:
        raise DataError(f"{source}: third column {verdict!r}, expected correct or wrong")
    if not _is_condition(condition):
        raise DataError(
            f"{source}: condition {condition!r}, expected singular or plural for "
            "each noun, joined by _ (singular_plural)"
        )
    if not sentence or not ident:
        raise DataError(f"{source}: an empty sentence or id (expected {TASK})")
    return cells


def _task_item(path: Path, ident: str, pair: dict[str, Side]) -> PairItem:
    if len(pair) == 1:
        ((verdict, (n, _, _)),) = pair.items()
        other = "wrong" if verdict == "correct" else "correct"
        raise DataError(
            f"{path}:{n}: id {ident!r} has no {other!r} row (expected two rows per "
            "id, the correct verb's and the wrong verb's)"
        )
    (good_n, good, condition), (bad_n, bad, bad_condition) = pair["correct"], pair["wrong"]
    both = f"{path}:{good_n} and {path}:{bad_n}"
    if good[:-1] != bad[:-1] or condition != bad_condition:
        raise DataError(
            f"{both}: the correct and the wrong row of id {ident!r} differ before "
            "their last word (or in condition); expected the same prefix"
        )
    if good[-1] == bad[-1]:
        raise DataError(f"{both}: both rows of id {ident!r} end in {good[-1]!r}")
    meta = {"condition": condition, "congruent": _congruent(condition), "id": ident}
    return PairItem(good[-1], bad[-1], " ".join(good[:-1]), meta, f"{path}:{min(good_n, bad_n)}")


def _generated_item(parts: list[str], source: str) -> PairItem:
    cells = [p.strip() for p in parts]
    count = next((i for i, c in enumerate(cells[2:]) if c not in NUMBERS), len(cells) - 2)
    numbers, others = cells[2 : 2 + count], cells[2 + count :]
    words = cells[1].split() if len(cells) > 1 else []
    if not cells[0] or len(words) < 2 or not numbers or not others:
        raise DataError(f"{source}: expected {GENERATED} (at least 4 columns)")
    if any(len(other.split()) != 1 for other in others):
        raise DataError(
            f"{source}: expected one word for each verb's other form, got {' | '.join(others)!r}"
        )
    if words[-1] == others[-1]:
        raise DataError(
            f"{source}: the sentence ends in {words[-1]!r}, its last column's form "
            "too (expected the sentence to stop at its main verb)"
        )
    condition = "_".join(numbers)
    meta = {"template": cells[0], "condition": condition, "congruent": _congruent(condition)}
    return PairItem(words[-1], others[-1], " ".join(words[:-1]), meta, source)
