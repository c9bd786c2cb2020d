"""The streaming stream build gives exactly the ids of pytorch/examples'
``line.split() + ['<eos>']``.

Chunks are made tiny here so that words, lines and ``\\r\\n`` pairs fall on chunk
boundaries and the key table grows several times.
"""

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lstm_nlp.text import word_keys
from lstm_nlp.text.corpus import CorpusFiles, read_lines
from lstm_nlp.text.key_table import KeyTable
from lstm_nlp.text.prepare import prepare_corpus
from lstm_nlp.text.token_store import encode_lines
from lstm_nlp.text.tokenizer import EOS, SPECIALS, UNK, build_tokenizer, count_words


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    monkeypatch.setattr("lstm_nlp.text.chunks.CHUNK_BYTES", 97)


def python_reference(texts: dict[str, str], lowercase=False, min_freq=1, max_size=None):
    """Vocabulary and ids the slow way: str.split per line, counted, sorted, looked up."""
    lines = {s: t.replace("\r\n", "\n").replace("\r", "\n").split("\n") for s, t in texts.items()}
    for _s, ls in lines.items():
        if ls and ls[-1] == "":
            ls.pop()
    norm = (lambda w: w.lower()) if lowercase else (lambda w: w)
    counts = Counter()
    for line in lines["train"]:
        counts.update(norm(w) for w in line.split())
    counts[EOS] += len(lines["train"])
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for word, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        if n < min_freq or (max_size is not None and len(vocab) >= max_size):
            break
        vocab.setdefault(word, len(vocab))
    ids = {
        s: [vocab.get(norm(w), vocab[UNK]) for line in ls for w in line.split() + [EOS]]
        for s, ls in lines.items()
    }
    return vocab, ids


def write_splits(
    folder: Path, texts: dict[str, str], encoding="utf-8", errors="strict"
) -> CorpusFiles:
    folder.mkdir(parents=True, exist_ok=True)
    splits = {}
    for split, text in texts.items():
        splits[split] = folder / f"{split}.txt"
        splits[split].write_bytes(text.encode(encoding, errors) if isinstance(text, str) else text)
    return CorpusFiles(folder, splits)


