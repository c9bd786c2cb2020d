"""SyntaxGym suites: formulas, reading suite files, region surprisals and scores, circuits."""

import copy
import json
import re
from pathlib import Path

import pytest

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.evaluation.normalize import normalize
from lstm_nlp.evaluation.readers.syntaxgym import SyntaxGymOptions, read
from lstm_nlp.evaluation.syntaxgym.circuits import CIRCUITS, circuit_of, sg_scores
from lstm_nlp.evaluation.syntaxgym.formula import FormulaError, evaluate, parse, terms
from lstm_nlp.evaluation.syntaxgym.scoring import GymScore, region_surprisals, score_items
from lstm_nlp.evaluation.syntaxgym.suite import GymCondition, read_suite

DATA = Path(__file__).parent / "data" / "benchmarks" / "syntaxgym"
EOS = 0.5


def fake_surprisals(calls):
    """A model whose surprisal of a word is its length in characters, and of <eos> 0.5."""

    def surprisals(sentences):
        calls.append(sentences)
        return [[float(len(w)) for w in words] + [EOS] for words in sentences]

    return surprisals


def values(mapping):
    return lambda region, condition: mapping[(region, condition)]


# -- formulas ----------------------------------------------------------------------------------


def test_formula_terms_and_both_bracket_styles():
    square = parse("[(3;%a%) + (4;%a%)] < [(3;%b%) + (4;%b%)]")
    round_ = parse("((3;%a%) + (4;%a%)) < ((3;%b%) + (4;%b%))")
    assert terms(square) == terms(round_) == [(3, "a"), (4, "a"), (3, "b"), (4, "b")]
    s = values({(3, "a"): 1.0, (4, "a"): 2.0, (3, "b"): 0.5, (4, "b"): 3.0})
    assert evaluate(square, s) is True and evaluate(round_, s) is True  # 3 < 3.5
    s = values({(3, "a"): 1.0, (4, "a"): 3.0, (3, "b"): 0.5, (4, "b"): 3.0})
    assert evaluate(square, s) is False  # 4 < 3.5
    assert terms(parse("(5;%no-obj_no-comma%) > (5;%obj_no-comma%)")) == [
        (5, "no-obj_no-comma"),
        (5, "obj_no-comma"),
    ]


def test_formula_precedence():
    s = values({(1, "a"): 5.0, (2, "a"): 3.0, (3, "a"): 4.0})
    # + and - share a level, left to right: (5 - 3) + 4 = 6, not 5 - (3 + 4) = -2
    assert evaluate(parse("(1;%a%) - (2;%a%) + (3;%a%) > 5"), s) is True
    assert evaluate(parse("(1;%a%) - [(2;%a%) + (3;%a%)] > 5"), s) is False
    # & binds tighter than |: F & F | T == (F & F) | T
    f = "(1;%a%) < 0 & (2;%a%) < 0 | (3;%a%) > 0"
    assert evaluate(parse(f), s) is True
    assert evaluate(parse("(1;%a%) < 0 & [(2;%a%) < 0 | (3;%a%) > 0]"), s) is False
    assert (
        evaluate(
            parse("[(6;%a%)-(6;%b%)] + [(7;%b%)-(7;%a%)]>0"),
            values({(6, "a"): 2.0, (6, "b"): 1.0, (7, "b"): 1.0, (7, "a"): 1.5}),
        )
        is True
    )  # 1 + -0.5 > 0, spaces optional
    assert evaluate(parse("(1;%a%) - 1.5 > -0.25"), values({(1, "a"): 1.0})) is False


def test_formula_equality_has_syntaxgyms_tolerance():
    eq = parse("(1;%a%) = (1;%b%)")
    assert evaluate(eq, values({(1, "a"): 10.0, (1, "b"): 10.0005})) is True
    assert evaluate(eq, values({(1, "a"): 10.0, (1, "b"): 10.002})) is False


@pytest.mark.parametrize(
    "text, words",
    [
        ("(1;%a%) >", "cannot parse"),
        ("[(1;%a%) > (2;%b%))", "cannot parse"),
        ("(x;%a%) > 1", "cannot parse"),
        ("(1;%a%) * (2;%a%) > 1", "cannot parse"),
        ("(1;%a%)", "not a comparison"),
        ("(1;%a%) & (2;%b%)", "'&' needs a comparison"),
        ("(1;%a%) > (2;%a%) > (3;%a%)", "comparisons do not chain"),
        ("[(1;%a%) > 1] + 2 > 0", "'+' needs numbers"),
    ],
)
def test_malformed_formulas(text, words):
    with pytest.raises(FormulaError, match=re.escape(words)):
        parse(text)


