"""Published accuracies of LSTM language models on the syntax benchmarks: the "published"
column of evaluation tables.

The numbers live in ``published.json`` beside this module (package data), one entry per number,
each with its citation: ``benchmark`` (blimp, marvin_linzen, gulordava, linzen, lakretz,
syntaxgym), ``group`` (the metadata field the number is for: ``UID``, ``category``,
``attractors``, ...; ``overall`` for a whole-set number), ``group_value`` (that field's value;
``""`` for ``overall``), ``value`` (accuracy, 0-1), ``model``, ``citation`` and an optional
``note``.  A paper with several LSTM figures has one entry per figure, told apart by ``model``;
the file's ``headline`` names each benchmark's reference model.

Group values are matched as the evaluation report writes them (:func:`group_text`: a string as
it is, anything else as JSON text, ``2``, ``true``), case, ``-`` and spaces aside; SyntaxGym's
circuits also by their long names (``garden-path effects`` is ``garden_path``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

BENCHMARKS = ("blimp", "marvin_linzen", "gulordava", "linzen", "lakretz", "syntaxgym")
OVERALL = "overall"  # the group of a whole-set number (its group value is "")
FILE = "published.json"
ALIASES = {  # a long name of a group value -> the key the table uses
    "garden_path_effects": "garden_path",
    "long_distance_dependencies": "long_distance",
}


@dataclass(frozen=True)
class Published:
    """One published number."""

    benchmark: str
    group: str
    group_value: str  # as the report writes it (:func:`group_text`)
    value: float  # accuracy, 0-1
    model: str
    citation: str
    note: str = ""
    headline: bool = False  # the benchmark's headline model


def group_text(value: Any) -> str:
    """A group value as the evaluation report writes it: a string as it is, else JSON text."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _key(value: Any) -> str:
    text = group_text(value).strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(text, text)


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], tuple[Published, ...]]:
    data = json.loads(
        resources.files("lstm_nlp.evaluation").joinpath(FILE).read_text(encoding="utf-8")
    )
    headline = dict(data["headline"])
    entries = tuple(
        Published(
            benchmark=e["benchmark"],
            group=e["group"],
            group_value=group_text(e["group_value"]),
            value=float(e["value"]),
            model=e["model"],
            citation=e["citation"],
            note=e.get("note", ""),
            headline=headline.get(e["benchmark"]) == e["model"],
        )
        for e in data["entries"]
    )
    return headline, entries


def load() -> list[Published]:
    """Every published number, in the file's order (read once)."""
    return list(_table()[1])


def headline_model(benchmark: str) -> str | None:
    """The model whose numbers a table shows for ``benchmark`` by default."""
    return _table()[0].get(benchmark)


def entries(benchmark: str, group: str | None = None, value: Any = None) -> list[Published]:
    """The numbers of ``benchmark`` (every model), for ``group`` and its ``value`` when given."""
    return [
        p
        for p in _table()[1]
        if p.benchmark == benchmark
        and (group is None or p.group == group)
        and (value is None or _key(p.group_value) == _key(value))
    ]


def lookup(benchmark: str, group: str, value: Any, model: str | None = None) -> Published | None:
    """The number for ``group`` = ``value`` (the report's text, ``2``, ``agreement``): of
    ``model`` when given, else the headline model's, else the first listed (None: none)."""
    found = entries(benchmark, group, value)
    if model is not None:
        return next((p for p in found if p.model == model), None)
    return next((p for p in found if p.headline), found[0] if found else None)


def headline(benchmark: str, group: str, value: Any) -> Published | None:
    """The headline model's number for ``group`` = ``value`` (None when it has none)."""
    return next((p for p in entries(benchmark, group, value) if p.headline), None)


def overall(benchmark: str, model: str | None = None) -> Published | None:
    """The whole-set number (BLiMP's mean over paradigms, SyntaxGym's SG score), where the
    papers give one: of ``model``, else of the headline model."""
    return lookup(benchmark, OVERALL, "", model)
