"""The built-in grammar corpus: determinism, agreement correctness, schema, caching."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
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
from lstm_nlp.grammar import (
    CONSTRUCTIONS,
    DEFAULT_MIX,
    SentenceGenerator,
    make_params,
    write_corpus,
)
from lstm_nlp.grammar.constructions import NO_ATTRACTORS
from lstm_nlp.grammar.source import GrammarDataOptions, grammar_corpus
from lstm_nlp.tasks.components import corpus_files
from lstm_nlp.text.corpus import find_splits, read_lines

SMALL = dict(train_sentences=300, valid_sentences=50, test_sentences=50)
FILES = ("train.txt", "valid.txt", "test.txt", "train.jsonl", "valid.jsonl", "test.jsonl")

# -- independent tables, built from the lexicon's word lists -------------------------------------
NOUN_TAGS = {"NN": "sg", "NNP": "sg", "NNS": "pl"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A full-size default corpus (20k train sentences), generated once for the module."""
    folder = tmp_path_factory.mktemp("grammar")
    write_corpus(folder, seed=7)
    return folder


def load(folder: Path, split: str) -> list[tuple[list[str], dict]]:
    lines = (folder / f"{split}.txt").read_text(encoding="utf-8").splitlines()
    records = [
        json.loads(r) for r in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(lines) == len(records)
    return [(line.split(" "), rec) for line, rec in zip(lines, records)]


def controller_features(token: str) -> tuple[str, str | None]:
    if token in PRONOUNS:
        return PRONOUNS[token]
    return NOUN_NUMBER[token], NOUN_GENDER[token]


# -- determinism ---------------------------------------------------------------------------------
def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        write_corpus(tmp_path / name, seed=seed, **SMALL)
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "train.txt").read_bytes() != (
        tmp_path / "c" / "train.txt"
    ).read_bytes()


def test_splits_differ_and_sizes_match(corpus):
    sizes = {s: len(load(corpus, s)) for s in ("train", "valid", "test")}
    assert sizes == {"train": 20000, "valid": 2000, "test": 2000}
    assert (corpus / "valid.txt").read_text() != (corpus / "test.txt").read_text()


def test_generation_is_fast():
    gen = SentenceGenerator(make_params(seed=5))
    start = time.perf_counter()
    gen.corpus(20000)
    assert time.perf_counter() - start < 5.0


# -- format --------------------------------------------------------------------------------------
def test_text_format_and_alignment(corpus):
    raw = (corpus / "train.txt").read_text(encoding="utf-8")
    assert raw.endswith(" .\n") and raw == raw.lower()
    for tokens, rec in load(corpus, "train"):
        assert tokens[-1] == "." and all(tokens), tokens
        assert len(rec["pos"]) == len(tokens)
        assert rec["pos"][-1] == "."
        assert rec["template"] in DEFAULT_MIX
        assert rec["main"] is None or 0 <= rec["main"] < len(rec["sites"])
    assert find_splits(corpus)["train"] == corpus / "train.txt"
    assert len(read_lines(corpus / "train.txt")) == 20000


def test_noun_tags_match_lexicon_number(corpus):
    for tokens, rec in load(corpus, "valid"):
        for token, tag in zip(tokens, rec["pos"]):
            if tag in NOUN_TAGS:
                assert NOUN_NUMBER[token] == NOUN_TAGS[tag], (token, tag)


# -- agreement sites -----------------------------------------------------------------------------
def check_site(tokens: list[str], tags: list[str], site: dict) -> None:
    c, t = site["controller"], site["target"]
    assert tokens[t] == site["good"] and site["bad"] != site["good"]
    number, gender = controller_features(tokens[c])
    assert site["number"] == number
    assert site["gender"] == gender or tokens[c] in ("they", "them")
    if site["type"] == "subject_verb":
        assert c < t
        assert VERB_NUMBER[site["good"]] == number
        assert VERB_NUMBER[site["bad"]] != number
        assert frozenset((site["good"], site["bad"])) in VERB_PAIRS
        assert "bad_gender" not in site
    else:
        table = REFLEXIVES if site["type"] == "reflexive" else PRONOUNS
        good_number, good_gender = table[site["good"]]
        assert good_number == number and (number == "pl" or good_gender == gender)
        assert table[site["bad"]][0] != number
        if site["bad_gender"] is not None:
            assert number == "sg" and gender in ("m", "f")
            assert table[site["bad_gender"]] == ("sg", {"m": "f", "f": "m"}[gender])
    between = [
        i for i in range(c + 1, t) if tags[i] in NOUN_TAGS and NOUN_NUMBER[tokens[i]] != number
    ]
    assert site["attractor_positions"] == between and site["attractors"] == len(between)


