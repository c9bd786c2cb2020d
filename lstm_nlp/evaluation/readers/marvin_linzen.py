"""``source=marvin_linzen``: Marvin & Linzen 2018's targeted syntactic evaluation set.

Their template files (BeckyMarvin/LM_syneval, ``EMNLP2018/templates/*.pickle``): each a pickled
dict from a condition (``sing_MS_MV``, ``plur_MS_MV_sing_ES``, ...) to a list of tuples
``(good, bad)``, or ``(good, intrusive, bad)`` in the NPI files; read with
:mod:`~lstm_nlp.evaluation.readers.restricted_pickle` (plain data only, nothing run).  The same
content may come as JSONL, one object per line with ``condition``, ``sentence_good``,
``sentence_bad``, optionally ``sentence_intrusive`` and ``idx`` (the tuple's index in its
condition; counted per condition when absent).  A folder means each ``.pickle``/``.jsonl``.

Each file's stem names its template; the template gives the paper's category
(:data:`TEMPLATE_CATEGORIES`, :data:`CATEGORY_LABELS`), the ``_anim``/``_inanim`` files of a
category pooled, with ``animacy`` kept.  Items are sentence pairs (good against bad; the
intrusive-licensor sentence in ``sentence_intrusive``), with ``category``, ``condition``,
``template``, ``idx`` and, where the template has it, ``animacy``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.pairs import PairItem, _jsonl_items
from lstm_nlp.evaluation.readers.lines import (
    decoded_lines,
    existing,
    files_of,
    first_line,
    folder_files,
)
from lstm_nlp.evaluation.readers.restricted_pickle import load_plain
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

SUFFIXES = (".pickle", ".jsonl")
ANIMACY = ("anim", "inanim")
TUPLES = "a list of (good, bad) or (good, intrusive, bad) sentence tuples"
EXPECTED_JSONL = (
    "one JSON object per line with condition, sentence_good, sentence_bad (and optionally "
    "sentence_intrusive, idx)"
)

# the categories of the paper's results (Marvin & Linzen 2018), by key
CATEGORY_LABELS = {
    "simple_agrmt": "simple agreement",
    "sent_comp": "in a sentential complement",
    "vp_coord": "short VP coordination",
    "long_vp_coord": "long VP coordination",
    "prep": "across a prepositional phrase",
    "subj_rel": "across a subject relative clause",
    "obj_rel_across": "across an object relative clause",
    "obj_rel_across_no_that": "across an object relative clause (no that)",
    "obj_rel_within": "within an object relative clause",
    "obj_rel_within_no_that": "within an object relative clause (no that)",
    "simple_reflexives": "reflexives simple",
    "reflexive_sent_comp": "reflexive in a sentential complement",
    "reflexives_across": "reflexive across a relative clause",
    "simple_npi": "NPIs simple",
    "npi_across": "NPIs across a relative clause",
}

# template file stem, its _anim/_inanim suffix removed -> category key
TEMPLATE_CATEGORIES = {
    "simple_agrmt": "simple_agrmt",
    "sent_comp": "sent_comp",
    "vp_coord": "vp_coord",
    "long_vp_coord": "long_vp_coord",
    "prep": "prep",
    "subj_rel": "subj_rel",
    "obj_rel_across": "obj_rel_across",
    "obj_rel_no_comp_across": "obj_rel_across_no_that",
    "obj_rel_within": "obj_rel_within",
    "obj_rel_no_comp_within": "obj_rel_within_no_that",
    "simple_reflexives": "simple_reflexives",
    "reflexive_sent_comp": "reflexive_sent_comp",
    "reflexives_across": "reflexives_across",
    "simple_npi": "simple_npi",
    "npi_across": "npi_across",
    "npi": "npi_across",  # the first release's npi_anim/npi_inanim
}


@EVAL_SOURCES.component("marvin_linzen", "lstm_nlp.evaluation.readers.marvin_linzen:read")
@dataclass
class MarvinLinzenOptions(SourceOptions):
    """``source=marvin_linzen``: Marvin & Linzen 2018's template files (.pickle, read as plain
    data only, or the same as .jsonl; a folder means all of them); results by category."""

    protocol: ClassVar[str] = "marvin_linzen"
    group_by: ClassVar[tuple[str, ...]] = ("category",)
    benchmark: ClassVar[str] = "marvin_linzen"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        files = folder_files(path, SUFFIXES) if path.is_dir() else [path]
        return any(f.suffix == ".pickle" or _first_record_is_ours(f) for f in files)


def _first_record_is_ours(path: Path) -> bool:
    if path.suffix != ".jsonl":
        return False
    try:
        record = json.loads(first_line(path) or "null")
    except ValueError:
        return False
    return isinstance(record, dict) and "condition" in record and "sentence_good" in record


def template_category(stem: str) -> tuple[str, str | None]:
    """The category key and the animacy (``anim``/``inanim``/None) of a template file stem;
    an unknown template is its own category."""
    base, _, last = stem.rpartition("_")
    template, animacy = (base, last) if base and last in ANIMACY else (stem, None)
    return TEMPLATE_CATEGORIES.get(template, template), animacy


def read(options: MarvinLinzenOptions, path: str | os.PathLike) -> TestSet:
    """Every pair of the file, or of each template file of the folder, in file order."""
    files = files_of(existing(path, "marvin_linzen"), SUFFIXES, "marvin_linzen")
    return TestSet([item for file in files for item in read_file(file)], name="marvin_linzen")


def read_file(path: Path) -> list[PairItem]:
    """One template file's pairs, with its category."""
    items = _pickled_items(path) if path.suffix == ".pickle" else _json_items(path)
    if not items:
        raise DataError(f"{path}: no sentence pairs in the file (expected {TUPLES})")
    category, animacy = template_category(path.stem)
    for item in items:
        item.meta.update(category=category, template=path.stem)
        if animacy is not None:
            item.meta["animacy"] = animacy
    return items


