"""Sentence templates for reflexives and pronouns agreeing with their antecedent.

The anaphor's ``good`` form matches the antecedent's number (and, in the singular, gender);
``bad`` flips the number and ``bad_gender`` (singular m/f antecedents only) flips the gender.
"""

from __future__ import annotations

from lstm_nlp.grammar.closed_class import PL, SG
from lstm_nlp.grammar.context import Context
from lstm_nlp.grammar.lexicon import pronoun as pronoun_form
from lstm_nlp.grammar.phrases import (
    intervening_numbers,
    noun_phrase,
    pp_chain,
    relativizer,
    slot_count,
    subject,
)
from lstm_nlp.grammar.predicates import lexical, manner, predicate
from lstm_nlp.grammar.sentence import Builder, Ref, Want

OTHER_GENDER = {"m": "f", "f": "m"}


def antecedent(
    g: Context, b: Builder, number: str, kind: str = "animate", names: bool = True
) -> Ref:
    """A noun phrase whose singular has a definite gender (no *senator*: he or she?)."""
    if number == SG:
        kind = "gendered_animate" if kind == "animate" else "gendered"
    return noun_phrase(g, b, number, kind, names)


def anaphor(
    g: Context, b: Builder, ant: Ref, case: str, construction: str, main: bool = False
) -> Ref:
    """Emit the pronoun of ``case`` (subj/obj/refl) for ``ant`` and record its site."""
    good = pronoun_form(case, ant.number, ant.gender)
    if ant.number == SG:
        bad = pronoun_form(case, PL, None)
        other = OTHER_GENDER.get(ant.gender)
        bad_gender = pronoun_form(case, SG, other) if other else None
    else:
        bad = pronoun_form(case, SG, ant.gender or g.rng.choice("mf"))
        bad_gender = None
    index = b.add(good, "PRP")
    b.site(
        "reflexive" if case == "refl" else "pronoun",
        ant,
        index,
        construction,
        good,
        bad,
        bad_gender,
        main,
    )
    return Ref(index, ant.number, ant.gender, ant.kind)


def _that(g: Context, b: Builder) -> None:
    if g.chance(0.5):
        b.add("that", "IN")


def reflexive_simple(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the senators hurt themselves"."""
    ant = antecedent(g, b, g.number())
    lexical(g, b, ant, g.verb("reflexive"), g.tense(), "simple", main=False)
    anaphor(g, b, ant, "refl", "reflexive_simple", main=True)
    manner(g, b, 0.1)


def reflexive_sent_comp(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the mechanic said (that) the actress hurt herself"."""
    matrix = subject(g, b, g.number(), "human")
    lexical(g, b, matrix, g.verb("sentential"), g.tense(), "simple", main=False)
    _that(g, b)
    ant = antecedent(g, b, g.number())
    lexical(g, b, ant, g.verb("reflexive"), g.tense(), "sent_comp", main=False)
    anaphor(g, b, ant, "refl", "reflexive_sent_comp", main=True)


def reflexive_across_rel(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the senators (that) the actress met hurt themselves", "the senators that met the
    actress ..."."""
    ant = antecedent(g, b, g.number(), names=False)
    k = want.attractors
    numbers = intervening_numbers(g, ant.number, slot_count(g, k, 1, 0.15), k)
    object_rc = g.chance(0.5)
    suffix = "_no_that" if object_rc and g.chance(0.3) else ""
    if not suffix:
        relativizer(g, b, ant)
    if object_rc:
        rc_subj = noun_phrase(g, b, numbers[0], "animate")
        pp_chain(g, b, numbers[1:])
        lexical(
            g,
            b,
            rc_subj,
            g.verb("transitive_animate"),
            g.tense(),
            "within_obj_rel" + suffix,
            main=False,
        )
    else:
        lexical(g, b, ant, g.verb("transitive_animate"), g.tense(), "within_subj_rel", main=False)
        noun_phrase(g, b, numbers[0], "animate")
        pp_chain(g, b, numbers[1:])
    outer = ("obj_rel" + suffix) if object_rc else "subj_rel"
    lexical(g, b, ant, g.verb("reflexive"), g.tense(), outer, main=False)
    anaphor(g, b, ant, "refl", "reflexive_across_rel", main=True)


def pronoun(g: Context, b: Builder, want: Want) -> None:
    """A pronoun agreeing with its antecedent; three sentence shapes (see below)."""
    if want.attractors:
        shape = pronoun_object
    else:
        shape = g.rng.choice((pronoun_subject, pronoun_object, pronoun_coordination))
    shape(g, b, want)


def pronoun_subject(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the king says (that) he is tired"."""
    ant = antecedent(g, b, g.number(), "human")
    lexical(g, b, ant, g.verb("sentential"), g.tense(), "simple", main=False)
    _that(g, b)
    pro = anaphor(g, b, ant, "subj", "pronoun", main=True)
    predicate(g, b, pro, g.tense(), "sent_comp", depth=1)


def pronoun_object(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the king says (that) the guards near the door admire him"."""
    ant = antecedent(g, b, g.number(), "human")
    lexical(g, b, ant, g.verb("sentential"), g.tense(), "simple", main=False)
    _that(g, b)
    k = want.attractors
    numbers = intervening_numbers(g, ant.number, slot_count(g, k, 1, 0.15), k)
    subj = noun_phrase(g, b, numbers[0], "animate")
    pp_chain(g, b, numbers[1:])
    lexical(g, b, subj, g.verb("transitive_animate"), g.tense(), "sent_comp", main=False)
    anaphor(g, b, ant, "obj", "pronoun", main=True)


def pronoun_coordination(g: Context, b: Builder, want: Want) -> None:
    """E.g. "the queen met the kings and thanked them" (the pronoun refers to the object)."""
    subj = subject(g, b, g.number(), "human")
    tense = g.tense()
    first = g.verb("transitive_animate")
    lexical(g, b, subj, first, tense, "simple", main=False)
    ant = antecedent(g, b, g.number())
    b.add("and", "CC")
    lexical(
        g, b, subj, g.verb("transitive_animate", avoid=first), tense, "vp_coord_long", main=False
    )
    anaphor(g, b, ant, "obj", "pronoun", main=True)
