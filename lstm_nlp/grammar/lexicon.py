"""The lexicon: nouns with number and gender, verbs with VBZ/VBP/VBD forms, adjectives, adverbs.

Built once from :mod:`lstm_nlp.grammar.words` (see :func:`default_lexicon`).  Noun kinds:
``human`` (gender ``m``/``f``, or ``None`` for common-gender nouns like *senator*),
``animal`` and ``thing`` (gender ``n``), ``name`` (proper names, singular only).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lstm_nlp.grammar import morphology
from lstm_nlp.grammar.closed_class import COPULA, HAVE, PL, PRONOUNS, SG
from lstm_nlp.grammar.words import nouns, other, verbs

NOUN_CLASSES = ("human_m", "human_f", "human_n", "animal", "thing", "name_m", "name_f")
VERB_CLASSES = (
    "intransitive",
    "intransitive_thing",
    "transitive_animate",
    "transitive_thing",
    "reflexive",
    "sentential",
    "infinitival",
)
ADJECTIVE_CLASSES = ("animate", "thing", "any")
ADVERB_CLASSES = ("manner", "preverbal", "initial", "degree")


@dataclass(frozen=True)
class Noun:
    sg: str
    pl: str | None  # None for proper names
    kind: str  # human, animal, thing, name
    gender: str | None  # m, f, n, or None (common-gender human nouns)

    def form(self, number: str) -> str:
        return self.sg if number == SG else self.pl

    def forms(self) -> set[str]:
        return {f for f in (self.sg, self.pl) if f}


@dataclass(frozen=True)
class Verb:
    base: str  # also the VBP and VB form
    vbz: str
    vbd: str

    def forms(self) -> set[str]:
        return {self.base, self.vbz, self.vbd}


@dataclass(frozen=True)
class Lexicon:
    nouns: dict[str, tuple[Noun, ...]]  # NOUN_CLASSES -> nouns
    verbs: dict[str, tuple[Verb, ...]]  # VERB_CLASSES -> verbs
    adjectives: dict[str, tuple[str, ...]]
    adverbs: dict[str, tuple[str, ...]]

    def all_nouns(self) -> list[Noun]:
        return [n for cls in NOUN_CLASSES for n in self.nouns[cls]]

    def all_verbs(self) -> list[Verb]:
        seen: dict[str, Verb] = {}
        for cls in VERB_CLASSES:
            for v in self.verbs[cls]:
                seen.setdefault(v.base, v)
        return list(seen.values())

    def open_class_forms(self) -> set[str]:
        """The forms of the nouns, verbs, adjectives and adverbs (what max_lemmas cuts)."""
        forms = {f for n in self.all_nouns() for f in n.forms()}
        forms |= {f for v in self.all_verbs() for f in v.forms()}
        return forms | {
            a for group in (self.adjectives, self.adverbs) for w in group.values() for a in w
        }

    def word_forms(self) -> set[str]:
        """Every word form the grammar can emit (open and closed classes)."""
        from lstm_nlp.grammar.closed_class import (
            DETERMINERS,
            LOCATIVE_PREPOSITIONS,
            MODALS,
            PREPOSITIONS,
        )

        forms = {f for n in self.all_nouns() for f in (n.sg, n.pl) if f}
        forms |= {f for v in self.all_verbs() for f in (v.base, v.vbz, v.vbd)}
        forms |= {
            a
            for group in (self.adjectives, self.adverbs)
            for words in group.values()
            for a in words
        }
        forms |= {w for dets in DETERMINERS.values() for w, _, _ in dets} | {"an"}
        forms |= {w for w, _ in PREPOSITIONS + LOCATIVE_PREPOSITIONS + MODALS} | set(
            PRONOUNS.values()
        )
        forms |= {f for table in (COPULA, HAVE) for t in table.values() for f, _ in t.values()}
        return forms | {"be", "have", "that", "who", "which", "and", "to"}


def _entries(text: str) -> list[list[str]]:
    return [entry.split("|") for entry in text.split()]


def _noun(parts: list[str], kind: str, gender: str | None) -> Noun:
    sg = parts[0]
    return Noun(sg, parts[1] if len(parts) > 1 else morphology.plural(sg), kind, gender)


def _verb(parts: list[str]) -> Verb:
    base = parts[0]
    vbd = parts[1] if len(parts) > 1 else morphology.past(base)
    vbz = parts[2] if len(parts) > 2 else morphology.third_singular(base)
    return Verb(base, vbz, vbd)


def _load_nouns() -> dict[str, tuple[Noun, ...]]:
    pairs = [pair.split("/") for pair in nouns.HUMAN_PAIRS.split()]
    return {
        "human_m": tuple(_noun(m.split("|"), "human", "m") for m, _ in pairs),
        "human_f": tuple(_noun(f.split("|"), "human", "f") for _, f in pairs),
        "human_n": tuple(_noun(p, "human", None) for p in _entries(nouns.HUMAN_COMMON)),
        "animal": tuple(_noun(p, "animal", "n") for p in _entries(nouns.ANIMALS)),
        "thing": tuple(_noun(p, "thing", "n") for p in _entries(nouns.THINGS)),
        "name_m": tuple(Noun(w, None, "name", "m") for w in other.NAMES_MALE.split()),
        "name_f": tuple(Noun(w, None, "name", "f") for w in other.NAMES_FEMALE.split()),
    }


def _load_verbs() -> dict[str, tuple[Verb, ...]]:
    texts = {cls: getattr(verbs, cls.upper()) for cls in VERB_CLASSES}
    irregular = {p[0]: p for text in texts.values() for p in _entries(text) if len(p) > 1}
    return {
        cls: tuple(_verb(irregular.get(p[0], p)) for p in _entries(text))
        for cls, text in texts.items()
    }


def _unique(name: str, items: list[str]) -> None:
    dupes = sorted({w for w in items if items.count(w) > 1})
    if dupes:
        raise ValueError(f"grammar lexicon: duplicate {name}: {', '.join(dupes)}")


def validate(lex: Lexicon) -> None:
    """Refuse lexicons whose forms would make agreement ambiguous."""
    all_nouns = lex.all_nouns()
    _unique("noun", [n.sg for n in all_nouns])
    _unique("plural noun", [n.pl for n in all_nouns if n.pl])
    for cls, items in lex.verbs.items():
        _unique(f"{cls} verb", [v.base for v in items])
    sg = {n.sg for n in all_nouns}
    pl = {n.pl for n in all_nouns if n.pl}
    vbz = {v.vbz for v in lex.all_verbs()} | {"is", "has"}
    vbp = {v.base for v in lex.all_verbs()} | {"are", "have"}
    for what, clash in (("singular and plural nouns", sg & pl), ("VBZ and VBP forms", vbz & vbp)):
        if clash:
            raise ValueError(
                f"grammar lexicon: forms that are both {what}: {', '.join(sorted(clash))}"
            )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The built-in lexicon (a few thousand word forms), validated."""
    lex = Lexicon(
        nouns=_load_nouns(),
        verbs=_load_verbs(),
        adjectives={
            cls: tuple(getattr(other, f"ADJECTIVES_{cls.upper()}").split())
            for cls in ADJECTIVE_CLASSES
        },
        adverbs={
            cls: tuple(getattr(other, f"ADVERBS_{cls.upper()}").split()) for cls in ADVERB_CLASSES
        },
    )
    validate(lex)
    return lex


def pronoun(case: str, number: str, gender: str | None) -> str:
    """``pronoun("refl", "sg", "f")`` -> ``herself``; plural ignores gender."""
    return PRONOUNS[(case, PL, None)] if number == PL else PRONOUNS[(case, SG, gender)]
