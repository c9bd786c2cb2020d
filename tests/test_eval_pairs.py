"""Reading minimal pairs (JSONL, TSV, folders), malformed input, and BLiMP-style normalisation."""

import json

import pytest

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.normalize import normalize
from lstm_nlp.evaluation.pairs import read_pairs

BLIMP = {
    "sentence_good": "Many girls insulted themselves.",
    "sentence_bad": "Many girls insulted herself.",
    "field": "morphology",
    "linguistics_term": "anaphor_agreement",
    "UID": "anaphor_number_agreement",
    "simple_LM_method": True,
    "one_prefix_method": True,
    "two_prefix_method": False,
    "lexically_identical": False,
    "pairID": "0",
}


def test_blimp_jsonl_fields_and_metadata(tmp_path):
    path = tmp_path / "anaphor_number_agreement.jsonl"
    path.write_text(
        json.dumps(BLIMP) + "\n\n" + json.dumps({**BLIMP, "pairID": "1"}) + "\n", encoding="utf-8"
    )
    items = read_pairs(path)
    assert len(items) == 2 and items[0].kind == "sentence" and items[0].prefix is None
    assert (
        items[0].good == "Many girls insulted themselves."
        and items[0].bad == "Many girls insulted herself."
    )
    assert (
        items[0].meta["UID"] == "anaphor_number_agreement"
        and items[0].meta["simple_LM_method"] is True
    )
    assert "sentence_good" not in items[0].meta and "file" not in items[0].meta
    assert items[1].source == f"{path}:3"  # blank line skipped, numbering kept


def test_prefix_pairs_in_tsv_and_jsonl_and_folders(tmp_path):
    (tmp_path / "b.tsv").write_text(
        "prefix\tgood\tbad\tattractors\nthe keys to the cabinet\tare\tis\t1\nthe key\tis\tare\t0\n",
        encoding="utf-8",
    )
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"prefix": "", "good": "the", "bad": "a", "category": "x"}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    items = read_pairs(tmp_path)
    assert [it.meta["file"] for it in items] == ["a", "b", "b"]  # sorted by name, stem as `file`
    assert items[0].prefix == "" and items[0].kind == "prefix"
    assert (items[1].prefix, items[1].good, items[1].bad) == (
        "the keys to the cabinet",
        "are",
        "is",
    )
    assert items[1].meta == {"attractors": "1", "file": "b"} and items[2].source.endswith("b.tsv:3")


MALFORMED = {
    "bad_json": (
        "x.jsonl",
        b'{"sentence_good": "a b", "sentence_bad": "b a"}\n{"sentence_good": "a",\n',
        2,
        "invalid JSON",
    ),
    "not_object": ("x.jsonl", b'["a", "b"]\n', 1, "JSON object"),
    "missing_field": (
        "x.jsonl",
        b'{"sentence_good": "a b", "sentence_bad": "b a"}\n{"sentence_good": "a b"}\n',
        2,
        "sentence_bad",
    ),
    "missing_prefix_field": ("x.jsonl", b'{"prefix": "the", "good": "cat"}\n', 1, "'bad'"),
    "no_known_fields": ("x.jsonl", b'{"text": "a b"}\n', 1, "missing fields"),
    "not_a_string": (
        "x.jsonl",
        b'{"sentence_good": 3, "sentence_bad": "b"}\n',
        1,
        "must be a string",
    ),
    "empty_sentence": ("x.jsonl", b'{"sentence_good": "  ", "sentence_bad": "b"}\n', 1, "is empty"),
    "column_count": (
        "x.tsv",
        b"prefix\tgood\tbad\nthe\tcat\tcats\nthe\tdog\n",
        3,
        "2 columns, but the header has 3",
    ),
    "tsv_header": ("x.tsv", b"context\tgood\tbad\nthe\tcat\tcats\n", 1, "header row needs"),
    "non_utf8": (
        "x.jsonl",
        b'{"sentence_good": "a", "sentence_bad": "b"}\n{"sentence_good": "caf\xe9"}\n',
        2,
        "not UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_names_file_and_line(tmp_path, case):
    name, data, line, words = MALFORMED[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DataError) as err:
        read_pairs(path)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ") and words in message and "\n" not in message


@pytest.mark.parametrize("data", [b"", b"\n  \n", b"prefix\tgood\tbad\n"])
def test_empty_files(tmp_path, data):
    path = tmp_path / ("x.tsv" if data.startswith(b"prefix") else "x.jsonl")
    path.write_bytes(data)
    with pytest.raises(DataError, match=rf"^{path}: .*(empty|no pairs)"):
        read_pairs(path)


def test_missing_path_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        read_pairs(tmp_path / "nope.jsonl")
    with pytest.raises(DataError, match="no .jsonl or .tsv files"):
        read_pairs(tmp_path)


@pytest.mark.parametrize(
    "raw, lowercase, split, words",
    [
        (
            "Many girls insulted themselves.",
            False,
            True,
            ["Many", "girls", "insulted", "themselves", "."],
        ),
        (
            "Many girls insulted themselves.",
            True,
            True,
            ["many", "girls", "insulted", "themselves", "."],
        ),
        (
            "Many girls insulted themselves.",
            False,
            False,
            ["Many", "girls", "insulted", "themselves."],
        ),
        ("Who don't the boys like?", True, True, ["who", "don't", "the", "boys", "like", "?"]),
        ('Tina said, "Wait..."', False, True, ["Tina", "said", ",", '"', "Wait", "...", '"']),
        (
            "The U.S. and Mr. Smith's well-known dogs' bone costs 3.5.",
            False,
            True,
            [
                "The",
                "U.S.",
                "and",
                "Mr.",
                "Smith's",
                "well-known",
                "dogs",
                "'",
                "bone",
                "costs",
                "3.5",
                ".",
            ],
        ),
        (
            "john 's dog does n't bark -- @-@ ...",
            False,
            True,
            ["john", "'s", "dog", "does", "n't", "bark", "--", "@-@", "..."],
        ),
        ("(Maybe) not!?", False, True, ["(", "Maybe", ")", "not", "!", "?"]),
        ("  spaced \t out\n", False, True, ["spaced", "out"]),
    ],
)
def test_normalize_blimp_style(raw, lowercase, split, words):
    assert normalize(raw, lowercase=lowercase, split_punctuation=split) == words
