"""Agreement items for ``mode=units`` and ``mode=probe`` from any evaluation source
(``source=NAME path=PATH``): the field's sets in their native formats, JSONL/TSV pairs, suites.

An item needs the agreeing word's position (``target``), the subject's number (``sg``/``pl``)
and, for the probe's landmarks, the subject's position when the set tells it.  They come from
the item's metadata, first match wins:

* ``target``: a prefix pair's target is the word after its prefix (Lakretz, Gulordava, Linzen);
  a sentence pair's is the one word in which the two sentences differ (BLiMP, Marvin & Linzen);
  pairs that differ in more or fewer words are skipped (``not_one_word_apart``);
* number: ``number`` (sg/pl: our suites), ``morphology`` (``Number=Sing|Plur``: Gulordava), the
  first part of ``condition`` (``sing_MS_MV``: Marvin & Linzen; ``singular_plural``: Lakretz),
  and for a source whose targets are verbs (its options' ``targets = "verb"``: Linzen) the verb
  pair itself (is/are, was/were, has/have, -s against no -s); else skipped (``no_number``);
* subject: ``controller_index`` (suites), or ``cue_index`` when ``cue_pos`` is a noun or pronoun
  (Gulordava); else unknown (the probe's subject landmarks skip the item);
* attractors: ``attractors`` (Linzen, suites), else the later nouns of ``condition`` whose number
  differs from the subject's (Lakretz ``singular_plural``: 1); ``condition`` becomes
  ``sg``/``pl`` joined with those numbers (``sg_pl``);
* category: ``category``, ``pattern``, ``template``, ``UID``, ``file``, else the set's name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.insight.agreement_items import NUMBERS, AgreementItem, find_attractor, to_item

NUMBER_WORDS = {
    "sg": "sg",
    "sing": "sg",
    "singular": "sg",
    "pl": "pl",
    "plur": "pl",
    "plural": "pl",
}
MORPHOLOGY = {"Number=Sing": "sg", "Number=Plur": "pl"}
SINGULAR_VERBS = {  # singular form -> plural form, beyond -s/-es/-ies
    "is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't",
    "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't", "'s": "'re",
}  # fmt: skip
SUBJECT_POS = ("NOUN", "PROPN", "PRON", "NN", "NNS", "NNP", "NNPS", "PRP")
CATEGORY_KEYS = ("category", "pattern", "template", "UID", "file")


def verb_number(form: str, other: str) -> str | None:
    """``sg`` when ``form`` is the third-person singular of ``other`` (``is``/``are``,
    ``walks``/``walk``, ``tries``/``try``), ``pl`` for the reverse, else None."""
    a, b = form.lower(), other.lower()

    def singular_of(s: str, p: str) -> bool:
        return (
            SINGULAR_VERBS.get(s) == p
            or s in (p + "s", p + "es")
            or (p.endswith("y") and s == p[:-1] + "ies")
        )

    if singular_of(a, b):
        return "sg"
    return "pl" if singular_of(b, a) else None


def condition_numbers(condition: Any) -> list[str]:
    """The numbers named in a condition, in order (``plur_MS_MV_sing_ES`` -> [pl, sg])."""
    if not isinstance(condition, str):
        return []
    return [NUMBER_WORDS[p] for p in condition.lower().split("_") if p in NUMBER_WORDS]


def subject_number(meta: Mapping[str, Any], good: str, bad: str, verbs: bool) -> str | None:
    if meta.get("number") in NUMBERS:
        return meta["number"]
    morphology = str(meta.get("morphology", "")).split("|")
    found = [MORPHOLOGY[m] for m in morphology if m in MORPHOLOGY]
    if found:
        return found[0]
    numbers = condition_numbers(meta.get("condition"))
    if numbers and str(meta["condition"]).lower().split("_")[0] in NUMBER_WORDS:
        return numbers[0]
    return verb_number(good, bad) if verbs else None


def subject_index(meta: Mapping[str, Any], target: int) -> int | None:
    index = meta.get("controller_index")
    if not isinstance(index, int) and meta.get("cue_pos") in SUBJECT_POS:
        index = meta.get("cue_index")
    return index if isinstance(index, int) and 0 <= index < target else None


def words_and_target(item: PairItem) -> tuple[list[str], list[str], int] | None:
    """Both sides' words and the index where they differ, or None when not one word apart."""
    if item.prefix is not None:
        prefix = item.prefix.split()
        good, bad = item.good.split(), item.bad.split()
        if len(good) != 1 or len(bad) != 1:
            return None
        return prefix + good, prefix + bad, len(prefix)
    good, bad = item.good.split(), item.bad.split()
    diffs = [i for i, (a, b) in enumerate(zip(good, bad)) if a != b]
    if len(good) != len(bad) or len(diffs) != 1:
        return None
    return good, bad, diffs[0]


def from_pair(item: PairItem, set_name: str, verbs: bool) -> tuple[AgreementItem | None, str]:
    """The item, or None and why it was skipped."""
    meta = item.meta
    if isinstance(meta.get("target_index"), int) and item.prefix is None:  # our suites
        found = to_item(meta, item.good, item.bad)
        return (found, "") if found else (None, "not_number_agreement")
    got = words_and_target(item)
    if got is None:
        return None, "not_one_word_apart"
    words, other, target = got
    number = subject_number(meta, words[target], other[target], verbs)
    if number is None:
        return None, "no_number"
    subject = subject_index(meta, target)
    later = condition_numbers(meta.get("condition"))[1:]
    count = meta.get("attractors")
    count = count if isinstance(count, int) else sum(n != number for n in later)
    attractor = None
    if subject is not None and count:
        attractor = find_attractor(words, subject, target, number, count)
    category = next((meta[k] for k in CATEGORY_KEYS if meta.get(k) is not None), set_name)
    condition = "_".join([number, *later]) if later else number
    return AgreementItem(
        tuple(words), target, words[target], other[target], subject, attractor, number,
        condition, str(category), count,
    ), ""  # fmt: skip


def agreement_items(
    items: Sequence[Any], set_name: str, verbs: bool, categories: Sequence[str] | None
) -> tuple[list[AgreementItem], Counter]:
    """The number-agreement items of a test set, and why the others were skipped."""
    kept, skipped = [], Counter()
    for item in items:
        if not isinstance(item, PairItem):
            skipped["not_a_pair"] += 1
            continue
        found, why = from_pair(item, set_name, verbs)
        if found is not None and categories and found.category not in categories:
            found, why = None, "other_category"
        if found is None:
            skipped[why] += 1
        else:
            kept.append(found)
    return kept, skipped


def read_source(
    source: dict, path: str, categories: Sequence[str] | None
) -> tuple[list[AgreementItem], Counter, str]:
    """The number-agreement items of a test set in any source's format, why others were
    skipped (:mod:`lstm_nlp.insight.source_items`), and the source that read it."""
    from lstm_nlp.evaluation.evaluate import read_set
    from lstm_nlp.registry import EVAL_SOURCES

    name, test_set = read_set(source, Path(path))
    verbs = getattr(EVAL_SOURCES.schema(name), "targets", "") == "verb"
    items, skipped = agreement_items(test_set.items, test_set.name or name, verbs, categories)
    return items, skipped, name
