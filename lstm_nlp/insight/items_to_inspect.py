"""The items ``mode=units`` and ``mode=probe`` inspect: read from a test set in any source's
format (:mod:`lstm_nlp.insight.source_items`) or generated from the grammar
(:mod:`lstm_nlp.insight.agreement_items`), only those whose words the model knows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.insight.agreement_items import (
    VERB_CATEGORIES,
    AgreementItem,
    generate_suite,
    run_grammar,
)
from lstm_nlp.insight.source_items import read_source


def in_vocabulary(
    items: Sequence[AgreementItem], vocabulary: frozenset[str]
) -> tuple[list[AgreementItem], int]:
    """The items whose words (both verb forms too) are all known; and how many were not."""
    kept = [it for it in items if all(w in vocabulary for w in it.words) and it.bad in vocabulary]
    return kept, len(items) - len(kept)


def load_items(
    path: str | None,
    source: dict,
    vocabulary: frozenset[str],
    checkpoint: Path,
    categories: Sequence[str] | None,
    n_per_cell: int,
    max_attractors: int,
    seed: int | None,
) -> tuple[list[AgreementItem], dict]:
    """The items to inspect (read from ``path`` in ``source``'s format, or generated) and a
    report of where they came from and what was skipped."""
    if path is not None:
        items, skipped, name = read_source(source, path, categories)
        origin: dict[str, Any] = {"path": str(path), "source": name}
    else:
        categories = categories or VERB_CATEGORIES
        run_seed, grammar = run_grammar(checkpoint)
        seed = run_seed if seed is None else seed
        items, skipped = (
            generate_suite(vocabulary, categories, n_per_cell, max_attractors, seed, grammar),
            Counter(),
        )
        origin = {
            "generated": {
                "categories": list(categories),
                "n_per_cell": n_per_cell,
                "max_attractors": max_attractors,
                "seed": seed,
            }
        }
    read = len(items) + sum(skipped.values())
    items, oov = in_vocabulary(items, vocabulary)
    if oov:
        skipped["unknown_words"] += oov
    if not items:
        reasons = ", ".join(f"{k} {n}" for k, n in skipped.items()) or "none generated"
        raise DataError(
            "path: no agreement pair (one word apart, the subject's number known) with only "
            f"known words ({read} read; skipped: {reasons})"
        )
    report = {
        **origin,
        "read": read,
        "used": len(items),
        "skipped": dict(skipped),
        "conditions": dict(Counter(it.condition for it in items)),
    }
    return items, report
