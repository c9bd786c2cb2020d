"""Noun phrases, PP chains, pronoun subjects, and planning of intervening nouns' numbers."""

from __future__ import annotations

from lstm_nlp.grammar.closed_class import PL, SG
from lstm_nlp.grammar.context import Context
from lstm_nlp.grammar.lexicon import pronoun
from lstm_nlp.grammar.morphology import indefinite_article
from lstm_nlp.grammar.sentence import Builder, Ref

PRONOUN_SUBJECT_PROB = 0.08
EXTRA_SLOT_PROB = (
    0.35  # chance of one more noun in a chain (corpus mode) or one non-attractor (requests)
)


def flip(number: str) -> str:
    return SG if number == PL else PL


def noun_phrase(g: Context, b: Builder, number: str, kind: str, names: bool = True) -> Ref:
    """``[det] [adj] noun`` (a proper name alone, unless ``names=False``); returns the head."""
    noun = g.noun(kind, number, names)
    if noun.kind == "name":
        return Ref(b.add(noun.sg, "NNP"), SG, noun.gender, "human")
    word = noun.form(number)
    det, det_tag = g.sample(g.vocab.determiners[number])
    adj = g.adjective(noun.kind) if g.chance(g.params.adjective_prob) else None
    if det == "a":
        det = indefinite_article(adj or word)
    b.add(det, det_tag)
    if adj:
        b.add(adj, "JJ")
    return Ref(b.add(word, "NN" if number == SG else "NNS"), number, noun.gender, noun.kind)


def subject(g: Context, b: Builder, number: str, kind: str) -> Ref:
    """A subject: usually a noun phrase, sometimes a personal pronoun."""
    if kind in ("any", "human", "animate") and g.chance(PRONOUN_SUBJECT_PROB):
        return pronoun_subject(g, b, number, kind)
    return noun_phrase(g, b, number, kind)


def pronoun_subject(g: Context, b: Builder, number: str, kind: str) -> Ref:
    thing = kind == "any" and g.chance(0.3)
    gender = "n" if thing else (None if number == PL else g.rng.choice("mf"))
    return Ref(
        b.add(pronoun("subj", number, gender), "PRP"), number, gender, "thing" if thing else "human"
    )


def preposition(g: Context, b: Builder, word: str) -> int:
    return b.add(word, "TO" if word == "to" else "IN")


def pp_chain(g: Context, b: Builder, numbers: list[str], kind: str = "any") -> list[Ref]:
    """``P NP P NP ...``, one PP per number: "to the cabinet near the doors"."""
    refs = []
    for number in numbers:
        preposition(g, b, g.sample(g.vocab.prepositions))
        refs.append(noun_phrase(g, b, number, kind))
    return refs


def slot_count(
    g: Context, attractors: int | None, minimum: int, extra_prob: float = EXTRA_SLOT_PROB
) -> int:
    """How many nouns will intervene: at least ``minimum`` and, if requested, ``attractors``."""
    if attractors is not None:
        n = max(attractors, minimum)
        return n + 1 if g.chance(0.3) else n
    n = minimum
    while n < max(g.params.max_attractors, minimum) and g.chance(extra_prob):
        n += 1
    return n


def intervening_numbers(
    g: Context, controller: str, slots: int, attractors: int | None
) -> list[str]:
    """Numbers of ``slots`` intervening nouns, exactly ``attractors`` of them differing from
    ``controller``."""
    if attractors is None:
        return [g.number() for _ in range(slots)]
    flipped = set(g.rng.sample(range(slots), attractors))
    return [flip(controller) if i in flipped else controller for i in range(slots)]


def relativizer(g: Context, b: Builder, head: Ref) -> int:
    word, tag = g.sample(g.vocab.relativizers["animate" if head.animate else "thing"])
    return b.add(word, tag)


def initial_adjunct(g: Context, b: Builder, p: float) -> None:
    """Sometimes open the sentence with an adverb ("today") or a PP ("near the doors")."""
    if not g.chance(p):
        return
    if g.chance(0.4):
        b.add(g.adverb("initial"), "RB")
        return
    preposition(g, b, g.sample(g.vocab.locatives))
    noun_phrase(g, b, g.number(), "thing")
