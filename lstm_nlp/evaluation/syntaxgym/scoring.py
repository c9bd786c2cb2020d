"""Scoring SyntaxGym items from word surprisals: region sums, then the suite's predictions.

The model side gives ``surprisals(sentences) -> values``: for each sentence of ``n`` words,
``n + 1`` numbers, the surprisal in bits of each word given the words before it, then that of
the final ``<eos>``.  Every condition of every item goes to it in **one** call.  SyntaxGym's
protocol then:

* the first word's surprisal counts as 0 (SyntaxGym's models had no start symbol);
* a region's surprisal is the sum over its words (an empty region: 0);
* the ``<eos>`` surprisal is added to the **last non-empty** region: it is where the sentence
  ends (an empty last region holds no word for it to follow);
* an item is correct when every prediction of its suite holds.

A :class:`GymScore` carries the attribute names of
:class:`~lstm_nlp.evaluation.scoring.ItemScore` that reports read (``correct``, ``excluded``,
``oov``, ...), those without a meaning here left empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from lstm_nlp.evaluation.syntaxgym.formula import evaluate
from lstm_nlp.evaluation.syntaxgym.suite import GymCondition, GymItem, Suite, Words

Surprisals = Callable[[list[list[str]]], Sequence[Sequence[float]]]


@dataclass
class GymScore:
    """One item's result: each prediction's verdict and each condition's region surprisals."""

    correct: bool | None = None
    excluded: str | None = None  # never set here; the reports' name for a skipped item
    regions: dict[str, dict[int, float]] = field(default_factory=dict)  # condition -> region
    predictions: list[bool] = field(default_factory=list)  # in the suite's order
    good: float | None = None  # ItemScore's names, without a meaning for a suite item
    bad: float | None = None
    compared: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    oov: list[str] = field(default_factory=list)
    good_tokens: int = 0
    bad_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score_items(
    suites: Mapping[str, Suite],
    items: Sequence[GymItem],
    surprisals: Surprisals,
    normalize_fn: Words = str.split,
) -> list[GymScore]:
    """Each item's :class:`GymScore`; ``suites`` by name (``TestSet.info["suites"]``)."""
    missing = sorted({item.suite for item in items} - set(suites))
    if missing:
        raise ValueError(f"score_items: no suite named {missing[0]!r} among {sorted(suites)}")
    conditions = [c for item in items for c in item.conditions.values()]
    sentences = [c.words(normalize_fn) for c in conditions]
    values = list(surprisals(sentences)) if sentences else []
    _check_lengths(sentences, values)
    regions = iter(
        region_surprisals(c, v, normalize_fn) for c, v in zip(conditions, values, strict=True)
    )
    scores = []
    for item in items:
        by_name = {name: next(regions) for name in item.conditions}
        verdicts = verdicts_of(suites[item.suite], by_name)
        scores.append(GymScore(correct=all(verdicts), regions=by_name, predictions=verdicts))
    return scores


def verdicts_of(suite: Suite, regions: dict[str, dict[int, float]]) -> list[bool]:
    """Whether each of the suite's predictions holds, given condition -> region surprisals."""
    return [evaluate(p, lambda region, name: regions[name][region]) for p in suite.predictions]


def region_surprisals(
    condition: GymCondition, values: Sequence[float], normalize_fn: Words = str.split
) -> dict[int, float]:
    """Region number -> surprisal (bits), from the ``n + 1`` values of the condition's words."""
    spans = condition.region_spans(normalize_fn)
    n = len(values) - 1
    per_word = [0.0] + [float(v) for v in values[1:n]] if n > 0 else []
    sums = {number: sum(per_word[start:stop], 0.0) for number, (start, stop) in spans.items()}
    filled = [number for number, (start, stop) in spans.items() if stop > start]
    if filled:
        sums[filled[-1]] += float(values[n])
    return sums


def _check_lengths(sentences: list[list[str]], values: list[Sequence[float]]) -> None:
    if len(values) != len(sentences):
        raise ValueError(
            f"surprisals: {len(values)} results for {len(sentences)} sentences (one each)"
        )
    for words, row in zip(sentences, values):
        if len(row) != len(words) + 1:
            raise ValueError(
                f"surprisals: {len(row)} values for the {len(words)} words of "
                f"{' '.join(words)!r} (expected one per word, then the <eos>)"
            )
