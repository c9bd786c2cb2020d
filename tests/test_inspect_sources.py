"""mode=units and mode=probe read any evaluation source: each native fixture's pairs become
agreement items with the right target, subject number, subject position and condition."""

from pathlib import Path

import pytest

from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.insight.source_items import from_pair, read_source, verb_number

BENCHMARKS = Path(__file__).parent / "data" / "benchmarks"


def items_of(kind: str, categories=None):
    items, skipped, name = read_source({"name": "auto"}, str(BENCHMARKS / kind), categories)
    return items, skipped, name


@pytest.mark.parametrize(
    ("form", "other", "number"),
    [
        ("is", "are", "sg"),
        ("were", "was", "pl"),
        ("has", "have", "sg"),
        ("walk", "walks", "pl"),
        ("tries", "try", "sg"),
        ("watches", "watch", "sg"),
        ("doesn't", "don't", "sg"),
        ("ran", "run", None),
    ],
)
def test_verb_number(form, other, number):
    assert verb_number(form, other) == number


def test_gulordava_number_from_morphology_and_subject_from_a_noun_cue():
    items, skipped, name = items_of("gulordava")
    assert name == "gulordava" and not skipped
    first, _, third, *_ = items
    assert (first.target, first.good, first.bad, first.number) == (6, "is", "are", "sg")
    assert first.subject == 1 and first.words[:2] == ("The", "thing")
    assert first.category.startswith("L!NOUN_VERB_VERB")
    assert third.number == "pl" and third.subject is None  # its cue is a verb


def test_linzen_number_from_the_verb_pair_and_attractors_from_the_gold_file():
    items, skipped, name = items_of("linzen")
    assert name == "linzen" and not skipped
    assert [(it.good, it.bad, it.number, it.attractors) for it in items] == [
        ("is", "are", "sg", 0),
        ("have", "has", "pl", 1),
        ("are", "is", "pl", 2),
        ("are", "is", "pl", 2),  # the gold file says Are/Is; the text is lowercase
    ]
    assert items[0].words == ("the", "town", "is") and items[0].target == 2


def test_lakretz_conditions_become_subject_and_attractor_numbers():
    items, skipped, name = items_of("lakretz")
    assert name == "lakretz" and not skipped
    by_sentence = {" ".join(it.words): it for it in items}
    rc = by_sentence["The carpenter that the women admire encourages"]
    assert (rc.number, rc.condition, rc.attractors, rc.bad) == ("sg", "sg_pl", 1, "encourage")
    assert rc.category == "objrel_that" and rc.target == 6
    same = by_sentence["The doctors near the cars know"]
    assert (same.number, same.condition, same.attractors) == ("pl", "pl_pl", 0)
    adverb = by_sentence["The boy near the tables certainly approves"]
    assert (adverb.condition, adverb.category) == ("sg_pl", "nounpp_adv")


def test_marvin_linzen_number_from_the_condition_and_npis_skipped():
    items, skipped, name = items_of("marvin_linzen")
    assert name == "marvin_linzen"
    simple = [it for it in items if it.category == "simple_agrmt"]
    assert {(it.words, it.target, it.number) for it in simple} >= {
        (("the", "author", "laughs"), 2, "sg"),
        (("the", "authors", "laugh"), 2, "pl"),
    }
    assert skipped["no_number"] > 0  # the NPI conditions (past, future) name no number
    only, _, _ = items_of("marvin_linzen", categories=["simple_agrmt"])
    assert only and {it.category for it in only} == {"simple_agrmt"}


def test_pairs_that_are_not_one_word_apart_or_say_no_number_are_skipped():
    apart = PairItem("the dog barks", "dog the barks")
    assert from_pair(apart, "pairs", verbs=False) == (None, "not_one_word_apart")
    unknown = PairItem("the dog barks", "the dog bark")
    assert from_pair(unknown, "pairs", verbs=False) == (None, "no_number")
    found, _ = from_pair(unknown, "pairs", verbs=True)
    assert found.number == "sg" and found.condition == "sg" and found.subject is None
    _, skipped, _ = items_of("blimp")  # BLiMP's records name no number
    assert skipped["no_number"] > 0
