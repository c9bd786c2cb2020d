"""Benchmark sentences in the training text (n-gram overlap), vocabulary coverage, and which
text files a run trained on."""

import pytest
from corpus_helpers import write_corpus

from lstm_nlp.evaluation.contamination import (
    checkpoint_corpus,
    corpus_lines,
    ngram_overlap,
    run_config,
    training_corpus,
    vocabulary_coverage,
)

CORPUS = [
    "the cat that the dogs chase sleeps on the mat",
    "a bird sings .",
    "the keys to the cabinet",  # a line break between these two lines:
    "are on the table",  # "the cabinet are on" is in no line
    "",
    "colorless green ideas sleep furiously",
]


def lines(texts):
    return [t.split() for t in texts]


def overlap(sentences, n=3, corpus=CORPUS):
    return ngram_overlap(lines(sentences), iter(lines(corpus)), n=n)


def test_a_sentence_sharing_an_ngram_with_a_line_is_contaminated():
    result = overlap(
        [
            "my cat that the dogs like",  # "cat that the" is in line 1
            "nothing here matches at all",
            "he sings . loudly",  # "sings ." + nothing: no 3-gram of line 2
            "green ideas sleep deeply",  # "green ideas sleep"
        ]
    )
    assert result["contaminated_index"] == [0, 3]
    assert result["contaminated"] == 2 and result["sentences"] == 4
    assert result["share"] == 0.5
    assert result["corpus_lines"] == 6 and result["corpus_words"] == 28


def test_ngrams_never_span_a_line_break():
    result = overlap(["the cabinet are on a floor", "to the cabinet are"], n=3)
    assert result["contaminated_index"] == [1]  # "to the cabinet" is within line 3
    assert overlap(["the cabinet are on"], n=4)["contaminated"] == 0


def test_a_sentence_shorter_than_n_counts_when_it_occurs_whole_in_a_line():
    result = overlap(
        [
            "dogs chase",  # contiguous in line 1
            "cat sleeps",  # both words in line 1, not next to each other
            "cabinet are",  # only across the line break
            "mat",  # a one-word sentence that is a corpus word
            "",  # empty: never contaminated
        ],
        n=8,
    )
    assert result["contaminated_index"] == [0, 3]
    assert result["short"] == 4 and result["short_contaminated"] == 2
    assert result["short_share"] == 0.5
    assert result["empty"] == 1 and result["sentences"] == 5


def test_the_default_is_8_grams():
    sentence = "yesterday the cat that the dogs chase sleeps on the mat again"
    result = ngram_overlap([sentence.split()], lines(CORPUS))
    assert result["n"] == 8 and result["contaminated"] == 1
    shifted = "the cat that the dogs chase sleeps under the mat"  # 7 words in common, then not
    assert ngram_overlap([shifted.split()], lines(CORPUS))["contaminated"] == 0
    assert ngram_overlap([shifted.split()], lines(CORPUS), n=7)["contaminated"] == 1


def test_counts_of_ngrams_and_repeated_sentences():
    result = overlap(["a bird sings .", "a bird sings .", "a bird flies ."])
    assert result["contaminated_index"] == [0, 1]  # every sentence counts, duplicates too
    assert result["ngrams"] == 4  # distinct: a bird sings, bird sings ., a bird flies, bird flies .
    assert result["ngrams_found"] == 2


def test_no_sentences_and_a_bad_n():
    assert ngram_overlap([], lines(CORPUS))["share"] is None
    with pytest.raises(ValueError, match="n must be at least 1"):
        ngram_overlap([["a"]], [], n=0)


def test_the_corpus_is_read_once_as_a_stream():
    def stream():
        yield from lines(CORPUS)

    assert ngram_overlap(lines(["a bird sings"]), stream(), n=3)["contaminated"] == 1


def test_a_planted_ngram_is_found_in_a_larger_streamed_corpus():
    import random

    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(5000)]
    sentences = [[rng.choice(vocab) for _ in range(12)] for _ in range(2000)]
    lines = [[rng.choice(vocab) for _ in range(20)] for _ in range(25_000)]  # 500k words
    lines[12_345][3:11] = sentences[77][4:12]  # one sentence's last 8 words, inside a line
    result = ngram_overlap(sentences, iter(lines), n=8)  # streamed: a generator is enough
    assert result["corpus_words"] == 500_000
    assert (result["contaminated"], result["contaminated_index"]) == (1, [77])


def test_vocabulary_coverage_of_tokens_and_types():
    words = "the cat the dog the emu".split()
    result = vocabulary_coverage(words, {"the": 0, "cat": 1, "<unk>": 2})
    assert (result["tokens"], result["tokens_in_vocab"]) == (6, 4)
    assert result["token_share"] == pytest.approx(4 / 6)
    assert (result["types"], result["types_in_vocab"], result["type_share"]) == (4, 2, 0.5)
    assert result["oov"] == {"dog": 1, "emu": 1}
    assert vocabulary_coverage([], set())["token_share"] is None


