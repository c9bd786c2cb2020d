"""A SyntaxGym suite file read into items of conditions of regions, with one-line errors.

The native format (one JSON object a file)::

    {"meta": {"name": "number_prep", "metric": "sum", ...},
     "region_meta": {"1": "Subject", "2": "Verb", ...},
     "predictions": [{"type": "formula", "formula": "(2;%mismatch%) > (2;%match%)"}],
     "items": [{"item_number": 1,
                "conditions": [{"condition_name": "match",
                                "regions": [{"region_number": 1, "content": "The woman"}, ...]},
                               ...]},
               ...]}

Conditions are looked up by name (their order changes between items); a region's content may
be empty.  The suites of Hu et al. (2020)'s repository keep their formulas in
``meta.string_predictions`` and leave ``predictions`` empty: those are read when
``predictions`` is empty or missing.  Every formula is parsed, and each of its terms checked
against ``region_meta`` and every item, when the file is read.  A condition's regions must be
numbered 1, 2, ... n (in any order in the file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.syntaxgym.circuits import circuit_of
from lstm_nlp.evaluation.syntaxgym.formula import FormulaError, Node, parse, terms

Words = Callable[[str], list[str]]  # a region's text -> its words (str.split, or normalize)


@dataclass
class GymCondition:
    """One condition of an item: ``regions[i]`` is the content of region number ``i + 1``."""

    name: str
    regions: list[str]

    @property
    def sentence(self) -> str:
        """The non-empty regions, stripped, joined by single spaces."""
        return " ".join(r.strip() for r in self.regions if r.strip())

    def region_words(self, normalize_fn: Words = str.split) -> list[list[str]]:
        return [normalize_fn(r.strip()) if r.strip() else [] for r in self.regions]

    def words(self, normalize_fn: Words = str.split) -> list[str]:
        """The sentence's words, region by region."""
        return [w for words in self.region_words(normalize_fn) for w in words]

    def region_spans(self, normalize_fn: Words = str.split) -> dict[int, tuple[int, int]]:
        """Region number -> ``(start, stop)``: its words in :meth:`words` (empty: start == stop)."""
        spans, start = {}, 0
        for number, words in enumerate(self.region_words(normalize_fn), 1):
            spans[number] = (start, start + len(words))
            start += len(words)
        return spans


@dataclass
class GymItem:
    """One item of a suite: its conditions by name; ``meta`` has suite, circuit, item_number."""

    suite: str
    item_number: int
    conditions: dict[str, GymCondition]
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # "file: item N"


@dataclass
class Suite:
    """A suite: its parsed predictions (all must hold for an item to pass) and its items."""

    name: str
    circuit: str
    predictions: list[Node]
    region_labels: dict[int, str]
    items: list[GymItem]
    formulas: list[str] = field(default_factory=list)  # the predictions as written
    path: str = ""


def read_suite(path: str | os.PathLike) -> Suite:
    """The suite in ``path``; a :class:`DataError` naming the file (and item) when malformed."""
    path = Path(path).expanduser()
    record = _load(path)
    meta = _get(record, "meta", dict, path, default={})
    name = meta.get("name") if isinstance(meta.get("name"), str) else None
    name = (name or path.stem).strip()
    labels = _region_labels(path, _get(record, "region_meta", dict, path))
    where, formulas = _formulas(path, record, meta)
    predictions = [_parse(path, f"{where}[{i}]", text) for i, text in enumerate(formulas)]
    raw_items = _get(record, "items", list, path)
    if not raw_items:
        raise DataError(f"{path}: 'items' is empty (expected a list of items with conditions)")
    meta_of = {"suite": name, "circuit": circuit_of(name)}
    items = [_item(path, raw, meta_of) for raw in raw_items]
    _check_terms(path, predictions, where, labels, items)
    return Suite(name, meta_of["circuit"], predictions, labels, items, formulas, str(path))


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{path}:{line}: bytes that are not UTF-8; save the file as UTF-8"
        ) from None
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}:{e.colno}: invalid JSON ({e.msg})") from None
    if not isinstance(record, dict):
        raise DataError(
            f"{path}: expected a SyntaxGym suite (a JSON object with meta, "
            f"region_meta, predictions and items), got {type(record).__name__}"
        )
    return record