def _pickled_items(path: Path) -> list[PairItem]:
    data = load_plain(path)
    if not isinstance(data, dict):
        raise DataError(
            f"{path}: expected a dict from condition to {TUPLES}, got {type(data).__name__}"
        )
    items = []
    for condition, cases in data.items():
        if not isinstance(condition, str) or not isinstance(cases, (list, tuple)):
            raise DataError(
                f"{path}: condition {condition!r}: expected a condition name mapped to {TUPLES}"
            )
        items += [
            _case(case, condition, idx, f"{path}:{condition}:{idx}")
            for idx, case in enumerate(cases)
        ]
    return items


def _case(case: Any, condition: str, idx: int, source: str) -> PairItem:
    if (
        not isinstance(case, (tuple, list))
        or len(case) not in (2, 3)
        or not all(isinstance(s, str) and s.strip() for s in case)
    ):
        raise DataError(
            f"{source}: expected (good, bad) or (good, intrusive, bad) sentences, "
            f"got {_short(case)}"
        )
    meta: dict[str, Any] = {"condition": condition, "idx": idx}
    if len(case) == 3:
        meta["sentence_intrusive"] = case[1]
    return PairItem(good=case[0], bad=case[-1], meta=meta, source=source)


def _short(value: Any, limit: int = 80) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_items(path: Path) -> list[PairItem]:
    items = _jsonl_items(path, decoded_lines(path, EXPECTED_JSONL))
    counts: dict[str, int] = {}
    for item in items:
        if item.prefix is not None:
            raise DataError(
                f"{item.source}: expected sentence_good and sentence_bad, got prefix/good/bad"
            )
        condition = item.meta.get("condition")
        if not isinstance(condition, str) or not condition.strip():
            raise DataError(f"{item.source}: field 'condition' must be a non-empty string")
        idx = item.meta.setdefault("idx", counts.get(condition, 0))
        if not isinstance(idx, int) or isinstance(idx, bool) or idx < 0:
            raise DataError(f"{item.source}: field 'idx' must be an integer >= 0, got {idx!r}")
        counts[condition] = counts.get(condition, 0) + 1
        intrusive = item.meta.get("sentence_intrusive", "x")
        if not isinstance(intrusive, str) or not intrusive.strip():
            raise DataError(f"{item.source}: field 'sentence_intrusive' must be a sentence")
    return items
