"""Finite verbs (with their agreement sites) and verb phrases of every type."""

from __future__ import annotations

from collections.abc import Callable

from lstm_nlp.grammar.closed_class import COPULA, HAVE, INFINITIVE_MARKER, SG
from lstm_nlp.grammar.context import Context
from lstm_nlp.grammar.lexicon import Verb
from lstm_nlp.grammar.phrases import noun_phrase, pp_chain, preposition, subject
from lstm_nlp.grammar.sentence import Builder, Ref
from lstm_nlp.grammar.zipf import Weighted

AUXILIARIES = {"be": COPULA, "have": HAVE}
PREVERBAL_ADVERB_PROB = 0.06
MANNER_ADVERB_PROB = 0.15


def finite(
    g: Context,
    b: Builder,
    subj: Ref,
    verb: Verb | str,
    tense: str,
    construction: str,
    main: bool = False,
) -> int:
    """Emit ``verb`` ("be", "have" or a lexical verb) in ``tense`` for ``subj``; return its
    position.

    Present forms (and was/were) agree, so they record a subject-verb site.
    """
    base = verb if isinstance(verb, str) else verb.base
    if tense == "past" and base == "be" and not g.agreement:
        tense = "modal"  # was/were agree; plain sentences have no agreement sites
    if tense == "modal":
        b.add(g.sample(g.vocab.modals), "MD")
        return b.add(base, "VB")
    forms = _forms(verb, tense)
    word, tag = forms[subj.number]
    other = forms["pl" if subj.number == SG else SG][0]
    index = b.add(word, tag)
    if other != word:
        b.site("subject_verb", subj, index, construction, word, other, main=main)
    return index


def _forms(verb: Verb | str, tense: str) -> dict[str, tuple[str, str]]:
    if isinstance(verb, str):
        return AUXILIARIES[verb][tense]
    if tense == "past":
        return {SG: (verb.vbd, "VBD"), "pl": (verb.vbd, "VBD")}
    return {SG: (verb.vbz, "VBZ"), "pl": (verb.base, "VBP")}


def lexical(
    g: Context, b: Builder, subj: Ref, verb: Verb, tense: str, construction: str, main: bool = False
) -> int:
    """A lexical finite verb, sometimes after a pre-verbal adverb ("often laughs")."""
    if tense != "modal" and g.chance(PREVERBAL_ADVERB_PROB):
        b.add(g.adverb("preverbal"), "RB")
    return finite(g, b, subj, verb, tense, construction, main)


def manner(g: Context, b: Builder, p: float = MANNER_ADVERB_PROB) -> None:
    if g.chance(p):
        b.add(g.adverb("manner"), "RB")


def object_np(g: Context, b: Builder, kind: str, pp_prob: float = 0.1) -> Ref:
    ref = noun_phrase(g, b, g.number(), kind)
    if g.chance(pp_prob):
        pp_chain(g, b, [g.number()])
    return ref


def transitive_class(g: Context, subj: Ref) -> tuple[str, str]:
    """A transitive verb class the subject can head, and its object's noun kind."""
    if subj.kind == "human" and g.chance(0.5):
        return "transitive_thing", "thing"
    return "transitive_animate", "animate"


# -- verb phrases: each returns the position of its finite verb ------------------------------


def intransitive(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    cls = "intransitive" if subj.animate else "intransitive_thing"
    index = lexical(g, b, subj, g.verb(cls), tense, construction, main)
    manner(g, b)
    return index


def transitive(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    cls, obj_kind = transitive_class(g, subj)
    index = lexical(g, b, subj, g.verb(cls), tense, construction, main)
    object_np(g, b, obj_kind)
    manner(g, b, 0.08)
    return index


def copula_adjective(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    index = finite(g, b, subj, "be", tense, construction, main)
    if g.chance(0.2):
        b.add(g.adverb("degree"), "RB")
    b.add(g.adjective(subj.kind), "JJ")
    return index


def copula_location(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    index = finite(g, b, subj, "be", tense, construction, main)
    preposition(g, b, g.sample(g.vocab.locatives))
    noun_phrase(g, b, g.number(), "thing")
    return index


def possession(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    index = finite(g, b, subj, "have", tense, construction, main)
    object_np(g, b, "thing")
    return index


def infinitival(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    index = lexical(g, b, subj, g.verb("infinitival"), tense, construction, main)
    b.add(*INFINITIVE_MARKER)
    bare_vp(g, b, subj)
    return index


def bare_vp(g: Context, b: Builder, subj: Ref) -> None:
    """A base-form verb phrase after "to": "swim", "watch the old movies"."""
    if g.chance(0.5):
        b.add(g.verb("intransitive").base, "VB")
        manner(g, b)
        return
    cls, obj_kind = transitive_class(g, subj)
    b.add(g.verb(cls).base, "VB")
    object_np(g, b, obj_kind)


def sentential(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool,
    depth: int,
) -> int:
    index = lexical(g, b, subj, g.verb("sentential"), tense, construction, main)
    complement_clause(g, b, depth=depth + 1)
    return index


def complement_clause(
    g: Context,
    b: Builder,
    construction: str = "sent_comp",
    main: bool = False,
    present: bool = False,
    depth: int = 1,
) -> Ref:
    """``[that] subject VP``, its verb's site labelled ``construction``; returns the subject."""
    if g.chance(0.5):
        b.add("that", "IN")
    subj = subject(g, b, g.number(), "any")
    predicate(g, b, subj, g.tense(present), construction, main, depth)
    return subj


VerbPhrase = Callable[..., int]
_HUMAN = {
    intransitive: 3,
    transitive: 5,
    copula_adjective: 2,
    copula_location: 0.5,
    possession: 1,
    infinitival: 1,
    sentential: 1,
}
_ANIMAL = {intransitive: 4, transitive: 2, copula_adjective: 2, copula_location: 0.5}
_THING = {intransitive: 2, copula_adjective: 3, copula_location: 1, possession: 0.5}


def _table(weights: dict) -> Weighted:
    return Weighted(list(weights), list(weights.values()))


VP_TABLES = {
    ("human", True): _table(_HUMAN),
    ("human", False): _table({f: w for f, w in _HUMAN.items() if f is not sentential}),
    ("animal", True): _table(_ANIMAL),
    ("animal", False): _table(_ANIMAL),
    ("thing", True): _table(_THING),
    ("thing", False): _table(_THING),
}


def predicate(
    g: Context,
    b: Builder,
    subj: Ref,
    tense: str,
    construction: str,
    main: bool = False,
    depth: int = 0,
) -> int:
    """A verb phrase suited to the subject; sentential complements only at depth 0."""
    vp = g.sample(VP_TABLES[(subj.kind, depth == 0)])
    return vp(g, b, subj, tense, construction, main, depth)