# -- reading suites ----------------------------------------------------------------------------


def test_read_suite_native_format():
    suite = read_suite(DATA / "npz_obj.json")
    assert suite.name == "npz_obj" and suite.circuit == "garden-path effects"
    assert len(suite.items) == 4 and len(suite.predictions) == 2
    assert suite.region_labels == {
        1: "Start",
        2: "Verb",
        3: "Comma",
        4: "NP/Z",
        5: "Verb",
        6: "Continuation",
    }
    item = suite.items[1]
    assert item.item_number == 2 and item.suite == "npz_obj"
    assert item.meta == {"suite": "npz_obj", "circuit": "garden-path effects", "item_number": 2}
    assert list(item.conditions) == ["no-comma", "comma"]  # the file's order, looked up by name
    assert (
        item.conditions["comma"].regions[2] == "," and item.conditions["no-comma"].regions[2] == ""
    )
    assert item.source.endswith("npz_obj.json: item 2")


def test_legacy_layout_reads_string_predictions():
    suite = read_suite(DATA / "toy_gap.json")
    assert suite.name == "toy-gap" and suite.circuit == "other" and len(suite.items) == 2
    assert suite.formulas == ["(3;%gap%) < (3;%nogap%) | (4;%gap%) > (4;%nogap%)"]


def test_condition_words_and_spans():
    item = read_suite(DATA / "npz_obj.json").items[0]
    no_comma = item.conditions["no-comma"]
    assert no_comma.sentence == "As the criminal shot the woman yelled at the top of her lungs"
    assert no_comma.words()[:5] == ["As", "the", "criminal", "shot", "the"]
    assert no_comma.region_spans() == {
        1: (0, 3),
        2: (3, 4),
        3: (4, 4),
        4: (4, 6),
        5: (6, 7),
        6: (7, 13),
    }
    split = GymCondition("c", ["The woman,", "", "left."])
    words = split.words(lambda t: normalize(t, split_punctuation=True))
    assert words == ["The", "woman", ",", "left", "."]
    spans = split.region_spans(lambda t: normalize(t, split_punctuation=True))
    assert spans == {1: (0, 3), 2: (3, 3), 3: (3, 5)}


def test_read_folder_and_choose_suites():
    testset = read(SyntaxGymOptions(), DATA)
    assert testset.name == "syntaxgym"
    assert list(testset.info["suites"]) == ["npz_obj", "number_prep", "toy-gap"]  # file order
    assert len(testset.items) == 4 + 3 + 2
    assert [i.meta["suite"] for i in testset.items].count("number_prep") == 3
    chosen = read(SyntaxGymOptions(suites=["toy-gap", "number_prep"]), DATA)
    assert list(chosen.info["suites"]) == ["number_prep", "toy-gap"] and len(chosen.items) == 5
    with pytest.raises(ConfigError, match="source.suites: no suite 'number_orc'"):
        read(SyntaxGymOptions(suites=["number_orc"]), DATA)


def test_recognises(tmp_path):
    assert SyntaxGymOptions.recognises(DATA)
    assert SyntaxGymOptions.recognises(DATA / "number_prep.json")
    pairs = tmp_path / "pairs.json"
    pairs.write_text('{"sentence_good": "a", "sentence_bad": "b"}\n')
    assert not SyntaxGymOptions.recognises(pairs)
    renamed = tmp_path / "suite.jsonl"
    renamed.write_text((DATA / "number_prep.json").read_text())
    assert not SyntaxGymOptions.recognises(renamed)
    assert not SyntaxGymOptions.recognises(tmp_path)  # a folder with a file that is no suite
    assert not SyntaxGymOptions.recognises(tmp_path / "missing.json")


def fixture(name="number_prep.json"):
    return json.loads((DATA / name).read_text())


def broken(tmp_path, change, name="number_prep.json"):
    suite = copy.deepcopy(fixture(name))
    change(suite)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(suite, indent=2))
    return path


def set_formula(text):
    return lambda s: s["predictions"][0].update(formula=text)


def drop_condition(suite):
    suite["items"][1]["conditions"] = suite["items"][1]["conditions"][:1]  # keeps "mismatch"


def renumber(suite):
    suite["items"][2]["conditions"][0]["regions"][3]["region_number"] = 5