def _get(obj: dict, key: str, kind: type, where: Any, default: Any = None) -> Any:
    """``obj[key]``, which must be a ``kind`` (missing: ``default``, or an error when None)."""
    if key not in obj and default is not None:
        return default
    if key not in obj:
        raise DataError(f"{where}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DataError(f"{where}: {key!r} must be {_KINDS[kind]}, got {json.dumps(value)[:60]}")
    return value


_KINDS = {dict: "an object", list: "a list", str: "a string", int: "an integer"}


def _region_labels(path: Path, region_meta: dict) -> dict[int, str]:
    if not all(isinstance(k, str) and k.strip().isdigit() for k in region_meta):
        raise DataError(f'{path}: \'region_meta\' keys must be region numbers ("1", "2", ...)')
    return {int(k): str(v) for k, v in sorted(region_meta.items(), key=lambda kv: int(kv[0]))}


def _formulas(path: Path, record: dict, meta: dict) -> tuple[str, list[str]]:
    """Where the formulas are (``predictions`` or ``meta.string_predictions``) and their text."""
    predictions = _get(record, "predictions", list, path, default=[])
    if predictions:
        for i, p in enumerate(predictions):
            if not isinstance(p, dict) or p.get("type", "formula") != "formula":
                raise DataError(
                    f"{path}: predictions[{i}] must be an object with "
                    '"type": "formula" and a "formula"'
                )
            _get(p, "formula", str, f"{path}: predictions[{i}]")
        return "predictions", [p["formula"] for p in predictions]
    strings = _get(meta, "string_predictions", list, f"{path}: meta", default=[])
    if not strings:
        raise DataError(
            f'{path}: no predictions (expected "predictions": '
            '[{"type": "formula", "formula": "(2;%bad%) > (2;%good%)"}])'
        )
    if not all(isinstance(s, str) for s in strings):
        raise DataError(f"{path}: meta.string_predictions must be a list of formula strings")
    return "meta.string_predictions", list(strings)


def _parse(path: Path, where: str, text: str) -> Node:
    try:
        return parse(text)
    except FormulaError as e:
        raise DataError(f"{path}: {where}: {e}") from None


def _item(path: Path, raw: Any, meta_of: dict[str, str]) -> GymItem:
    if not isinstance(raw, dict):
        raise DataError(f"{path}: every item must be an object, got {json.dumps(raw)[:60]}")
    number = _get(raw, "item_number", int, f"{path}: an item")
    where = f"{path}: item {number}"
    conditions: dict[str, GymCondition] = {}
    for raw_condition in _get(raw, "conditions", list, where):
        condition = _condition(where, raw_condition)
        if condition.name in conditions:
            raise DataError(f"{where}: condition {condition.name!r} appears twice")
        conditions[condition.name] = condition
    if not conditions:
        raise DataError(f"{where}: no conditions")
    meta = {**meta_of, "item_number": number}
    return GymItem(meta_of["suite"], number, conditions, meta, where)


def _condition(where: str, raw: Any) -> GymCondition:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: every condition must be an object with condition_name, regions")
    name = _get(raw, "condition_name", str, where)
    where = f"{where}, condition {name!r}"
    regions = {}
    for region in _get(raw, "regions", list, where):
        if not isinstance(region, dict):
            raise DataError(f"{where}: every region must be an object with region_number, content")
        number = _get(region, "region_number", int, where)
        if number in regions:
            raise DataError(f"{where}: region {number} appears twice")
        regions[number] = _get(region, "content", str, f"{where}, region {number}")
    if sorted(regions) != list(range(1, len(regions) + 1)):
        raise DataError(
            f"{where}: regions must be numbered 1 to {len(regions)}, got "
            f"{', '.join(map(str, sorted(regions))) or 'none'}"
        )
    condition = GymCondition(name, [regions[n] for n in sorted(regions)])
    if not condition.sentence:
        raise DataError(f"{where}: every region is empty (no words to score)")
    return condition


def _check_terms(
    path: Path, predictions: list[Node], where: str, labels: dict[int, str], items: list[GymItem]
) -> None:
    """Every term's region is in ``region_meta``, and its condition and region in every item."""
    for i, prediction in enumerate(predictions):
        for region, name in terms(prediction):
            if labels and region not in labels:
                raise DataError(
                    f"{path}: {where}[{i}] names region {region}, which region_meta "
                    f"lacks (regions: {', '.join(map(str, labels))})"
                )
            for item in items:
                condition = item.conditions.get(name)
                if condition is None:
                    raise DataError(
                        f"{item.source}: no condition {name!r}, which {where}[{i}] "
                        f"names (conditions: {', '.join(item.conditions)})"
                    )
                if not 1 <= region <= len(condition.regions):
                    raise DataError(
                        f"{item.source}, condition {name!r}: no region {region}, "
                        f"which {where}[{i}] names"
                    )
