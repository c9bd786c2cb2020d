"""``mode=units``: find the number units, then ablate units one at a time and measure what breaks.

1. The states at the verb position of every item (:func:`verb_states`) rank the units by how well
   they separate plural from singular subjects (:mod:`lstm_nlp.insight.ranking`).
2. Units are ablated one at a time (:mod:`lstm_nlp.insight.ablation`) and the suite is scored again
   (:mod:`lstm_nlp.insight.suffix_scoring`): the drop in agreement accuracy, overall and per
   condition (sg, pl, sg_pl = singular subject with a plural attractor, pl_sg), is the unit's cost.
   Every unit is ablated, or with ``max_units=N`` the ``min(ablate_top, N/2)`` best-ranked ones plus
   a seeded random sample of the others, so that the median over the sample estimates the median
   unit.
3. The units whose ablation lowers accuracy more than the median unit's does are named; so are those
   of them whose drop is significant: an exact one-sided sign (McNemar) test on the items the
   ablation flips (correct -> wrong vs wrong -> correct), Bonferroni-corrected over the ablated
   units.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import torch

from lstm_nlp.insight.agreement_items import AgreementItem
from lstm_nlp.insight.ranking import UnitScore, rank_units
from lstm_nlp.insight.states import Inspectable, read_states

CONDITIONS = ("sg", "pl", "sg_pl", "pl_sg")


@dataclass
class Selection:
    units: list[UnitScore]  # in the order they are ablated
    how: dict[str, str]  # name -> "all" | "top" | "random"
    median_over: list[str]  # names the median drop is taken over


def state_sequences(insp: Inspectable, items: Sequence[AgreementItem]) -> list[list[int]]:
    """``<eos> w1 ... wn`` of each item's good sentence, as ids."""
    eos = insp.eos_id()
    return [[eos, *insp.ids(it.words)] for it in items]


def verb_states(
    insp: Inspectable, items: Sequence[AgreementItem], batch_size: int = 512
) -> list[dict[str, torch.Tensor]]:
    """Per layer, ``{"cell": (items, units), "hidden": ...}`` at each item's verb position (state
    index t)."""
    parts = []
    for begin in range(0, len(items), batch_size):
        chunk = items[begin : begin + batch_size]
        states = read_states(
            insp, state_sequences(insp, chunk), names=("cell", "hidden"), batch_size=batch_size
        )
        where = torch.tensor([it.target for it in chunk], device=insp.device)
        columns = torch.arange(len(chunk), device=insp.device)
        parts.append([{k: layer[k][where, columns].cpu() for k in layer} for layer in states])
    return [
        {k: torch.cat([p[n][k] for p in parts]) for k in ("cell", "hidden")}
        for n in range(insp.num_layers)
    ]