def test_every_site_agrees(corpus):
    n_sites = 0
    for split in ("train", "valid", "test"):
        for tokens, rec in load(corpus, split):
            for site in rec["sites"]:
                check_site(tokens, rec["pos"], site)
                n_sites += 1
    assert n_sites > 20000


def test_every_construction_and_attractor_count_appears(corpus):
    rows = load(corpus, "train")
    seen = collections.Counter(s["construction"] for _, rec in rows for s in rec["sites"])
    assert set(seen) == set(CONSTRUCTIONS)
    assert {rec["template"] for _, rec in rows} == set(DEFAULT_MIX)
    attractors = collections.Counter(s["attractors"] for _, rec in rows for s in rec["sites"])
    assert all(attractors[k] > 0 for k in range(4))
    assert any(not rec["sites"] for _, rec in rows)  # plain sentences
    numbers = collections.Counter(s["number"] for _, rec in rows for s in rec["sites"])
    assert 0.4 < numbers["pl"] / sum(numbers.values()) < 0.6


def test_requested_construction_and_attractors():
    gen = SentenceGenerator(make_params(seed=11))
    for construction in CONSTRUCTIONS:
        for k in [0] if construction in NO_ATTRACTORS else [0, 1, 3]:
            sentences = gen.sentences(20, construction, attractors=k)
            for s in sentences:
                site = s.main_site()
                assert site.construction == construction and site.attractors == k
                check_site(s.tokens, s.tags, s.record()["sites"][s.main])
    again = SentenceGenerator(make_params(seed=11)).sentences(20, "pp", attractors=2)
    assert [s.text() for s in again] == [s.text() for s in gen.sentences(20, "pp", attractors=2)]


def test_bad_requests_are_refused():
    gen = SentenceGenerator()
    with pytest.raises(ValueError, match="unknown construction"):
        gen.sentences(1, "nope")
    with pytest.raises(ValueError, match="attractors must be 0"):
        gen.sentences(1, "simple", attractors=1)
    with pytest.raises(ValueError, match="non-negative"):
        gen.sentences(1, "pp", attractors=-1)


# -- lexicon and frequencies ---------------------------------------------------------------------
def test_lexicon_is_large_and_unambiguous():
    assert len(LEX.word_forms()) > 3000
    vbz = {v.vbz for v in LEX.all_verbs()}
    assert not vbz & {v.base for v in LEX.all_verbs()}
    assert not {n.sg for n in LEX.all_nouns()} & {n.pl for n in LEX.all_nouns() if n.pl}
    assert {"actress", "actor", "king", "queen", "senator", "teacher"} <= set(NOUN_NUMBER)


def test_zipf_like_frequencies(corpus):
    counts = collections.Counter(w for tokens, _ in load(corpus, "train") for w in tokens)
    freqs = np.array(sorted(counts.values(), reverse=True), dtype=float)
    assert len(freqs) > 2500
    assert freqs[0] > 1000 * np.median(freqs)
    ranks = np.arange(1, len(freqs) + 1)
    slope = np.polyfit(np.log(ranks[10:1000]), np.log(freqs[10:1000]), 1)[0]
    assert -1.6 < slope < -0.6


# -- parameters ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key, value",
    [
        ("train_sentences", -1),
        ("valid_sentences", 0),
        ("test_sentences", "10"),
        ("seed", 1.5),
        ("plural_prob", 1.5),
        ("max_attractors", -2),
        ("zipf_exponent", -1),
        ("max_lemmas", 0),
        ("construction_mix", {"nope": 1}),
        ("construction_mix", {"pp": -1}),
        ("keep_words", ["cabinet", "zzyzx"]),
        ("keep_words", ["the"]),  # a closed-class word is always there: nothing to keep
    ],
)
def test_invalid_parameters_name_the_key(key, value):
    with pytest.raises(ConfigError) as err:
        make_params(**{key: value})
    assert f"data.{key}" in str(err.value) and "\n" not in str(err.value)