def empty_condition(suite):
    for region in suite["items"][0]["conditions"][1]["regions"]:
        region["content"] = " "


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda s: s.pop("items"), "missing 'items'"),
        (lambda s: s.update(items=[]), "'items' is empty"),
        (lambda s: s.update(items={}), "'items' must be a list"),
        (lambda s: s.pop("region_meta"), "missing 'region_meta'"),
        (lambda s: s.update(predictions=[]), "no predictions"),
        (set_formula("(3;%mismatch%) >> (3;%match%)"), r"predictions\[0\]: cannot parse"),
        (set_formula("(9;%mismatch%) > (3;%match%)"), r"predictions\[0\] names region 9"),
        (set_formula("(3;%mismatch%) > (3;%matched%)"), "item 1: no condition 'matched'"),
        (drop_condition, r"item 2: no condition 'match', which predictions\[0\] names"),
        (renumber, "item 3, condition 'match': regions must be numbered 1 to 4, got 1, 2, 3, 5"),
        (empty_condition, "item 1, condition 'mismatch': every region is empty"),
        (lambda s: s["items"][0].pop("item_number"), "an item: missing 'item_number'"),
    ],
)
def test_malformed_suites_are_one_line_errors_naming_the_file(tmp_path, change, words):
    path = broken(tmp_path, change)
    with pytest.raises(DataError, match=words) as err:
        read_suite(path)
    assert str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "meta": {"name": "x"},\n  "items": [,]\n}\n')
    with pytest.raises(DataError, match=r"bad\.json:3:13: invalid JSON") as err:
        read_suite(path)
    assert "\n" not in str(err.value)
    path.write_text("[1, 2]")
    with pytest.raises(DataError, match="expected a SyntaxGym suite"):
        read_suite(path)


def test_folder_errors(tmp_path):
    with pytest.raises(DataError, match="has no .json files"):
        read(SyntaxGymOptions(), tmp_path)
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text((DATA / "toy_gap.json").read_text())
    with pytest.raises(DataError, match=r"b\.json: suite 'toy-gap' is also in .*a\.json"):
        read(SyntaxGymOptions(), tmp_path)


# -- scoring -----------------------------------------------------------------------------------


def score_folder():
    testset = read(SyntaxGymOptions(), DATA)
    calls = []
    scores = score_items(testset.info["suites"], testset.items, fake_surprisals(calls))
    by_suite = {}
    for item, score in zip(testset.items, scores):
        by_suite.setdefault(item.meta["suite"], []).append(score)
    return testset, calls, by_suite


def test_one_batched_call_for_every_condition():
    testset, calls, _ = score_folder()
    assert len(calls) == 1 and len(calls[0]) == 2 * 9
    assert calls[0][0] == "As the criminal shot , the woman yelled at the top of her lungs".split()
    assert calls[0][1] == testset.items[0].conditions["no-comma"].words()
    assert calls[0][2] == "When the dog bit the vet left quickly".split()  # item 2's file order


def test_region_sums_by_hand():
    _, _, by_suite = score_folder()
    # The author | next to the senators | is | very good . <eos>: the first word counts 0
    assert by_suite["number_prep"][0].regions["match"] == {1: 6, 2: 17, 3: 2, 4: 9.5}
    # the empty comma region is 0; <eos> goes to the last region
    comma = {1: 11, 2: 4, 3: 1, 4: 8, 5: 6, 6: 18.5}
    assert by_suite["npz_obj"][0].regions == {"comma": comma, "no-comma": {**comma, 3: 0}}
    # an empty last region: <eos> goes to the last non-empty one
    gap = by_suite["toy-gap"][0].regions
    assert gap == {"gap": {1: 4, 2: 4, 3: 11.5, 4: 0}, "nogap": {1: 4, 2: 4, 3: 11, 4: 7.5}}


def test_predictions_and_accuracy_by_hand():
    _, _, by_suite = score_folder()
    # mismatch > match on the verb: is/are 2 < 3 ok, are/is wrong, were/was ok
    assert [s.correct for s in by_suite["number_prep"]] == [True, False, True]
    # npz: item 3 fails only the second prediction (16.5 - 12.5 >= 1), item 4 only the first
    # ("After the man" 6 != "After a man" 4): an item needs all of them
    assert [s.predictions for s in by_suite["npz_obj"]] == [
        [True, True],
        [True, True],
        [True, False],
        [False, True],
    ]
    assert [s.correct for s in by_suite["npz_obj"]] == [True, True, False, False]
    # gap: 11.5 < 11 no, 0 > 7.5 no; then 11.5 < 12 (the guests ate) yes
    assert [s.correct for s in by_suite["toy-gap"]] == [False, True]
    score = by_suite["toy-gap"][1]
    assert score.excluded is None and score.oov == [] and score.good is None
    assert score.to_dict()["regions"]["gap"][3] == 11.5 and score.to_dict()["correct"] is True


