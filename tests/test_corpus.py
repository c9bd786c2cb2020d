"""Corpus folders: layouts, pytorch/examples-compatible counts, and clear errors on bad files."""

from pathlib import Path

import numpy as np
import pytest
from corpus_helpers import write_corpus

from lstm_nlp.errors import DataError
from lstm_nlp.text.corpus import CorpusFiles, find_splits, read_lines
from lstm_nlp.text.prepare import prepare_corpus


def examples_data_py(folder: Path, names: dict[str, Path]):
    """pytorch/examples word_language_model/data.py, re-stated: word -> id over all splits."""
    word2idx, streams = {}, {}
    for split, path in names.items():
        ids = []
        with open(path, encoding="utf8") as f:
            for line in f:
                for word in line.split() + ["<eos>"]:
                    ids.append(word2idx.setdefault(word, len(word2idx)))
        streams[split] = ids
    return word2idx, streams


@pytest.mark.parametrize("layout", ["{split}.txt", "ptb.{split}.txt", "wiki.{split}.tokens"])
def test_layouts_are_found(tmp_path, layout):
    folder = write_corpus(tmp_path / "c", layout=layout)
    splits = find_splits(folder)
    assert [p.name for p in splits.values()] == [
        layout.format(split=s) for s in ("train", "valid", "test")
    ]


def test_counts_equal_pytorch_examples(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    text = (
        "the cat  sat\n\n<unk> dog ran\r\n  a bird \nthe end"  # empty line, CRLF, no final newline
    )
    (folder / "train.txt").write_text(text, encoding="utf-8")
    (folder / "valid.txt").write_text("the dog sat\n\n", encoding="utf-8")
    (folder / "test.txt").write_text("a cat ran\n", encoding="utf-8")
    splits = find_splits(folder)
    word2idx, ref = examples_data_py(folder, splits)
    corpus = prepare_corpus(CorpusFiles(folder, splits))
    for split in splits:
        assert len(corpus.streams[split]) == len(ref[split])
        decoded = [corpus.tokenizer.id_to_token(int(i)) for i in corpus.streams[split]]
        inverse = {i: w for w, i in word2idx.items()}
        assert decoded == [inverse[i] for i in ref[split]]
    assert corpus.num_types == len(word2idx)
    assert corpus.streams["train"].dtype == np.int32


def test_bom_is_dropped(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbfhello world\n")
    assert read_lines(path) == ["hello world"]


def test_missing_split_names_folder_and_expected_files(tmp_path):
    (tmp_path / "train.txt").write_text("a b\n")
    (tmp_path / "test.txt").write_text("a b\n")
    with pytest.raises(
        DataError,
        match=r"missing the valid split \(expected valid.txt or ptb.valid.txt or "
        r"wiki.valid.tokens\)",
    ):
        find_splits(tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        find_splits(tmp_path / "nope")


def test_empty_file(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("  \n\n")
    with pytest.raises(DataError, match=r"train.txt: the file is empty"):
        read_lines(path)


def test_non_utf8_names_the_line_and_replace_goes_on(tmp_path):
    path = tmp_path / "train.txt"
    path.write_bytes(b"fine line\nsecond line\nbad \xff\xfe byte\n")
    with pytest.raises(
        DataError, match=r"train.txt:3: bytes that are not UTF-8.*encoding_errors=replace"
    ):
        read_lines(path)
    assert read_lines(path, "replace")[2] == "bad \ufffd\ufffd byte"


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "train.txt"
    path.write_bytes(b"text\n\x00\x01\x02binary")
    with pytest.raises(DataError, match=r"train.txt:2: NUL byte"):
        read_lines(path)


def test_unknown_encoding_policy(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("a\n")
    with pytest.raises(DataError, match="data.encoding_errors must be one of"):
        read_lines(path, "sometimes")


@pytest.mark.skipif(
    not Path("../shared/data/wikitext-2/train.txt").is_file(), reason="needs ../shared/data"
)
def test_wikitext2_counts_if_present():
    folder = Path("../shared/data/wikitext-2")
    corpus = prepare_corpus(CorpusFiles(folder, find_splits(folder)))
    assert len(corpus.streams["train"]) == 2_088_628
    assert corpus.num_types == 33_278


@pytest.mark.parametrize("chunk_bytes", [1, 3, 7, 1 << 19])
def test_lines_read_in_chunks_are_the_lines_of_the_file(tmp_path, monkeypatch, chunk_bytes):
    """Old-Mac \\r, \\r\\n split across reads, a line longer than a read, no final newline, a
    BOM."""
    monkeypatch.setattr("lstm_nlp.text.chunks.CHUNK_BYTES", chunk_bytes)
    path = tmp_path / "t.txt"
    path.write_bytes(
        b"\xef\xbb\xbfone\rtwo\r\n\r\nthree " + b"x" * 50 + b"\r\r\nfour \xc3\xa9t\xc3\xa9\nlast"
    )
    assert read_lines(path) == [
        "one",
        "two",
        "",
        "three " + "x" * 50,
        "",
        "four \u00e9t\u00e9",
        "last",
    ]


def test_a_bad_byte_names_its_line_and_column_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("lstm_nlp.text.chunks.CHUNK_BYTES", 5)
    path = tmp_path / "train.txt"
    path.write_bytes(b"a b\r\nc d\re f\n" * 10 + b"ok ok \xe9\n")
    with pytest.raises(
        DataError, match=r"train.txt:31: bytes that are not UTF-8 \(byte 7 of the line\)"
    ):
        read_lines(path)


def test_a_line_longer_than_a_read_is_cut_between_words(tmp_path, monkeypatch):
    from lstm_nlp.text.chunks import iter_chunks

    monkeypatch.setattr("lstm_nlp.text.chunks.CHUNK_BYTES", 16)
    path = tmp_path / "train.txt"
    words = [f"w{i}" * (i % 5 + 1) for i in range(200)]
    path.write_text("short line\n" + " ".join(words) + "\t\nend\n")
    chunks = list(iter_chunks(path))
    assert max(len(c.data) for c in chunks) < 40  # never the whole line at once
    assert b"".join(c.data for c in chunks).split() == [
        w.encode() for w in ["short", "line", *words, "end"]
    ]
    assert read_lines(path) == ["short line", " ".join(words) + "\t", "end"]
    path.write_bytes(b"ok\n" + " ".join(words).encode() + b" \xff\n")
    with pytest.raises(
        DataError,
        match=rf"train.txt:2: bytes that are not UTF-8 \(byte {len(' '.join(words)) + 2} of",
    ):
        read_lines(path)