def test_construction_mix_and_max_lemmas(tmp_path):
    mix = {name: 0 for name in DEFAULT_MIX} | {"reflexive_simple": 1}
    gen = SentenceGenerator(make_params(construction_mix=mix, max_lemmas=5))
    sentences = gen.corpus(200)
    assert {s.template for s in sentences} == {"reflexive_simple"}
    lemma = {form: v.base for v in LEX.verbs["reflexive"] for form in (v.base, v.vbz, v.vbd)}
    verbs = {
        lemma[s.tokens[site.target - 1]]
        for s in sentences
        for site in s.sites
        if site.type == "reflexive"
    }
    assert 1 < len(verbs) <= 5


def test_keep_words_keep_their_lemmas_in_a_capped_lexicon():
    words = ["cabinet", "senators", "actress", "met"]
    capped = make_params(max_lemmas=3)
    seen = {t for s in SentenceGenerator(capped).corpus(3000) for t in s.tokens}
    assert not set(words) <= seen  # the cap alone leaves some of them out
    kept = replace(capped, keep_words=words)
    seen_kept = {t for s in SentenceGenerator(kept).corpus(3000) for t in s.tokens}
    assert set(words) <= seen_kept
    assert len(seen_kept - seen) <= 4 * len(words)  # those lemmas' forms, not the whole lexicon
    assert capped.digest() == make_params(max_lemmas=3, keep_words=[]).digest() != kept.digest()


# -- the data source -----------------------------------------------------------------------------
def test_source_generates_once_and_caches(tmp_path):
    options = GrammarDataOptions(seed=3, **SMALL)
    files = grammar_corpus(options, tmp_path)
    assert files.name == "grammar" and files.root.parent == tmp_path / "grammar"
    assert set(files.splits) == set(files.annotations) == {"train", "valid", "test"}
    assert all(p.is_file() for p in [*files.splits.values(), *files.annotations.values()])
    mtime = files.splits["train"].stat().st_mtime_ns
    time.sleep(0.01)
    again = grammar_corpus(options, tmp_path)
    assert again.root == files.root and again.splits["train"].stat().st_mtime_ns == mtime
    other = grammar_corpus(replace(options, seed=4), tmp_path)
    assert other.root != files.root
    bigger = grammar_corpus(replace(options, train_sentences=301), tmp_path)
    assert bigger.root != files.root
    assert len(read_lines(bigger.splits["train"])) == 301
    assert not [p for p in (tmp_path / "grammar").iterdir() if p.name.startswith(".")]
    files.splits["valid"].unlink()
    with pytest.raises(DataError, match="delete this folder"):
        grammar_corpus(options, tmp_path)


def test_source_reads_dictconfig_and_rejects_bad_values(tmp_path):
    omegaconf = pytest.importorskip("omegaconf")
    cfg = omegaconf.OmegaConf.create(
        {
            "name": "grammar",
            "min_freq": 1,
            "max_size": None,
            **SMALL,
            "seed": 9,
            "construction_mix": {"plain": 0},
            "max_lemmas": None,
        }
    )
    files, options = corpus_files(cfg, tmp_path)
    assert isinstance(options, GrammarDataOptions) and options.seed == 9
    assert "plain" not in {
        json.loads(r)["template"] for r in read_lines(files.annotations["train"])
    }
    cfg.train_sentences = -5
    with pytest.raises(ConfigError, match="data.train_sentences"):
        corpus_files(cfg, tmp_path)


@pytest.mark.slow
def test_package_imports_no_heavy_frameworks():
    # The generator imports none of them; the data source registers its options, which stores
    # them in Hydra's ConfigStore (so Hydra is allowed there), but still imports no torch.
    code = (
        "import sys, lstm_nlp.grammar; "
        "bad = [m for m in ('torch', 'lightning', 'pytorch_lightning', 'hydra') if m in "
        "sys.modules]; "
        "assert not bad, bad; "
        "import lstm_nlp.grammar.source; "
        "bad = [m for m in ('torch', 'lightning', 'pytorch_lightning') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
