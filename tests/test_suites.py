"""Targeted evaluation suites: minimal pairs and prediction files from the grammar generator."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import one_line_error, run_cli, run_in_process
from lexicon_tables import (
    LEX,
    NOUN_GENDER,
    NOUN_NUMBER,
    PRONOUNS,
    REFLEXIVES,
    VERB_NUMBER,
    VERB_PAIRS,
)

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.grammar import DEFAULT_MIX, SentenceGenerator, make_params
from lstm_nlp.grammar.prediction import read_prediction
from lstm_nlp.grammar.suites import (
    CATEGORIES,
    build_pairs,
    build_suite,
    read_pairs,
    write_suites,
)
from lstm_nlp.text.vocabulary import load_vocabulary

SEED = 3
MAX_K = 4
NO_ATTRACTOR_CATEGORIES = {
    "simple_agreement",
    "sent_comp",
    "vp_coord_short",
    "reflexive_simple",
    "reflexive_sent_comp",
}
AGREEMENT = {
    "simple_agreement",
    "sent_comp",
    "vp_coord_short",
    "vp_coord_long",
    "pp",
    "subj_rel",
    "obj_rel",
    "obj_rel_no_that",
    "within_obj_rel",
}
REFLEXIVE = {"reflexive_simple", "reflexive_sent_comp", "reflexive_across_rel"}
PRONOUN = {"pronoun_gender", "pronoun_number"}
SPLITS = ("train", "valid", "test")

# -- independent tables, built from the lexicon's word lists (as in test_grammar) -----------------
VERB_FORMS = {f for v in LEX.all_verbs() for f in (v.base, v.vbz, v.vbd)}
OTHER_FORMS = {
    a for group in (LEX.adjectives, LEX.adverbs) for words in group.values() for a in words
}
FLIP = {"sg": "pl", "pl": "sg"}


def controller_features(token: str) -> tuple[str, str | None]:
    if token in PRONOUNS:
        return PRONOUNS[token]
    return NOUN_NUMBER[token], NOUN_GENDER[token]


@pytest.fixture(scope="module")
def suites(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("suites") / "out"
    summary = write_suites(
        folder, seed=SEED, n_per_cell=12, max_attractors=MAX_K, prediction_sizes=(600, 150, 150)
    )
    return folder, summary


def all_pairs(folder: Path) -> dict[str, list[dict]]:
    return {
        name: [json.loads(line) for line in (folder / f"{name}.jsonl").read_text().splitlines()]
        for name in CATEGORIES
    }


def parse_prediction(path: Path) -> list[tuple[str, str, dict]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, prefix, *extra = line.split("\t")
        rows.append((label, prefix, dict(col.split("=", 1) for col in extra)))
    return rows


# -- determinism ---------------------------------------------------------------------------------
def test_same_seed_same_bytes(tmp_path, suites):
    folder, _ = suites
    write_suites(
        tmp_path / "again",
        seed=SEED,
        n_per_cell=12,
        max_attractors=MAX_K,
        prediction_sizes=(600, 150, 150),
    )
    files = sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file()
    )
    assert len(files) == len(CATEGORIES) + 6 + 1
    for f in files:
        assert (folder / f).read_bytes() == (tmp_path / "again" / f).read_bytes(), f
    assert build_pairs("pp", 5, seed=SEED, max_attractors=2) == build_pairs(
        "pp", 5, seed=SEED, max_attractors=2
    )
    assert build_pairs("pp", 5, seed=SEED + 1, max_attractors=2) != build_pairs(
        "pp", 5, seed=SEED, max_attractors=2
    )


def test_rewriting_a_folder_replaces_its_files(tmp_path):
    out = tmp_path / "out"
    write_suites(out, seed=1, n_per_cell=2, max_attractors=1, categories=["pp", "simple_agreement"])
    (out / "notes.txt").write_text("mine")
    summary = write_suites(
        out, seed=2, n_per_cell=2, max_attractors=1, categories=["pp", "simple_agreement"]
    )
    write_suites(
        tmp_path / "fresh",
        seed=2,
        n_per_cell=2,
        max_attractors=1,
        categories=["pp", "simple_agreement"],
    )
    for name in ("pp.jsonl", "simple_agreement.jsonl", "summary.json"):
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary files left
    assert summary == json.loads((out / "summary.json").read_text())


# -- minimal pairs -------------------------------------------------------------------------------
def check_pair(pair: dict) -> None:
    good, bad = pair["sentence_good"].split(" "), pair["sentence_bad"].split(" ")
    t, c = pair["target_index"], pair["controller_index"]
    for s in (pair["sentence_good"], pair["sentence_bad"]):
        assert s == s.lower() and s.endswith(" .") and "  " not in s
    assert len(good) == len(bad) and [i for i in range(len(good)) if good[i] != bad[i]] == [t]
    assert good[t] == pair["good_word"] and bad[t] == pair["bad_word"]
    assert c < t
    number, gender = controller_features(good[c])
    assert pair["number"] == number
    assert pair["gender"] == gender or good[c] in ("they", "them")
    category = pair["category"]
    if category in AGREEMENT:
        assert (
            VERB_NUMBER[pair["good_word"]] == number
            and VERB_NUMBER[pair["bad_word"]] == FLIP[number]
        )
        assert frozenset((pair["good_word"], pair["bad_word"])) in VERB_PAIRS
    else:
        table = REFLEXIVES if category in REFLEXIVE else PRONOUNS
        good_number, good_gender = table[pair["good_word"]]
        assert good_number == number and (number == "pl" or good_gender == gender)
        if category == "pronoun_gender":
            assert number == "sg" and gender in ("m", "f")
            assert table[pair["bad_word"]] == ("sg", {"m": "f", "f": "m"}[gender])
        else:
            assert table[pair["bad_word"]][0] == FLIP[number]
    # attractors: nouns between controller and target with the other number (a handful of
    # noun forms are also verbs, so those only bound the count from above)
    between = [w for w in good[c + 1 : t] if w in NOUN_NUMBER and NOUN_NUMBER[w] != number]
    sure = [w for w in between if w not in VERB_FORMS and w not in OTHER_FORMS]
    assert len(sure) <= pair["attractors"] <= len(between), pair
    if pair["attractors"]:
        assert (
            pair["attractor_number"] == FLIP[number]
            and pair["condition"] == f"{number}_{FLIP[number]}"
        )
    else:
        assert pair["attractor_number"] is None and pair["condition"] == number


def test_every_pair_is_minimal_and_correct(suites):
    folder, _ = suites
    pairs = all_pairs(folder)
    n = 0
    for category, items in pairs.items():
        for i, pair in enumerate(items):
            assert pair["category"] == category and pair["pairID"] == str(i)
            check_pair(pair)
            n += 1
        assert len({(p["sentence_good"], p["sentence_bad"]) for p in items}) == len(
            items
        )  # no repeats
    assert n > 1000
    relativizers = {"that", "who", "which"}
    assert all(
        p["sentence_good"].split()[p["controller_index"] + 1] == "that" for p in pairs["obj_rel"]
    )
    assert all(
        p["sentence_good"].split()[p["controller_index"] + 1] not in relativizers
        for p in pairs["obj_rel_no_that"]
    )
    assert read_pairs(folder / "pp.jsonl") == pairs["pp"]


def test_categories_attractor_ranges_and_balance(suites):
    folder, summary = suites
    assert list(summary["categories"]) == list(CATEGORIES) and len(CATEGORIES) == 14
    assert (
        summary["incomplete"] == []
        and summary["seed"] == SEED
        and summary["generator_version"] >= 1
    )
    for category, items in all_pairs(folder).items():
        expected_k = [0] if category in NO_ATTRACTOR_CATEGORIES else list(range(MAX_K + 1))
        cells = collections.Counter((p["attractors"], p["condition"]) for p in items)
        numbers = ["sg"] if category == "pronoun_gender" else ["sg", "pl"]
        want = {(k, n if k == 0 else f"{n}_{FLIP[n]}"): 12 for k in expected_k for n in numbers}
        assert cells == want, category
        assert summary["categories"][category]["attractors"] == expected_k
        assert summary["counts"][category] == {str(k): 12 * len(numbers) for k in expected_k}
        if category == "pronoun_gender":
            genders = collections.Counter((p["attractors"], p["gender"]) for p in items)
            assert set(genders.values()) == {6} and {g for _, g in genders} == {"m", "f"}
    assert summary["pairs"] == sum(len(v) for v in all_pairs(folder).values())


def test_wider_attractor_range_and_requests():
    pairs = build_pairs("pp", 2, seed=1, max_attractors=6)
    assert collections.Counter(p["attractors"] for p in pairs) == {k: 4 for k in range(7)}
    assert {p["attractors"] for p in build_pairs("sent_comp", 2, seed=1, max_attractors=6)} == {0}
    from lstm_nlp.grammar.suites_options import SuitesOptions

    for bad in (
        dict(n_per_cell=0),
        dict(n_per_cell=-1),
        dict(max_attractors=-1),
        dict(n_per_cell=True),
    ):  # the suite's arguments are checked by the options of the commands that draw suites
        with pytest.raises(ConfigError, match=next(iter(bad))):
            SuitesOptions(out="o", **bad)
    with pytest.raises(ConfigError, match="Did you mean 'obj_rel'"):
        build_pairs("obj_rell", 1, 0)


# -- vocabulary ----------------------------------------------------------------------------------
def test_vocabulary_filter_drops_exactly_the_oov_items():
    big = build_suite("pp", 60, seed=SEED, max_attractors=1)
    words = collections.Counter(
        w for p in big.pairs for w in set(p["sentence_good"].split()) | {p["bad_word"]}
    )
    share = {w: n / len(big.pairs) for w, n in words.items()}
    nouns = sorted(
        (w for w in share if w in NOUN_NUMBER and share[w] <= 0.25), key=lambda w: (-share[w], w)
    )
    removed = nouns[:5]
    assert sum(share[w] for w in removed) > 0.1
    vocab = set(words) - set(removed)
    small = build_suite("pp", 10, seed=SEED, max_attractors=1, vocabulary=vocab)

    def cell(p):
        return p["attractors"], p["condition"]

    expected, dropped = [], collections.Counter()
    for key in sorted({cell(p) for p in big.pairs}):
        kept = 0
        for p in (p for p in big.pairs if cell(p) == key):
            if kept == 10:
                break
            if {*p["sentence_good"].split(), p["bad_word"]} <= vocab:
                expected.append(p)
                kept += 1
            else:
                dropped[key[0]] += 1
        assert kept == 10  # the big draw had enough in-vocabulary pairs
    strip = [{k: v for k, v in p.items() if k != "pairID"} for p in small.pairs]
    order = sorted(strip, key=lambda p: (p["attractors"], p["condition"]))
    assert order == sorted(
        ({k: v for k, v in p.items() if k != "pairID"} for p in expected),
        key=lambda p: (p["attractors"], p["condition"]),
    )
    assert small.dropped_by_vocab == {0: dropped[0], 1: dropped[1]} and sum(dropped.values()) > 0
    assert set(small.oov) <= set(removed)


def test_vocabulary_in_write_suites_and_prediction(tmp_path):
    full = write_suites(
        tmp_path / "full", seed=SEED, n_per_cell=6, max_attractors=2, prediction_sizes=(200, 50, 50)
    )
    lines = [
        line
        for task in ("number_prediction", "pronoun_prediction")
        for s in SPLITS
        for line in (tmp_path / "full" / task / f"{s}.txt").read_text().splitlines()
    ]
    words = collections.Counter(w for line in lines for w in line.split("\t")[1].split())
    vocab = {w for w, n in words.items() if n >= 3} | {"."}
    for p in all_pairs(tmp_path / "full")["pp"]:
        vocab |= set(p["sentence_good"].split()) | {p["bad_word"]}
    summary = write_suites(
        tmp_path / "cut",
        seed=SEED,
        n_per_cell=6,
        max_attractors=2,
        vocabulary=vocab,
        prediction_sizes=(200, 50, 50),
    )
    assert summary["vocabulary"]["size"] == len(vocab) and full["vocabulary"] is None
    for _category, items in all_pairs(tmp_path / "cut").items():
        for p in items:
            assert set(p["sentence_good"].split()) | {p["bad_word"]} <= vocab
    assert summary["dropped_by_vocab"]["pairs"]["pp"] == 0
    assert sum(summary["dropped_by_vocab"]["pairs"].values()) > 0 and summary["oov_words"]
    for task in ("number_prediction", "pronoun_prediction"):
        for s in SPLITS:
            rows = parse_prediction(tmp_path / "cut" / task / f"{s}.txt")
            assert all(set(prefix.split()) <= vocab for _, prefix, _ in rows)
            assert summary["prediction"][task]["splits"][s]["lines"] == len(rows)
        assert sum(summary["dropped_by_vocab"][task].values()) > 0
    for cell in summary["incomplete"]:
        assert cell["got"] < cell["wanted"]
    with pytest.raises(DataError, match="every generated pair has a word outside the vocabulary"):
        write_suites(
            tmp_path / "none",
            seed=SEED,
            n_per_cell=2,
            max_attractors=1,
            vocabulary={"the", "."},
            categories=["simple_agreement"],
        )
    assert not (tmp_path / "none").exists()


def test_load_vocabulary_from_tokenizer_checkpoint_and_run_dir(tmp_path):
    torch = pytest.importorskip("torch")
    from lstm_nlp.text.tokenizer import build_tokenizer, count_words, save_tokenizer

    tok = build_tokenizer(count_words(["the keys are old .", "the key is old ."]))
    expected = {"the", "keys", "are", "old", ".", "key", "is"}
    save_tokenizer(tok, tmp_path / "tokenizer.json")
    assert load_vocabulary(tmp_path / "tokenizer.json") == expected
    assert load_vocabulary(tmp_path) == expected  # a run directory with its tokenizer.json
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    torch.save(
        {"state_dict": {}, "tokenizer_json": tok.to_str()}, run / "checkpoints" / "best.ckpt"
    )
    assert load_vocabulary(run / "checkpoints" / "best.ckpt") == expected
    assert load_vocabulary(run) == expected  # no tokenizer.json: the checkpoint's
    (tmp_path / "empty").mkdir()
    for bad, message in (
        (tmp_path / "nope", "does not exist"),
        (tmp_path / "empty", "folder without"),
        (tmp_path / "x.txt", "neither a tokenizer.json nor a readable"),
        (tmp_path / "broken.json", "not a valid tokenizer.json"),
    ):
        if bad.suffix:
            bad.write_text("{ nope" if bad.suffix == ".json" else "some words")
        with pytest.raises(DataError, match=message) as err:
            load_vocabulary(bad)
        assert str(err.value).startswith("vocab: ") and "\n" not in str(err.value)


# -- prediction files ----------------------------------------------------------------------------
def continuations(task: str, split: str) -> set[tuple[str, str]]:
    """(prefix, next word) of every position of the first sentences of a split's documented stream,
    drawn straight from the generator (pronouns: the anaphora templates only)."""
    mix = (
        {}
        if task == "number_prediction"
        else {
            name: 0
            for name in DEFAULT_MIX
            if name
            not in ("reflexive_simple", "reflexive_sent_comp", "reflexive_across_rel", "pronoun")
        }
    )
    gen = SentenceGenerator(make_params(seed=SEED, max_attractors=MAX_K, construction_mix=mix))
    sentences = gen.corpus(256, stream=f"prediction:{task}:{split}:0")
    return {
        (" ".join(s.tokens[:i]), s.tokens[i]) for s in sentences for i in range(1, len(s.tokens))
    }


def test_prediction_files(suites):
    folder, summary = suites
    keys = {}
    for task in ("number_prediction", "pronoun_prediction"):
        for split, size in zip(SPLITS, (600, 150, 150)):
            path = folder / task / f"{split}.txt"
            rows = parse_prediction(path)
            assert len(rows) == size == summary["prediction"][task]["splits"][split]["lines"]
            assert [(r.label, r.prefix, r.meta) for r in read_prediction(path)] == rows
            for label, prefix, meta in rows:
                assert (
                    all(" " not in v and v for v in meta.values())
                    and prefix.split(" ") == prefix.split()
                )
                word = meta["good"]
                assert meta["bad"] != word and int(meta["attractors"]) >= 0 and meta["construction"]
                if task == "number_prediction":
                    assert list(meta) == ["attractors", "construction", "number", "good", "bad"]
                    assert label == {"sg": "VBZ", "pl": "VBP"}[VERB_NUMBER[word]] and word not in (
                        "was",
                        "were",
                    )
                    assert (
                        meta["number"] == VERB_NUMBER[word]
                        and VERB_NUMBER[meta["bad"]] != meta["number"]
                    )
                else:
                    assert list(meta) == [
                        "attractors",
                        "construction",
                        "number",
                        "gender",
                        "good",
                        "bad",
                    ]
                    assert label == word
                    table = REFLEXIVES if word.endswith(("self", "selves")) else PRONOUNS
                    number, gender = table[word]
                    assert meta["number"] == number and (gender is None or meta["gender"] == gender)
                    assert table[meta["bad"]][0] != number
            if (
                split == "test"
            ):  # the label is the form that follows the prefix in the generated sentence
                seen = continuations(task, split)
                assert all((prefix, meta["good"]) in seen for _, prefix, meta in rows)
            keys[task, split] = [(label, prefix) for label, prefix, _ in rows]
        for a in SPLITS:
            for b in SPLITS:
                if a < b:
                    assert not set(keys[task, a]) & set(keys[task, b]), (task, a, b)
        for split in ("valid", "test"):
            assert len(set(keys[task, split])) == len(keys[task, split])
        assert {r[0] for r in keys[task, "train"]} >= (
            {"VBZ", "VBP"}
            if task == "number_prediction"
            else {"himself", "herself", "themselves", "them"}
        )
    attractors = summary["prediction"]["number_prediction"]["splits"]["train"]["attractors"]
    assert attractors["0"] > 0 and attractors["1"] > 0


def test_test_split_does_not_depend_on_train_size(tmp_path):
    write_suites(
        tmp_path / "a",
        seed=5,
        n_per_cell=1,
        max_attractors=0,
        categories=["pp"],
        prediction_sizes=(10, 30, 40),
    )
    write_suites(
        tmp_path / "b",
        seed=5,
        n_per_cell=1,
        max_attractors=0,
        categories=["pp"],
        prediction_sizes=(90, 30, 40),
    )
    for task in ("number_prediction", "pronoun_prediction"):
        assert (tmp_path / "a" / task / "test.txt").read_bytes() == (
            tmp_path / "b" / task / "test.txt"
        ).read_bytes()
    with pytest.raises(ConfigError, match="prediction_sizes"):
        write_suites(tmp_path / "c", seed=5, n_per_cell=1, prediction_sizes=(10, -1, 3))


@pytest.mark.slow
def test_suites_import_no_heavy_frameworks():
    code = (
        "import sys, lstm_nlp.grammar.suites, lstm_nlp.grammar.prediction; "
        "bad = [m for m in ('torch', 'lightning', 'hydra', 'tokenizers') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- the command line ----------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_end_to_end(tmp_path):
    from lstm_nlp.text.tokenizer import build_tokenizer, count_words, save_tokenizer

    out = tmp_path / "suites"
    proc = run_cli(
        "suites",
        f"out={out}",
        "n_per_cell=3",
        "max_attractors=2",
        "prediction_sizes=[40,10,10]",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "lstm-nlp-suites:" in proc.stdout and str(out) in proc.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert (
        summary["n_per_cell"] == 3
        and summary["max_attractors"] == 2
        and summary["incomplete"] == []
    )
    assert sorted(p.name for p in out.glob("*.jsonl")) == sorted(f"{c}.jsonl" for c in CATEGORIES)
    assert len((out / "number_prediction" / "train.txt").read_text().splitlines()) == 40
    assert not (tmp_path / "outputs").exists()  # no Hydra run folder

    lines = [
        p["sentence_good"]
        for c in ("pp", "simple_agreement")
        for p in read_pairs(out / f"{c}.jsonl")
    ]
    save_tokenizer(build_tokenizer(count_words(lines)), tmp_path / "run" / "tokenizer.json")
    proc = run_cli(
        "suites",
        f"out={tmp_path / 'cut'}",
        "n_per_cell=2",
        "max_attractors=1",
        f"vocab={tmp_path / 'run'}",
        "categories=[pp,simple_agreement]",
        "prediction_sizes=null",
        "grammar.max_lemmas=400",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "cut" / "summary.json").read_text())
    assert (
        list(summary["categories"]) == ["simple_agreement", "pp"] and summary["prediction"] is None
    )
    assert summary["vocabulary"]["size"] > 10 and summary["grammar"]["max_lemmas"] == 400


@pytest.mark.slow
@pytest.mark.parametrize(
    "args, message",
    [
        (["vocab={tmp}/missing"], "vocab: '{tmp}/missing' does not exist"),
        (["vocab={tmp}"], "is a folder without tokenizer.json"),
        (["n_per_cell=-2"], "n_per_cell must be an integer in [1, 100000], got -2"),
        (
            ["prediction_sizes=[10,-1,5]"],
            "prediction_sizes must be null or a list of 3 integers, each in [0, 100000000]",
        ),
        (["max_attractors=-1"], "max_attractors must be an integer in [0, 20]"),
        (["categories=[pp,nope]"], "unknown category 'nope'"),
        (["+grammar.sed=1"], "grammar.sed is not a generator parameter"),
        ([], None),
    ],
)
def test_cli_errors_are_one_line(tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if message is None:  # out missing
        line = one_line_error(run_in_process("suites", "n_per_cell=2"), "lstm-nlp-suites")
        assert "out is required" in line
        return
    line = one_line_error(
        run_in_process("suites", f"out={tmp_path / 'o'}", *args), "lstm-nlp-suites"
    )
    assert message.replace("{tmp}", str(tmp_path)) in line
    assert not (tmp_path / "o").exists()