def random_text(rng: random.Random, n_lines: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGH.,'-0123456789éßø日本語😀"
    common = [
        "the",
        "of",
        "and",
        "a",
        "The",
        "extraordinarily",
        "x" * 8,
        "y" * 9,
        "z" * 24,
        "z" * 25,
    ]
    pool = common + [
        "".join(
            rng.choice(alphabet)
            for _ in range(rng.choice([1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 24, 25, 31, 40]))
        )
        for _ in range(300)
    ]
    lines = []
    for _ in range(n_lines):
        words = [
            rng.choice(pool[:10]) if rng.random() < 0.4 else rng.choice(pool)
            for _ in range(rng.randint(0, 14))
        ]
        seps = [rng.choice([" ", " ", " ", "  ", "\t", " \t "]) for _ in words]
        line = "".join(s + w for s, w in zip(seps, words)) + rng.choice(["", " ", "\t"])
        lines.append(line)
    ends = [rng.choice(["\n", "\n", "\n", "\r\n"]) for _ in lines]
    return "".join(line + end for line, end in zip(lines, ends))


@pytest.mark.parametrize("lowercase", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_corpora_match_the_python_reference(tmp_path, seed, lowercase):
    rng = random.Random(seed)
    texts = {
        "train": random_text(rng, 400),
        "valid": random_text(rng, 60),
        "test": random_text(rng, 60) + "last line",
    }
    files = write_splits(tmp_path / "c", texts)
    vocab, ids = python_reference(texts, lowercase=lowercase)
    corpus = prepare_corpus(files, lowercase=lowercase, cache_dir=tmp_path / "cache")
    assert corpus.tokenizer.get_vocab() == vocab
    for split in texts:
        assert corpus.streams[split].tolist() == ids[split], split
    again = prepare_corpus(
        files, lowercase=lowercase, cache_dir=tmp_path / "cache"
    )  # from the cache
    assert all(np.array_equal(again.streams[s], corpus.streams[s]) for s in texts)


def test_streamed_build_equals_the_all_in_memory_build(tmp_path):
    """The former implementation: every line in memory, the HF tokenizer encoding them."""
    rng = random.Random(5)
    texts = {s: random_text(rng, n) for s, n in (("train", 300), ("valid", 50), ("test", 50))}
    files = write_splits(tmp_path / "c", texts)
    lines = {s: read_lines(p) for s, p in files.splits.items()}
    tok = build_tokenizer(count_words(lines["train"]))
    corpus = prepare_corpus(files, cache_dir=tmp_path / "cache")
    assert corpus.tokenizer.to_str() == tok.to_str()
    for split in texts:
        assert corpus.streams[split].dtype == np.int32
        assert np.array_equal(corpus.streams[split], encode_lines(lines[split], tok)), split


@pytest.mark.parametrize("min_freq, max_size", [(2, None), (1, 12), (3, 8)])
def test_vocabulary_limits(tmp_path, min_freq, max_size):
    texts = {s: random_text(random.Random(s), 200) for s in ("train", "valid", "test")}
    vocab, ids = python_reference(texts, min_freq=min_freq, max_size=max_size)
    corpus = prepare_corpus(
        write_splits(tmp_path / "c", texts), min_freq=min_freq, max_size=max_size
    )
    assert corpus.tokenizer.get_vocab() == vocab
    assert all(corpus.streams[s].tolist() == ids[s] for s in texts)


def test_whitespace_is_what_str_split_splits_on(tmp_path):
    """Non-ASCII spaces and the ASCII separators split words too (the word-by-word fallback)."""
    text = "a\u00a0b c\u3000d\x1ce\x85f\u2028g h\u2003i\n\x0bj\x0ck  \n<eos> x<eos>y\n"
    texts = {
        "train": text,
        "valid": "b\u00a0a\n",
        "test": "zz i\x1ci\x1fa\n",
    }  # test: ASCII only, the fast path
    vocab, ids = python_reference(texts)
    corpus = prepare_corpus(write_splits(tmp_path / "c", texts))
    assert corpus.tokenizer.get_vocab() == vocab
    assert "x<eos>y" in vocab  # one word, as pytorch/examples reads it
    assert all(corpus.streams[s].tolist() == ids[s] for s in texts)


@pytest.mark.parametrize("policy", ["replace", "ignore"])
def test_undecodable_bytes_under_a_lenient_policy(tmp_path, policy):
    raw = b"ok \xff word\n\xfe\xfd\nab\xc3cd \xe6\x97 tail\nok ok\n"
    texts = {"train": raw, "valid": b"ok \xff\n", "test": b"word\n"}
    decoded = {s: t.decode("utf-8", policy) for s, t in texts.items()}
    vocab, ids = python_reference(decoded)
    corpus = prepare_corpus(write_splits(tmp_path / "c", texts), encoding_errors=policy)
    assert corpus.tokenizer.get_vocab() == vocab
    assert all(corpus.streams[s].tolist() == ids[s] for s in texts)


def test_long_words_sharing_a_prefix_stay_apart():
    words = [
        "abcdefgh",
        "abcdefghi",
        "abcdefghij",
        "a" * 16,
        "a" * 17,
        "a" * 24,
        "a" * 25,
        "a" * 26,
        "a" * 24 + "b",
        "a" * 40,
        "a" * 40 + "c",
    ]
    w = word_keys.split_words((" ".join(words) + "\n" + " ".join(reversed(words)) + "\n").encode())
    keys = list(
        zip(
            w.keys.tolist(),
            [
                tuple(w.ext[np.searchsorted(w.long, i)]) if i in w.long else (0, 0)
                for i in range(len(w.keys))
            ],
        )
    )
    starts, ends = w.starts.tolist(), w.ends.tolist()
    text = [w.buf[a:b].decode() for a, b in zip(starts, ends)]
    assert text == words + ["\n"] + list(reversed(words)) + ["\n"]
    exact = [k for k, t in zip(keys, text) if len(t) <= word_keys.EXACT_BYTES]
    assert len(set(exact)) == len({t for t in text if len(t) <= word_keys.EXACT_BYTES})
    assert sorted(text[i] for i in w.huge.tolist()) == sorted(2 * [t for t in words if len(t) > 24])


def test_first_occurrences_in_order_of_appearance():
    rng = np.random.default_rng(0)
    keys = rng.integers(1, 50, size=1000).astype(np.uint64)
    first, group = word_keys.first_occurrences(keys)
    seen = list(dict.fromkeys(keys.tolist()))
    assert keys[first].tolist() == seen
    assert np.array_equal(keys[first][group], keys)
    assert first.tolist() == sorted(first.tolist())


def test_first_occurrences_when_keys_share_their_high_bits(monkeypatch):
    monkeypatch.setattr(
        word_keys, "_MIX", (np.uint64(1),) + word_keys._MIX[1:]
    )  # no mixing: low keys collide
    keys = np.array([5, 3, 5, 9, 3, 1], dtype=np.uint64)
    first, group = word_keys.first_occurrences(keys)
    assert first.tolist() == [0, 1, 3, 5] and group.tolist() == [0, 1, 0, 2, 1, 3]


def test_key_table_grows_and_probes():
    rng = np.random.default_rng(1)
    table = KeyTable(bits=4)
    keys = np.unique(rng.integers(1, 2**63, size=3000, dtype=np.uint64))
    keys = keys[rng.permutation(len(keys))]
    ext = np.zeros((len(keys), 2), np.uint64)
    for part in np.array_split(np.arange(len(keys)), 7):
        table.insert(keys[part], ext[part], part.astype(np.int32))
    probe = np.concatenate([keys, rng.integers(1, 2**63, size=500, dtype=np.uint64)])
    long = np.arange(len(keys) - 5, len(keys))  # a few "long" keys: ext must match too
    got, absent = table.lookup(probe, long, np.zeros((5, 2), np.uint64))
    assert got[: len(keys)].tolist() == list(range(len(keys)))
    assert (got[len(keys) :] == -1).all() and absent.tolist() == list(range(len(keys), len(probe)))
    got, absent = table.lookup(keys[long], np.arange(5), np.ones((5, 2), np.uint64))
    assert (got == -1).all() and absent.tolist() == list(range(5))