def test_wrong_surprisal_lengths_are_refused():
    testset = read(SyntaxGymOptions(suites=["toy-gap"]), DATA)
    suites = testset.info["suites"]
    with pytest.raises(ValueError, match="expected one per word, then the <eos>"):
        score_items(suites, testset.items, lambda sentences: [[1.0] * len(s) for s in sentences])
    with pytest.raises(ValueError, match="3 results for 4 sentences"):
        score_items(suites, testset.items, lambda sentences: [[1.0]] * 3)


def test_region_surprisals_first_word_zero_and_eos():
    condition = GymCondition("c", ["a bb", "", "ccc", ""])
    assert region_surprisals(condition, [7.0, 2.0, 3.0, 0.25]) == {1: 2.0, 2: 0, 3: 3.25, 4: 0}


def test_gymscore_has_the_report_attributes():
    score = GymScore(correct=True)
    for name in ("correct", "excluded", "good", "bad", "oov", "compared", "good_tokens"):
        assert hasattr(score, name)
    assert score.to_dict()["compared"] == ([], []) and score.bad_tokens == 0


# -- circuits ----------------------------------------------------------------------------------

PAPER_SUITES = (
    "center_embed center_embed_mod cleft cleft_modifier fgd-embed3 fgd-embed4 fgd_hierarchy "
    "fgd_object fgd_pp fgd_subject mvrr mvrr_mod nn-nv-rpl npi_orc_any npi_orc_ever npi_src_any "
    "npi_src_ever npz_ambig npz_ambig_mod npz_obj npz_obj_mod number_orc number_prep number_src "
    "reflexive_orc_fem reflexive_orc_masc reflexive_prep_fem reflexive_prep_masc "
    "reflexive_src_fem reflexive_src_masc subordination subordination_orc-orc "
    "subordination_pp-pp subordination_src-src"
).split()


def test_the_papers_suites_fall_in_its_circuits():
    counts = {}
    for name in PAPER_SUITES:
        counts[circuit_of(name)] = counts.get(circuit_of(name), 0) + 1
    assert counts == {
        "agreement": 3,
        "licensing": 10,
        "garden-path effects": 6,
        "gross syntactic state": 4,
        "center embedding": 2,
        "long-distance dependencies": 6,
        "other": 3,  # fgd-embed3, fgd-embed4, nn-nv-rpl: left out of the paper's analysis
    }
    assert set(counts) - {"other"} == set(CIRCUITS)
    assert circuit_of("Sample subject--verb suite") == "other"


def test_sg_score_by_hand():
    accuracies = {
        "number_prep": 1.0,
        "number_src": 0.5,
        "npi_orc_any": 0.2,
        "reflexive_src_fem": 0.6,
        "center_embed_mod": 0.9,
        "subordination_orc-orc": 0.4,
        "fgd-embed3": 0.0,
    }
    scores = sg_scores(accuracies)
    assert scores["SG score"] == pytest.approx((1.0 + 0.5 + 0.2 + 0.6 + 0.9 + 0.4) / 6)
    assert scores["suites"] == 6
    assert scores["agreement"] == pytest.approx(0.75)
    assert scores["licensing"] == pytest.approx(0.4)
    assert scores["center embedding"] == pytest.approx(0.9)
    assert scores["gross syntactic state"] == pytest.approx(0.4)
    assert scores["other"] == 0.0
    assert "garden-path effects" not in scores and "long-distance dependencies" not in scores
    assert sg_scores({"toy": 1.0}) == {"SG score": None, "suites": 0, "other": 1.0}


def test_sg_score_of_the_fixtures():
    _, _, by_suite = score_folder()
    accuracy = {name: sum(s.correct for s in v) / len(v) for name, v in by_suite.items()}
    assert accuracy == {"npz_obj": 0.5, "number_prep": pytest.approx(2 / 3), "toy-gap": 0.5}
    scores = sg_scores(accuracy)
    assert scores["SG score"] == pytest.approx((0.5 + 2 / 3) / 2) and scores["other"] == 0.5
