import os

import numpy as np

from lstm_nlp.text import token_store
from lstm_nlp.text.tokenizer import build_tokenizer, count_words


def _counting(monkeypatch):
    calls = []
    real = token_store.encode_lines

    def counted(lines, tok):
        calls.append(len(lines))
        return real(lines, tok)

    monkeypatch.setattr(token_store, "encode_lines", counted)
    return calls


def test_second_load_comes_from_cache(tmp_path, monkeypatch):
    path = tmp_path / "train.txt"
    path.write_text("a b c\nb c\n")
    tok = build_tokenizer(count_words(["a b c", "b c"]))
    calls = _counting(monkeypatch)
    first = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    second = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    assert calls == [2]
    assert np.array_equal(first, second)


def test_cache_notices_a_changed_corpus_and_a_changed_tokenizer(tmp_path, monkeypatch):
    path = tmp_path / "train.txt"
    path.write_text("a b c\n")
    tok = build_tokenizer(count_words(["a b c"]))
    calls = _counting(monkeypatch)
    token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    path.write_text("a b c a\n")
    os.utime(path, ns=(1, 10**18))
    changed = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    assert len(changed) == 5 and len(calls) == 2
    tok2 = build_tokenizer(count_words(["c c c b"]))
    token_store.load_stream(path, tok2, cache_dir=tmp_path / "cache")
    assert len(calls) == 3


def test_corrupt_cache_entry_is_rebuilt(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("a b\n")
    tok = build_tokenizer(count_words(["a b"]))
    ids = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    (entry,) = (tmp_path / "cache" / "tokens").glob("*.npy")
    entry.write_bytes(b"garbage")
    assert np.array_equal(token_store.load_stream(path, tok, cache_dir=tmp_path / "cache"), ids)
