"""The readers of the published agreement sets (lstm_nlp.evaluation.readers), on small files in
each set's native format (tests/data/benchmarks/<set>/): exact items and metadata, one-line
errors naming file:line, the restricted unpickler, and which files each source recognises."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections import Counter
from pathlib import Path

import pytest

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.readers import blimp, gulordava, lakretz, linzen_lm, marvin_linzen
from lstm_nlp.evaluation.readers.restricted_pickle import PlainUnpickler, load_plain
from lstm_nlp.evaluation.testset import TestSet

DATA = Path(__file__).parent / "data" / "benchmarks"
SOURCES = {
    "blimp": (blimp, blimp.BlimpOptions),
    "marvin_linzen": (marvin_linzen, marvin_linzen.MarvinLinzenOptions),
    "gulordava": (gulordava, gulordava.GulordavaOptions),
    "linzen": (linzen_lm, linzen_lm.LinzenOptions),
    "lakretz": (lakretz, lakretz.LakretzOptions),
}


def read(name: str, path: Path) -> TestSet:
    module, options = SOURCES[name]
    return module.read(options(), path)


def error(name: str, path: Path) -> str:
    """The message of the DataError reading ``path`` raises: one line."""
    with pytest.raises(DataError) as info:
        read(name, path)
    message = str(info.value)
    assert "\n" not in message, message
    return message


def copy_set(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(DATA / name, tmp_path / name))


def edit_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# -- BLiMP -------------------------------------------------------------------------------------
def test_blimp_reads_each_paradigm_file_of_a_folder():
    test_set = read("blimp", DATA / "blimp")
    assert test_set.name == "blimp" and test_set.text is None
    assert len(test_set.items) == 5
    first = test_set.items[0]
    assert first.kind == "sentence" and first.prefix is None
    assert (first.good, first.bad) == ("Martha praised herself.", "Martha praised themselves.")
    assert first.source == f"{DATA / 'blimp' / 'anaphor_number_agreement.jsonl'}:1"
    assert first.meta["UID"] == "anaphor_number_agreement"
    assert first.meta["linguistics_term"] == "anaphor_agreement"
    assert first.meta["pairID"] == "0" and first.meta["one_prefix_method"] is True
    assert first.meta["one_prefix_word_good"] == "herself"
    assert Counter(i.meta["UID"] for i in test_set.items) == {
        "anaphor_number_agreement": 3,
        "regular_plural_subject_verb_agreement_1": 2,
    }


def test_blimp_reads_one_file():
    path = DATA / "blimp" / "regular_plural_subject_verb_agreement_1.jsonl"
    items = read("blimp", path).items
    assert [i.good for i in items] == ["The dogs were barking.", "A teacher walks home."]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("{not json", ":2: invalid JSON"),
        (
            '{"sentence_good": "A b.", "sentence_bad": "A c.", "UID": "x"}',
            ":2: missing field 'linguistics_term'",
        ),
        (
            '{"prefix": "A", "good": "b", "bad": "c", "UID": "x", "linguistics_term": "y"}',
            ":2: expected sentence_good and sentence_bad",
        ),
        (
            '{"sentence_good": "A b.", "UID": "x", "linguistics_term": "y"}',
            ":2: missing field 'sentence_bad'",
        ),
    ],
)
def test_blimp_malformed_lines_are_one_line_errors(tmp_path, line, expected):
    path = copy_set("blimp", tmp_path) / "anaphor_number_agreement.jsonl"
    edit_line(path, 2, line)
    message = error("blimp", path)
    assert message.startswith(f"{path}{expected}"), message


# -- Marvin & Linzen ---------------------------------------------------------------------------
def test_marvin_linzen_pools_templates_into_the_papers_categories():
    test_set = read("marvin_linzen", DATA / "marvin_linzen")
    items = test_set.items
    assert test_set.name == "marvin_linzen" and len(items) == 11
    assert all(i.prefix is None for i in items)
    assert Counter(i.meta["category"] for i in items) == {
        "prep": 4,
        "simple_agrmt": 4,
        "simple_npi": 3,
    }
    prep = [i for i in items if i.meta["category"] == "prep"]
    assert Counter(i.meta["animacy"] for i in prep) == {"anim": 2, "inanim": 2}
    assert {i.meta["template"] for i in prep} == {"prep_anim", "prep_inanim"}
    assert "animacy" not in next(i for i in items if i.meta["template"] == "simple_agrmt").meta
    assert set(marvin_linzen.TEMPLATE_CATEGORIES.values()) == set(marvin_linzen.CATEGORY_LABELS)


def test_marvin_linzen_reads_a_python2_template_pickle():
    path = DATA / "marvin_linzen" / "simple_agrmt.pickle"
    assert path.read_bytes().startswith(b"(dp0\nS'sing_MS_MV'")  # as LM_syneval's files are
    items = read("marvin_linzen", path).items
    assert [(i.good, i.bad) for i in items[:2]] == [
        ("the author laughs", "the author laugh"),
        ("the pilot swims", "the pilot swim"),
    ]
    assert [(i.meta["condition"], i.meta["idx"]) for i in items] == [
        ("sing_MS_MV", 0),
        ("sing_MS_MV", 1),
        ("plur_MS_MV", 0),
        ("plur_MS_MV", 1),
    ]
    assert items[1].source == f"{path}:sing_MS_MV:1"


def test_marvin_linzen_npi_triples_keep_the_intrusive_sentence():
    items = read("marvin_linzen", DATA / "marvin_linzen" / "simple_npi_anim.pickle").items
    first = items[0]
    assert (first.good, first.bad) == (
        "no authors have ever been popular",
        "most authors have ever been popular",
    )
    assert first.meta["sentence_intrusive"].startswith("the authors that no guards like")
    assert [i.meta["condition"] for i in items] == ["past", "past", "future"]


def test_marvin_linzen_jsonl_has_the_same_shape(tmp_path):
    path = tmp_path / "obj_rel_no_comp_across_inanim.jsonl"
    records = [
        {"condition": "c1", "sentence_good": "a b", "sentence_bad": "a c"},
        {"condition": "c1", "sentence_good": "d e", "sentence_bad": "d f"},
        {
            "condition": "c2",
            "idx": 7,
            "sentence_good": "g h",
            "sentence_bad": "g i",
            "sentence_intrusive": "g j",
        },
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    items = read("marvin_linzen", path).items
    assert [i.meta["idx"] for i in items] == [0, 1, 7]
    assert {i.meta["category"] for i in items} == {"obj_rel_across_no_that"}
    assert items[2].meta["sentence_intrusive"] == "g j" and items[2].source == f"{path}:3"


def test_marvin_linzen_template_names():
    assert marvin_linzen.template_category("obj_rel_within_inanim") == ("obj_rel_within", "inanim")
    assert marvin_linzen.template_category("npi_across_anim") == ("npi_across", "anim")
    assert marvin_linzen.template_category("long_vp_coord") == ("long_vp_coord", None)
    assert marvin_linzen.template_category("my_own_anim") == ("my_own", "anim")


@pytest.mark.parametrize(
    "data, expected",
    [
        (["not", "a", "dict"], ": expected a dict from condition"),
        ({"sing_MS_MV": [("only one sentence",)]}, ":sing_MS_MV:0: expected (good, bad)"),
        ({"sing_MS_MV": [("a b", "")]}, ":sing_MS_MV:0: expected (good, bad)"),
        ({"sing_MS_MV": "a b"}, ": condition 'sing_MS_MV': expected"),
        ({}, ": no sentence pairs in the file"),
    ],
)
def test_marvin_linzen_malformed_pickles(tmp_path, data, expected):
    path = tmp_path / "simple_agrmt.pickle"
    path.write_bytes(pickle.dumps(data, protocol=0))
    assert error("marvin_linzen", path).startswith(f"{path}{expected}")


def test_marvin_linzen_malformed_jsonl_line(tmp_path):
    path = tmp_path / "sent_comp.jsonl"
    path.write_text(
        '{"condition": "c", "sentence_good": "a b", "sentence_bad": "a c"}\n'
        '{"sentence_good": "a b", "sentence_bad": "a c"}\n',
        encoding="utf-8",
    )
    assert error("marvin_linzen", path) == f"{path}:2: field 'condition' must be a non-empty string"


# -- the restricted unpickler ------------------------------------------------------------------
class Payload:
    """Pickles as a call of os.system: loading it with pickle.load would run the command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class Gadget:
    """A plain class instance: its class is a global too."""


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_malicious_pickle_is_refused_and_nothing_runs(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / "simple_agrmt.pickle"
    path.write_bytes(pickle.dumps({"sing_MS_MV": [Payload(marker)]}, protocol=protocol))
    message = error("marvin_linzen", path)
    assert message.startswith(f"{path}: refused to load the pickle: it names ")
    assert "system" in message and "nothing in it was run" in message
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the control: an unrestricted load runs it
    assert marker.exists()


def exploit(kind: str, marker: Path) -> bytes:
    """Hand-written pickles that create ``marker`` when loaded without restriction."""
    touch = f"touch {marker}".encode()
    opener = f'open("{marker}", "w")'.encode()
    return {
        "global+reduce": b"cos\nsystem\n(S'" + touch + b"'\ntR.",
        "eval": b"cbuiltins\neval\n(S'" + opener + b"'\ntR.",
        "inst": b"(S'" + opener + b"'\nibuiltins\nexec\n.",
        "protocol 2": b"\x80\x02cos\nsystem\nq\x00X"
        + len(touch).to_bytes(4, "little")
        + touch
        + b"\x85R.",
    }[kind]


@pytest.mark.parametrize("kind", ["global+reduce", "eval", "inst", "protocol 2"])
def test_hand_written_exploits_are_refused(tmp_path, kind):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pickle"
    path.write_bytes(exploit(kind, marker))
    with pytest.raises(DataError, match="refused to load the pickle") as info:
        load_plain(path)
    assert str(info.value).startswith(f"{path}: ") and not marker.exists()
    pickle.loads(path.read_bytes())  # the control
    assert marker.exists()


def test_the_unpickler_refuses_any_class_and_reads_plain_data(tmp_path):
    path = tmp_path / "gadget.pickle"
    path.write_bytes(pickle.dumps({"c": [Gadget()]}))
    with pytest.raises(DataError, match=r"it names .*Gadget"):
        load_plain(path)
    with path.open("rb") as f, pytest.raises(pickle.UnpicklingError):
        PlainUnpickler(f).find_class("builtins", "dict")
    plain = {"a": [("x", "y")], "b": (1, 2.5, None, True, b"z", {"s"})}
    path.write_bytes(pickle.dumps(plain, protocol=4))
    assert load_plain(path) == plain


def test_a_truncated_pickle_is_a_data_error(tmp_path):
    path = tmp_path / "cut.pickle"
    path.write_bytes((DATA / "marvin_linzen" / "simple_agrmt.pickle").read_bytes()[:40])
    assert error("marvin_linzen", path).startswith(f"{path}: not a readable pickle (")


# -- Gulordava ---------------------------------------------------------------------------------
def test_gulordava_reads_the_stream_set():
    test_set = read("gulordava", DATA / "gulordava")
    gold = DATA / "gulordava" / "generated.gold"
    assert test_set.name == "gulordava" and len(test_set.items) == 4
    assert len(test_set.text) == 4 and all(line[-1] == "<eos>" for line in test_set.text)
    for k, item in enumerate(test_set.items):
        words = test_set.text[item.line]
        assert item.line == k and item.source == f"{gold}:{k + 1}"
        assert item.prefix == " ".join(words[: len(item.prefix.split())])
    nonce = test_set.items[1]
    assert (nonce.prefix, nonce.good, nonce.bad) == (
        "The sauce to recruit in pastor",
        "approves",
        "approve",
    )
    assert nonce.meta == {
        "pattern": "L!NOUN_VERB_VERB!Number=Plur!Number=Sing",
        "construction_id": 0,
        "sentence_id": 3,
        "type": "nonce",
        "target_pos": "VERB",
        "morphology": "Mood=Ind|Number=Sing|Tense=Pres|VerbForm=Fin",
        "lemma": "approve",
        "cue_index": 1,
        "cue_pos": "NOUN",
    }
    assert Counter(i.meta["type"] for i in test_set.items) == {"original": 2, "nonce": 2}
    assert read("gulordava", gold).items == test_set.items  # the .gold file itself


@pytest.mark.parametrize(
    "file, number, new, expected",
    [
        (
            "generated.gold",
            1,
            "L!X\t0\t0\t6\tVERB\tM\tare\tis\tbe\t1\tNOUN\tp",
            "generated.gold:1: the word at target index 6 is 'is', expected the correct form 'are'",
        ),
        (
            "generated.gold",
            3,
            "R!X\t1\t0\t40\tVERB\tM\tgo\tgoes\tgo\t4\tVERB\tp",
            "generated.gold:3: target index 40 is outside its sentence (12 words before <eos>)",
        ),
        (
            "generated.gold",
            2,
            "L!X\t0\tthree\t6\tVERB\tM\ta\tb\tc\t1\tNOUN\tp",
            "generated.gold:2: sentence id 'three' is not an integer",
        ),
        ("generated.gold", 4, "R!X\t1\t2\t8", "generated.gold:4: 4 tab-separated columns, "),
        ("generated.eval", 2, "7", "generated.eval:2: target index 7 differs from "),
        (
            "generated.text",
            3,
            "I say we just keep the dough and go to Mexico .",
            "generated.text:3: expected a sentence ending in <eos>",
        ),
    ],
)
def test_gulordava_malformed_lines(tmp_path, file, number, new, expected):
    folder = copy_set("gulordava", tmp_path)
    edit_line(folder / file, number, new)
    assert error("gulordava", folder).startswith(f"{folder / expected}")


def test_gulordava_line_counts_must_match(tmp_path):
    folder = copy_set("gulordava", tmp_path)
    text = folder / "generated.text"
    text.write_text("".join(text.read_text().splitlines(keepends=True)[:3]), encoding="utf-8")
    assert error("gulordava", folder).startswith(f"{folder / 'generated.gold'}:4: no text line")
    (folder / "generated.eval").unlink()
    (folder / "generated.text").unlink()
    assert "generated.text" in error("gulordava", folder)


# -- Linzen in LM form -------------------------------------------------------------------------
def test_linzen_reads_the_lm_form():
    test_set = read("linzen", DATA / "linzen")
    items = test_set.items
    assert test_set.name == "linzen" and len(items) == 4 and len(test_set.text) == 4
    assert [i.meta for i in items] == [{"attractors": n} for n in (0, 1, 2, 2)]
    assert (items[1].prefix, items[1].good, items[1].bad) == (
        "the two versions of the game",
        "have",
        "has",
    )
    assert (items[3].good, items[3].bad) == ("are", "is")  # gold "Are"/"Is", lowercased text
    assert read("linzen", DATA / "linzen" / "subj_agr_filtered.gold").items == items


def test_linzen_folder_of_several_sets(tmp_path):
    folder = copy_set("linzen", tmp_path)
    for suffix in (".text", ".gold"):
        shutil.copy(folder / f"subj_agr_filtered{suffix}", folder / f"more{suffix}")
    shutil.copytree(DATA / "gulordava", folder, dirs_exist_ok=True)  # generated.*: not linzen's
    test_set = read("linzen", folder)
    assert len(test_set.items) == 8 and len(test_set.text) == 8
    assert [i.meta["file"] for i in test_set.items] == ["more"] * 4 + ["subj_agr_filtered"] * 4
    assert [i.line for i in test_set.items] == list(range(8))
    assert all(
        i.prefix.split() == test_set.text[i.line][: len(i.prefix.split())] for i in test_set.items
    )


def test_linzen_malformed_lines(tmp_path):
    folder = copy_set("linzen", tmp_path)
    gold = folder / "subj_agr_filtered.gold"
    edit_line(gold, 2, "5\thave\thas\t1")
    assert error("linzen", folder) == (
        f"{gold}:2: the word at target index 5 is 'game', expected the correct form 'have'"
    )
    edit_line(gold, 2, "6\thave\thas\tmany")
    assert error("linzen", folder) == f"{gold}:2: number of attractors 'many' is not an integer"
    edit_line(gold, 2, "6\thave\thas")
    assert error("linzen", folder).startswith(f"{gold}:2: 3 tab-separated columns, expected 4")
    edit_line(gold, 2, "")
    assert error("linzen", folder).startswith(f"{gold}:2: a blank line")


# -- Lakretz -----------------------------------------------------------------------------------
def test_lakretz_reads_both_layouts():
    test_set = read("lakretz", DATA / "lakretz")
    items = test_set.items
    assert test_set.name == "lakretz" and test_set.text is None and len(items) == 6
    assert Counter(i.meta["file"] for i in items) == {"nounpp": 3, "nounpp_adv": 3}
    rel = items[2]
    assert (rel.prefix, rel.good, rel.bad) == (
        "The carpenter that the women admire",
        "encourages",
        "encourage",
    )
    assert rel.meta == {
        "template": "objrel_that",
        "condition": "singular_plural",
        "congruent": False,
        "file": "nounpp",
    }
    task = items[3:]
    assert [i.meta["id"] for i in task] == ["id1", "id2", "id3"]
    assert [i.meta["congruent"] for i in task] == [True, False, False]
    third = task[2]  # its wrong row comes first in the file
    assert (third.prefix, third.good, third.bad) == (
        "The aunts beside the dog definitely",
        "greet",
        "greets",
    )
    assert third.source == f"{DATA / 'lakretz' / 'nounpp_adv.txt'}:5"
    single = read("lakretz", DATA / "lakretz" / "nounpp_adv.txt").items
    assert (
        len(single) == 3 and single[0].meta["file"] == "nounpp_adv"
    )  # always: nounpp's numbers are its own


@pytest.mark.parametrize(
    "number, new, expected",
    [
        (
            2,
            "The athlete near the car probably encourage\tsingular_singular\twrong\tid1",
            ":1 and {path}:2: the correct and the wrong row of id 'id1' differ",
        ),
        (
            2,
            "The athlete behind the car probably encourage\tsingular_singular\tcorrect\tid1",
            ":2: a second 'correct' row for id 'id1' (the first is line 1",
        ),
        (
            4,
            "The boy near the tables certainly approve\tsingular_plural\twrong\tid9",
            ":3: id 'id2' has no 'wrong' row",
        ),
        (
            3,
            "The boy near the tables certainly approves\tsingular_many\tcorrect\tid2",
            ":3: condition 'singular_many', expected singular or plural",
        ),
        (
            3,
            "The boy near the tables certainly approves\tsingular_plural\tcorrect",
            ":3: 3 tab-separated columns, expected 4",
        ),
    ],
)
def test_lakretz_malformed_task_rows(tmp_path, number, new, expected):
    path = copy_set("lakretz", tmp_path) / "nounpp_adv.txt"
    edit_line(path, number, new)
    assert error("lakretz", path).startswith(f"{path}{expected.format(path=path)}")


@pytest.mark.parametrize(
    "new, expected",
    [
        (
            "nounpp\tThe doctors near the cars know\tplural\tplural",
            ":2: expected template<TAB>sentence",
        ),
        (
            "nounpp\tThe doctors near the cars know\tplural\tplural\tknow",
            ":2: the sentence ends in 'know', its last column's form too",
        ),
        (
            "nounpp\tThe doctors near the cars know\tplural\tplural\tknows it",
            ":2: expected one word for each verb's other form",
        ),
    ],
)
def test_lakretz_malformed_generated_rows(tmp_path, new, expected):
    path = copy_set("lakretz", tmp_path) / "nounpp.txt"
    edit_line(path, 2, new)
    assert error("lakretz", path).startswith(f"{path}{expected}")


def test_lakretz_unknown_layout(tmp_path):
    path = tmp_path / "other.txt"
    path.write_text("a\tb\tc\n", encoding="utf-8")
    assert error("lakretz", path).startswith(f"{path}:1: expected sentence<TAB>condition")


# -- every source ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SOURCES)
def test_each_source_recognises_its_own_files_only(name):
    options = SOURCES[name][1]
    for other in SOURCES:
        assert options.recognises(DATA / other) is (other == name), other
        for file in sorted((DATA / other).iterdir()):
            own = other == name and file.suffix not in (".text", ".eval")  # .gold names the set
            assert options.recognises(file) is own, file
    assert options.recognises(DATA) is False  # a folder of sets is not a set


@pytest.mark.parametrize(
    "name, protocol, group_by",
    [
        ("blimp", "blimp", ("UID", "linguistics_term")),
        ("marvin_linzen", "marvin_linzen", ("category",)),
        ("gulordava", "gulordava", ("type", "pattern", "type+pattern")),
        ("linzen", "linzen", ("attractors",)),
        ("lakretz", "lakretz", ("file+condition", "congruent")),
    ],
)
def test_each_source_is_registered_with_its_defaults(name, protocol, group_by):
    from lstm_nlp.registry import EVAL_SOURCES

    module, options = SOURCES[name]
    assert EVAL_SOURCES.schema(name) is options
    assert EVAL_SOURCES.get(name) is module.read
    assert (options.protocol, options.group_by, options.benchmark) == (protocol, group_by, name)
    groups = {g for spec in group_by for g in spec.split("+")}
    assert all(groups <= set(item.meta) for item in read(name, DATA / name).items)


@pytest.mark.parametrize("name", SOURCES)
def test_missing_paths_and_empty_files(tmp_path, name):
    assert (
        error(name, tmp_path / "nowhere") == f"{name}: {str(tmp_path / 'nowhere')!r} does not exist"
    )
    empty = tmp_path / {"blimp": "a.jsonl", "marvin_linzen": "a.jsonl", "lakretz": "a.txt"}.get(
        name, "a.gold"
    )
    empty.write_text("\n", encoding="utf-8")
    empty.with_suffix(".text").write_text("", encoding="utf-8")
    assert "the file is empty" in error(name, empty)
