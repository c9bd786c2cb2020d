"""Sentence templates for subject-verb agreement (Marvin & Linzen 2018; Linzen et al. 2016).

Each template takes ``(g, b, want)`` and emits one sentence into the builder, marking the
site of ``want.construction`` as the main one; other sites it creates are recorded too.
"""

from __future__ import annotations

from lstm_nlp.grammar.context import Context
from lstm_nlp.grammar.phrases import (
    intervening_numbers,
    noun_phrase,
    pp_chain,
    relativizer,
    slot_count,
    subject,
)
from lstm_nlp.grammar.predicates import (
    complement_clause,
    lexical,
    manner,
    predicate,
    transitive_class,
)
from lstm_nlp.grammar.sentence import Builder, Ref, Want
from lstm_nlp.grammar.zipf import Weighted


def simple(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the author laughs", "today they are tired"."""
    subj = subject(g, b, g.number(), "any")
    predicate(g, b, subj, g.tense(want.present), "simple", main=True)


def pp(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the keys to the cabinet near the doors are old"."""
    head = noun_phrase(g, b, g.number(), "any")
    slots = slot_count(g, want.attractors, minimum=1, extra_prob=0.45)
    pp_chain(g, b, intervening_numbers(g, head.number, slots, want.attractors))
    predicate(g, b, head, g.tense(want.present), "pp", main=True)


def matrix_object(g: Context, b: Builder, kind: str) -> Ref:
    """A matrix clause ending in the object NP that a relative clause will modify ("the mechanic met
    the author")."""
    subj = subject(g, b, g.number(), "human")
    cls = "transitive_thing" if kind == "thing" else "transitive_animate"
    lexical(g, b, subj, g.verb(cls), g.tense(), "simple", main=False)
    return noun_phrase(g, b, g.number(), kind, names=False)


def subj_rel(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the author that likes the guards laughs" (RC verb site: within_subj_rel)."""
    within = want.construction == "within_subj_rel"
    on_object = within and g.chance(0.5)
    head = (
        matrix_object(g, b, "animate")
        if on_object
        else noun_phrase(g, b, g.number(), "animate", names=False)
    )
    relativizer(g, b, head)
    _subject_rc_vp(
        g, b, head, None if within else want.attractors, g.tense(want.present and within), within
    )
    if not on_object:
        predicate(g, b, head, g.tense(want.present and not within), "subj_rel", main=not within)


def _subject_rc_vp(
    g: Context, b: Builder, head: Ref, k: int | None, tense: str, main: bool
) -> None:
    """The subject relative's VP: intransitive, or a verb + object (+ PPs) giving ``k``
    attractors."""
    if k in (None, 0) and g.chance(0.3):
        lexical(g, b, head, g.verb("intransitive"), tense, "within_subj_rel", main=main)
        return
    cls, obj_kind = transitive_class(g, head)
    lexical(g, b, head, g.verb(cls), tense, "within_subj_rel", main=main)
    numbers = intervening_numbers(g, head.number, slot_count(g, k, minimum=1, extra_prob=0.2), k)
    noun_phrase(g, b, numbers[0], obj_kind)
    pp_chain(g, b, numbers[1:])


def obj_rel(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the author (that) the guards like laughs"; also the within_obj_rel(_no_that) sites."""
    suffix = "_no_that" if want.construction.endswith("_no_that") else ""
    within = want.construction.startswith("within")
    on_object = within and g.chance(0.5)
    kind = "thing" if g.chance(0.3) else "animate"
    head = (
        matrix_object(g, b, kind) if on_object else noun_phrase(g, b, g.number(), kind, names=False)
    )
    if not suffix:
        relativizer(g, b, head)
    rc_subj = _rc_subject(g, b, head, want, within)
    verb = g.verb("transitive_thing" if kind == "thing" else "transitive_animate")
    lexical(
        g,
        b,
        rc_subj,
        verb,
        g.tense(want.present and within),
        "within_obj_rel" + suffix,
        main=within,
    )
    if not on_object:
        predicate(
            g, b, head, g.tense(want.present and not within), "obj_rel" + suffix, main=not within
        )


def _rc_subject(g: Context, b: Builder, head: Ref, want: Want, within: bool) -> Ref:
    """The relative clause's subject and its PP chain, numbered to give the wanted attractors."""
    kind = "human" if head.kind == "thing" else "animate"
    if within:
        subj = noun_phrase(g, b, g.number(), kind)
        slots = slot_count(g, want.attractors, minimum=0, extra_prob=0.15)
        pp_chain(g, b, intervening_numbers(g, subj.number, slots, want.attractors))
        return subj
    slots = slot_count(g, want.attractors, minimum=1, extra_prob=0.15)
    numbers = intervening_numbers(g, head.number, slots, want.attractors)
    subj = noun_phrase(g, b, numbers[0], kind)
    pp_chain(g, b, numbers[1:])
    return subj


def sent_comp(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the mechanic said (that) the author laughs"."""
    matrix = subject(g, b, g.number(), "human")
    lexical(g, b, matrix, g.verb("sentential"), g.tense(), "simple", main=False)
    complement_clause(g, b, "sent_comp", main=True, present=want.present)


def vp_coord_short(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the author laughs and swims"."""
    subj = subject(g, b, g.number(), "any")
    tense = g.tense(want.present)
    cls = "intransitive" if subj.animate else "intransitive_thing"
    first = g.verb(cls)
    lexical(g, b, subj, first, tense, "simple")
    b.add("and", "CC")
    lexical(g, b, subj, g.verb(cls, avoid=first), tense, "vp_coord_short", main=True)
    manner(g, b, 0.1)


def vp_coord_long(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the author knows many languages and likes to watch old movies"."""
    subj = subject(g, b, g.number(), "human")
    tense = g.tense(want.present)
    cls, obj_kind = transitive_class(g, subj)
    lexical(g, b, subj, g.verb(cls), tense, "simple")
    numbers = intervening_numbers(
        g, subj.number, slot_count(g, want.attractors, 1, 0.2), want.attractors
    )
    noun_phrase(g, b, numbers[0], obj_kind)
    pp_chain(g, b, numbers[1:])
    manner(g, b, 0.1)
    b.add("and", "CC")
    predicate(g, b, subj, tense, "vp_coord_long", main=True, depth=1)


def plain(g: Context, b: Builder, want: Want) -> None:
    """A sentence with no agreement site: past or modal verbs throughout."""
    g.agreement = False
    try:
        template = g.sample(PLAIN_TEMPLATES)
        template(g, b, Want(template.__name__))
    finally:
        g.agreement = True


def _plain_table() -> Weighted:
    return Weighted(
        (simple, pp, subj_rel, obj_rel, sent_comp, vp_coord_short, vp_coord_long),
        (5, 3, 1, 1, 2, 1, 1),
    )


PLAIN_TEMPLATES = _plain_table()
