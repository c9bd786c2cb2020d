"""The agreement items that ``mode=units`` and ``mode=probe`` read, with their landmarks.

An item is a sentence pair that differs in one word, the verb (or pronoun) at ``target``, whose
form agrees with the subject in number (``number``: sg | pl).  ``path=PATH`` reads a test set in
any evaluation source's format (``source=auto`` by default: the field's sets, JSONL/TSV pairs,
``lstm-nlp-suites`` folders; :mod:`lstm_nlp.insight.source_items` says how each format's fields
become an item; other pairs are skipped and counted); without it the pairs are generated on the
fly from the grammar, only with words the model knows, as the training run's agreement callback
does, with the run's grammar seed and parameters when the checkpoint's run directory holds its
``.hydra/config.yaml``.

Landmarks, as word indices: ``subject`` (the controller, when known), ``attractor`` (the noun
of the other number nearest the verb, between subject and verb: found with the grammar's noun
lexicon, and only kept when the count found matches the item's ``attractors``) and ``verb``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# The subject-verb agreement categories of lstm_nlp.grammar.suites (pronouns and reflexives left
# out).
VERB_CATEGORIES = (
    "simple_agreement",
    "sent_comp",
    "vp_coord_short",
    "vp_coord_long",
    "pp",
    "subj_rel",
    "obj_rel",
    "obj_rel_no_that",
    "within_obj_rel",
)
NUMBERS = ("sg", "pl")


@dataclass(frozen=True)
class AgreementItem:
    words: tuple[str, ...]  # the good sentence
    target: int  # word index of the agreeing word
    good: str
    bad: str
    subject: int | None  # unknown in some sets (the probe's subject landmarks skip the item)
    attractor: int | None
    number: str  # the subject's: sg | pl
    condition: str  # sg, pl, sg_pl, pl_sg
    category: str
    attractors: int

    @property
    def label(self) -> int:
        return int(self.number == "pl")


@lru_cache(maxsize=1)
def noun_numbers() -> dict[str, str]:
    """Noun form -> sg | pl, from the grammar's lexicon (forms that are both are left out)."""
    from lstm_nlp.grammar.lexicon import default_lexicon

    numbers: dict[str, set[str]] = {}
    for noun in default_lexicon().all_nouns():
        numbers.setdefault(noun.sg, set()).add("sg")
        if noun.pl:
            numbers.setdefault(noun.pl, set()).add("pl")
    return {form: next(iter(n)) for form, n in numbers.items() if len(n) == 1}


def find_attractor(
    words: Sequence[str], subject: int, target: int, number: str, count: int
) -> int | None:
    """The attractor nearest the verb, or None when the lexicon does not find exactly ``count`` of
    them."""
    lo, hi = sorted((subject, target))
    table = noun_numbers()
    found = [i for i in range(lo + 1, hi) if table.get(words[i], number) != number]
    if not found or len(found) != count:
        return None
    return min(found, key=lambda i: abs(target - i))


def to_item(meta: Mapping[str, Any], good: str, bad: str) -> AgreementItem | None:
    """An item from a pair's text and metadata, or None when it is not a number-agreement pair."""
    words, other = good.split(), bad.split()
    target, subject, number = (
        meta.get("target_index"),
        meta.get("controller_index"),
        meta.get("number"),
    )
    if not (isinstance(target, int) and isinstance(subject, int) and number in NUMBERS):
        return None
    if len(words) != len(other) or not 0 <= subject < target < len(words):
        return None
    if [i for i, (a, b) in enumerate(zip(words, other)) if a != b] != [target]:
        return None
    count = meta.get("attractors") if isinstance(meta.get("attractors"), int) else 0
    return AgreementItem(
        tuple(words),
        target,
        words[target],
        other[target],
        subject,
        find_attractor(words, subject, target, number, count) if count else None,
        number,
        str(meta.get("condition") or number),
        str(meta.get("category", "")),
        count,
    )


def run_grammar(checkpoint: Path) -> tuple[int, dict | None]:
    """The grammar seed and parameters of the checkpoint's training run (0, None when unknown)."""
    config = checkpoint.parent.parent / ".hydra" / "config.yaml"
    if not config.is_file():
        return 0, None
    from omegaconf import OmegaConf

    try:
        data = OmegaConf.to_container(OmegaConf.load(config).get("data") or {}, resolve=False)
    except Exception:  # a damaged run config only costs the run's seed
        return 0, None
    if not isinstance(data, dict) or data.get("name") != "grammar":
        return 0, None
    seed = data.get("seed", 0)
    return seed if isinstance(seed, int) else 0, data


def generate_suite(
    vocabulary: frozenset[str],
    categories: Sequence[str],
    n_per_cell: int,
    max_attractors: int,
    seed: int,
    grammar: Mapping[str, Any] | None,
) -> list[AgreementItem]:
    """Pairs from the grammar, only with words in ``vocabulary`` (see
    :func:`lstm_nlp.grammar.suites.build_pairs`)."""
    from lstm_nlp.grammar.suites import build_pairs

    items = []
    for category in categories:
        for pair in build_pairs(
            category,
            n_per_cell,
            seed,
            max_attractors=max_attractors,
            vocabulary=vocabulary,
            grammar=grammar,
        ):
            item = to_item(pair, pair["sentence_good"], pair["sentence_bad"])
            if item is not None:
                items.append(item)
    return items
