from collections import Counter

import pytest

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.text.token_store import encode_lines
from lstm_nlp.text.tokenizer import (
    EOS,
    PAD,
    UNK,
    build_tokenizer,
    count_words,
    load_tokenizer,
    save_tokenizer,
    tokenizer_fingerprint,
)

LINES = ["the cat sat on the mat", "the dog sat", "a <unk> ran"]


def test_specials_first_then_by_frequency():
    tok = build_tokenizer(count_words(LINES))
    vocab = tok.get_vocab()
    assert [vocab[s] for s in (UNK, EOS, PAD)] == [0, 1, 2]
    assert vocab["the"] == 3  # most frequent word (3 times) right after the specials
    assert vocab["sat"] == 4
    assert len(vocab) == len(
        set(" ".join(LINES).split()) | {EOS, PAD}
    )  # <unk> in the text is not doubled


def test_encoding_appends_one_eos_per_line_and_maps_oov_to_unk():
    tok = build_tokenizer(count_words(LINES))
    ids = encode_lines(["the zebra", ""], tok).tolist()
    assert ids == [
        tok.token_to_id("the"),
        tok.token_to_id(UNK),
        tok.token_to_id(EOS),
        tok.token_to_id(EOS),
    ]


def test_min_freq_and_max_size():
    counts = count_words(LINES)
    assert set(build_tokenizer(counts, min_freq=2).get_vocab()) == {UNK, EOS, PAD, "the", "sat"}
    assert len(build_tokenizer(counts, max_size=5).get_vocab()) == 5
    with pytest.raises(ConfigError, match="data.min_freq"):
        build_tokenizer(counts, min_freq=0)
    with pytest.raises(ConfigError, match="data.max_size"):
        build_tokenizer(counts, max_size=2)


def test_lowercase_option():
    tok = build_tokenizer(count_words(["The Cat", "the cat"], lowercase=True), lowercase=True)
    assert encode_lines(["THE CAT"], tok).tolist()[:2] == [
        tok.token_to_id("the"),
        tok.token_to_id("cat"),
    ]


def test_round_trip_through_json(tmp_path):
    tok = build_tokenizer(count_words(LINES))
    save_tokenizer(tok, tmp_path / "tokenizer.json")
    again = load_tokenizer(tmp_path / "tokenizer.json")
    assert again.get_vocab() == tok.get_vocab()
    assert encode_lines(LINES, again).tolist() == encode_lines(LINES, tok).tolist()
    assert tokenizer_fingerprint(again) == tokenizer_fingerprint(tok)
    ids = encode_lines(["the cat sat"], again).tolist()
    assert again.decode(ids, skip_special_tokens=True) == "the cat sat"


def test_fingerprint_changes_with_vocabulary():
    a = build_tokenizer(count_words(LINES))
    b = build_tokenizer(count_words(LINES + ["new words"]))
    assert tokenizer_fingerprint(a) != tokenizer_fingerprint(b)


def test_malformed_tokenizer_file(tmp_path):
    path = tmp_path / "tokenizer.json"
    path.write_text("{not json")
    with pytest.raises(DataError, match="not a valid tokenizer.json"):
        load_tokenizer(path)


def test_count_words_counts_eos_per_line():
    assert count_words(["a b", "", "a"]) == Counter({"a": 2, "b": 1, EOS: 3})
