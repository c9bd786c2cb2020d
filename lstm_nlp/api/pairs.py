"""Minimal pairs in any convenient shape, for :class:`~lstm_nlp.evaluation.scoring.PairScorer`.

An item is a :class:`~lstm_nlp.evaluation.pairs.PairItem`; a ``(good, bad)`` or
``(prefix, good, bad)`` tuple; or a mapping with BLiMP's field names (``sentence_good``,
``sentence_bad``, any more fields are metadata) or ``prefix``/``good``/``bad``.  A path names a
JSONL/TSV file (or a folder of them) as ``lstm-nlp-eval`` reads it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.pairs import PairItem, make_item, read_pairs
from lstm_nlp.evaluation.scoring import ScoringOptions


def pair_items(items: Iterable[Any] | str | os.PathLike) -> list[PairItem]:
    """Every item as a :class:`PairItem` (see the module docstring)."""
    if isinstance(items, (str, os.PathLike)):
        return read_pairs(items)
    return [pair_item(item, f"items[{n}]") for n, item in enumerate(items)]


def pair_item(item: Any, where: str) -> PairItem:
    """One item as a :class:`PairItem`."""
    if isinstance(item, PairItem):
        return item
    if isinstance(item, Mapping):
        return make_item(dict(item), where)
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        if all(isinstance(part, str) for part in item):
            *prefix, good, bad = item
            return PairItem(good, bad, prefix[0] if prefix else None, source=where)
    raise ConfigError(
        f"{where}: a pair is (good, bad), (prefix, good, bad), a PairItem or a mapping with "
        f"sentence_good/sentence_bad or prefix/good/bad; got {type(item).__name__}"
    )


def scoring_options(options: Mapping[str, Any]) -> ScoringOptions:
    """:class:`ScoringOptions` from keyword arguments; an unknown name is one line."""
    known = list(ScoringOptions.__dataclass_fields__)
    unknown = [name for name in options if name not in known]
    if unknown:
        raise ConfigError(f"{unknown[0]} is not a scoring option; known: {', '.join(known)}")
    return ScoringOptions(**options)