def test_corpus_lines_streams_the_files_line_by_line(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The Cat sat\n\nA dog\n", encoding="utf-8")
    b.write_text("last line without newline", encoding="utf-8")
    assert list(corpus_lines([a, b])) == [
        ["The", "Cat", "sat"],
        [],
        ["A", "dog"],
        ["last", "line", "without", "newline"],
    ]
    assert next(corpus_lines([a], lowercase=True)) == ["the", "cat", "sat"]


# -- which text a run trained on: the layout of RUN_DIR/.hydra/config.yaml ---------------------
def text_config(path, **data):
    """The keys of a real run's config that matter here (``lstm-nlp-train data=text``)."""
    return {
        "seed": 1234,
        "run_dir": "runs/text",
        "cache_dir": None,
        "task": {"name": "language_model", "batch_size": 20, "embedding_dim": 8},
        "encoder": {"name": "lstm", "hidden_size": 8, "num_layers": 1},
        "data": {
            "name": "text",
            "min_freq": 1,
            "max_size": None,
            "lowercase": False,
            "encoding_errors": "strict",
            "path": str(path),
            **data,
        },
    }


def grammar_config(cache_dir, **data):
    return {
        "seed": 1234,
        "cache_dir": str(cache_dir),
        "task": {"name": "language_model"},
        "data": {"name": "grammar", "seed": 3, "train_sentences": 40, "valid_sentences": 5}
        | {"test_sentences": 5, "min_freq": 1, "lowercase": False, **data},
    }


def test_a_text_run_trained_on_its_folders_train_split_only(tmp_path):
    folder = write_corpus(tmp_path / "corpus")
    assert training_corpus(text_config(folder)) == [folder / "train.txt"]
    ptb = write_corpus(tmp_path / "ptb", layout="ptb.{split}.txt")
    assert training_corpus(text_config(ptb)) == [ptb / "ptb.train.txt"]
    # a relative data.path is relative to the folder training ran in
    assert training_corpus(text_config("corpus"), base=tmp_path) == [folder / "train.txt"]
    # a checkpoint's layout, should a task ever keep the data config among its hyper-parameters
    nested = {"hyper_parameters": {"data": text_config(folder)["data"]}}
    assert training_corpus(nested) == [folder / "train.txt"]


def test_a_text_corpus_that_is_gone_or_unknown_is_not_available(tmp_path):
    assert training_corpus(text_config(tmp_path / "gone")) is None
    assert training_corpus(text_config("???")) is None
    assert training_corpus({"data": {"name": "hub", "dataset": "wikitext"}}) is None
    assert training_corpus({"task": {"name": "language_model"}}) is None


def test_a_grammar_run_gets_its_generated_training_split(tmp_path):
    from lstm_nlp.grammar.source import corpus_folder
    from lstm_nlp.grammar.writer import write_corpus as write_grammar
    from lstm_nlp.registry import DATA_SOURCES

    config = grammar_config(tmp_path / "cache")
    assert training_corpus(config, generate=False) is None  # not in the cache yet
    (train,) = training_corpus(config)
    options = DATA_SOURCES.options(config["data"])
    assert train == corpus_folder(options, tmp_path / "cache") / "train.txt"  # training's file
    assert len(train.read_text(encoding="utf-8").splitlines()) == 40
    assert training_corpus(config, generate=False) == [train]  # cached now
    # the same sentences as the generator writes for these parameters
    write_grammar(
        tmp_path / "again", seed=3, train_sentences=40, valid_sentences=5, test_sentences=5
    )
    assert train.read_text() == (tmp_path / "again" / "train.txt").read_text()
    # a setting this version cannot generate
    assert training_corpus(grammar_config(tmp_path / "cache", no_such_key=1)) is None


def make_run(root, config, cwd):
    """A run directory as lstm-nlp-train leaves it (the files read here)."""
    import yaml

    (root / ".hydra").mkdir(parents=True)
    (root / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    hydra = {"hydra": {"runtime": {"version": "1.3.8", "cwd": str(cwd)}, "job": {"chdir": False}}}
    (root / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(hydra), encoding="utf-8")
    (root / "checkpoints").mkdir()
    (root / "checkpoints" / "best.ckpt").write_bytes(b"")
    return root


def test_checkpoint_corpus_reads_the_runs_config_from_where_it_ran(tmp_path, monkeypatch):
    folder = write_corpus(tmp_path / "work" / "corpus")
    run = make_run(tmp_path / "work" / "runs" / "text", text_config("corpus"), tmp_path / "work")
    monkeypatch.chdir(tmp_path)  # not where the run started
    assert checkpoint_corpus(run) == [folder / "train.txt"]
    assert checkpoint_corpus(run / "checkpoints" / "best.ckpt") == [folder / "train.txt"]
    assert run_config(run)["data"]["path"] == "corpus"
    assert checkpoint_corpus(tmp_path / "no_run") is None


def test_checkpoint_corpus_resolves_what_it_can_of_the_config(tmp_path, monkeypatch):
    folder = write_corpus(tmp_path / "corpus")
    config = text_config("${oc.env:CORPUS_DIR}")
    config["run_dir"] = "runs/${task.name}/${now:%Y-%m-%d}"  # only Hydra resolves ${now:}
    run = make_run(tmp_path / "run", config, tmp_path)
    monkeypatch.setenv("CORPUS_DIR", str(folder))
    assert checkpoint_corpus(run) == [folder / "train.txt"]
    grammar = make_run(tmp_path / "grammar_run", grammar_config(tmp_path / "cache"), tmp_path)
    (train,) = checkpoint_corpus(grammar)
    assert train.is_file() and (tmp_path / "cache") in train.parents
    assert checkpoint_corpus(grammar, generate=False) == [train]


def test_importing_it_loads_no_torch():
    import subprocess
    import sys

    code = "import sys, lstm_nlp.evaluation.contamination; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