def select_units(
    ranking: list[UnitScore], max_units: int | None, ablate_top: int, seed: int
) -> Selection:
    """Every unit, or the best-ranked ``min(ablate_top, max_units // 2)`` and a seeded sample of the
    rest."""
    if max_units is None or max_units >= len(ranking):
        return Selection(list(ranking), {u.name: "all" for u in ranking}, [u.name for u in ranking])
    top = ranking[: min(ablate_top, max_units // 2)]
    sample = random.Random(seed).sample(ranking[len(top) :], max_units - len(top))
    how = {**{u.name: "top" for u in top}, **{u.name: "random" for u in sample}}
    return Selection(top + sample, how, [u.name for u in sample])


def accuracies(margins: torch.Tensor, conditions: Sequence[str]) -> dict:
    """Accuracy overall and per condition (correct: the good sentence strictly more probable)."""
    correct = margins > 0
    out = {"accuracy": float(correct.double().mean())}
    for cond in ordered_conditions(conditions):
        mask = torch.tensor([c == cond for c in conditions])
        out[cond] = float(correct[mask].double().mean())
    return out


def ordered_conditions(conditions: Iterable[str]) -> list[str]:
    """The conditions present: :data:`CONDITIONS` first, then others (``sg_sg``, ... from a
    test set's own conditions) by name."""
    present = set(conditions)
    return [c for c in CONDITIONS if c in present] + sorted(present - set(CONDITIONS))


def sign_test(lost: int, gained: int) -> float:
    """One-sided exact McNemar (sign) test: P(at least ``lost`` of the ``lost + gained`` flipped
    items flip to wrong, if either way were equally likely)."""
    n = lost + gained
    return sum(math.comb(n, k) for k in range(lost, n + 1)) / 2**n if n else 1.0


def ablate_each(
    selection: Selection,
    score: Callable[[UnitScore], torch.Tensor],
    conditions: Sequence[str],
    baseline: dict,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Score the suite with each selected unit ablated; one record per unit, biggest drop first.

    ``baseline["correct"]``: the intact model's per-item verdicts, to count the items each ablation
    flips (``lost``: correct before, wrong after; ``gained``: the reverse) and test them
    (``p_value``).
    """
    records = []
    for done, unit in enumerate(selection.units, 1):
        margins = score(unit)
        acc, now = accuracies(margins, conditions), margins > 0
        lost, gained = (
            int((baseline["correct"] & ~now).sum()),
            int((~baseline["correct"] & now).sum()),
        )
        record = {
            **unit.to_dict(),
            "selected": selection.how[unit.name],
            "accuracy": acc["accuracy"],
            "drop": baseline["accuracy"] - acc["accuracy"],
            "lost": lost,
            "gained": gained,
            "p_value": sign_test(lost, gained),
            "by_condition": {
                c: {"accuracy": acc[c], "drop": baseline[c] - acc[c]}
                for c in ordered_conditions(conditions)
            },
        }
        records.append(record)
        if progress:
            progress(done, len(selection.units))
    records.sort(key=lambda r: (-r["drop"], r["rank"]))
    return records


def above_median(records: list[dict], median_over: Sequence[str]) -> tuple[float, list[str]]:
    """The median drop over ``median_over``, and the units (biggest drop first) whose drop exceeds
    it."""
    pool = set(median_over)
    median = statistics.median(r["drop"] for r in records if r["name"] in pool)
    return median, [r["name"] for r in records if r["drop"] > median + 1e-12]


def significant(records: list[dict], named: Sequence[str], alpha: float = 0.05) -> list[str]:
    """Of ``named``, the units whose ablation flips significantly more items to wrong than to right
    (sign test, Bonferroni-corrected over every ablated unit)."""
    threshold = alpha / max(1, len(records))
    chosen = set(named)
    return [r["name"] for r in records if r["name"] in chosen and r["p_value"] < threshold]


def run_ablations(
    insp: Inspectable,
    items: Sequence[AgreementItem],
    selection: Selection,
    batch_size: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Baseline and per-unit accuracies, with timings; see :func:`ablate_each`."""
    from lstm_nlp.insight.ablation import LayeredLM, ablated
    from lstm_nlp.insight.states import lstm_weights
    from lstm_nlp.insight.suffix_scoring import SuffixScorer

    start = time.perf_counter()
    lm = LayeredLM(insp.model, lstm_weights(insp.model.encoder))
    scorer = SuffixScorer(
        lm, items, insp.ids, insp.eos_id(), insp.tokenizer.get_vocab_size(), batch_size
    )
    conditions = [it.condition for it in items]
    intact = scorer.margins(0)
    baseline = {**accuracies(intact, conditions), "correct": intact > 0}
    prepared = time.perf_counter()

    def score(unit: UnitScore) -> torch.Tensor:
        with ablated(lm, unit.layer, unit.unit):
            return scorer.margins(from_layer=unit.layer)

    records = ablate_each(selection, score, conditions, baseline, progress)
    seconds = time.perf_counter() - prepared
    median, named = above_median(records, selection.median_over)
    baseline.pop("correct")
    return {
        "baseline": baseline,
        "records": records,
        "median_drop": median,
        "above_median": named,
        "significant": significant(records, named),
        "timing": {
            "prepare_s": round(prepared - start, 3),
            "ablations_s": round(seconds, 3),
            "per_ablation_s": round(seconds / max(1, len(records)), 4),
        },
    }


def rank(
    insp: Inspectable, items: Sequence[AgreementItem], rank_by: str, batch_size: int
) -> list[UnitScore]:
    labels = torch.tensor([it.label == 1 for it in items])
    if labels.all() or not labels.any():
        from lstm_nlp.errors import DataError

        raise DataError("suite: the items need both singular and plural subjects to rank units")
    return rank_units(verb_states(insp, items, batch_size), labels, rank_by)
