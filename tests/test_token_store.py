"""The token cache: built once, memory-mapped, rebuilt when the corpus or the tokenizer changes."""

import os

import numpy as np
import pytest

from lstm_nlp.errors import DataError
from lstm_nlp.text import token_store
from lstm_nlp.text.id_file import IdWriter, open_ids
from lstm_nlp.text.tokenizer import build_tokenizer, count_words


def _counting(monkeypatch):
    """Record every stream that is built (not fetched from the cache)."""
    calls = []
    real = token_store.StreamStore.build

    def counted(self, path, writer):
        calls.append(path.name)
        return real(self, path, writer)

    monkeypatch.setattr(token_store.StreamStore, "build", counted)
    return calls


def _entries(cache):
    return (
        sorted(p.name for p in (cache / "tokens").iterdir()) if (cache / "tokens").is_dir() else []
    )


def test_second_load_comes_from_cache(tmp_path, monkeypatch):
    path = tmp_path / "train.txt"
    path.write_text("a b c\nb c\n")
    tok = build_tokenizer(count_words(["a b c", "b c"]))
    calls = _counting(monkeypatch)
    first = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    second = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    assert calls == ["train.txt"]
    assert np.array_equal(first, second) and len(first) == 7
    assert isinstance(second, np.memmap) and not second.flags.writeable


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
    again = token_store.load_stream(path, tok2, cache_dir=tmp_path / "cache")
    assert len(calls) == 3
    assert again[0] != changed[0]  # "a" has another id in tok2 (it is unknown there)
    assert len(_entries(tmp_path / "cache")) == 3  # one entry per (text, tokenizer)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong dtype", "empty"])
def test_damaged_cache_entry_is_rebuilt(tmp_path, monkeypatch, damage):
    path = tmp_path / "train.txt"
    path.write_text("a b\nb a a\n" * 50)
    tok = build_tokenizer(count_words(["a b"]))
    ids = np.array(token_store.load_stream(path, tok, cache_dir=tmp_path / "cache"))
    (entry,) = (tmp_path / "cache" / "tokens").glob("*.npy")
    raw = entry.read_bytes()
    entry.write_bytes(
        {"garbage": b"garbage", "truncated": raw[:-12], "empty": b"", "wrong dtype": b""}[damage]
    )
    if damage == "wrong dtype":
        np.save(entry, ids.astype(np.int64))
    calls = _counting(monkeypatch)
    assert np.array_equal(token_store.load_stream(path, tok, cache_dir=tmp_path / "cache"), ids)
    assert calls == ["train.txt"]
    assert open_ids(entry).dtype == np.int32 and len(open_ids(entry)) == len(ids)


@pytest.mark.parametrize(
    "bad, message",
    [
        (b"\xff\xfe", r"train.txt:302: bytes that are not UTF-8 \(byte 5 of the line\)"),
        (b"\x00", r"train.txt:302: NUL byte"),
    ],
)
def test_bad_bytes_late_in_a_big_file_name_the_line_and_leave_no_cache_file(
    tmp_path, monkeypatch, bad, message
):
    monkeypatch.setattr(
        "lstm_nlp.text.chunks.CHUNK_BYTES", 256
    )  # many chunks: line numbers carry over
    path = tmp_path / "train.txt"
    path.write_bytes(
        b"one two three\r\n" * 300 + b"\n" + b"bad " + bad + b" line\n" + b"more text\n" * 20
    )
    tok = build_tokenizer(count_words(["one two three"]))
    with pytest.raises(DataError, match=message):
        token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    assert _entries(tmp_path / "cache") == []  # neither an entry nor a temporary file


def test_without_a_cache_the_stream_is_mapped_from_an_unlinked_file(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text("a b\n" * 1000)
    tok = build_tokenizer(count_words(["a b"]))
    ids = token_store.load_stream(path, tok)
    assert isinstance(ids, np.memmap) and len(ids) == 3000
    assert not os.path.exists(ids.filename)
    assert ids[:3].tolist() == [
        tok.token_to_id("a"),
        tok.token_to_id("b"),
        tok.token_to_id("<eos>"),
    ]


def test_id_writer_writes_a_npy_file_piece_by_piece(tmp_path):
    with IdWriter(tmp_path / "ids.npy") as writer:
        for start in range(0, 10_000, 999):
            writer.write(np.arange(start, min(start + 999, 10_000)))
    assert np.array_equal(np.load(tmp_path / "ids.npy"), np.arange(10_000, dtype=np.int32))
    with IdWriter(tmp_path / "empty.npy"):
        pass
    assert np.load(tmp_path / "empty.npy").shape == (0,)


def test_a_foreign_tokenizer_encodes_through_its_own_pipeline(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers

    path = tmp_path / "train.txt"
    path.write_text("a b, c\nb\n")
    tok = Tokenizer(
        models.WordLevel(
            {"<unk>": 0, "<eos>": 1, "<pad>": 2, "a": 3, "b": 4, ",": 5}, unk_token="<unk>"
        )
    )
    tok.pre_tokenizer = pre_tokenizers.Whitespace()  # splits punctuation off: not ours to imitate
    ids = token_store.load_stream(path, tok, cache_dir=tmp_path / "cache")
    assert ids.tolist() == [
        3,
        4,
        5,
        0,
        4,
    ]  # no <eos>: this tokenizer has no post-processor adding it


@pytest.mark.parametrize("limit", [0, 7, 10**9])
def test_spilling_ids_give_back_what_was_written(tmp_path, limit):
    from lstm_nlp.text.id_file import SpillingIds

    with SpillingIds(tmp_path, limit=limit) as ids:
        for start in range(0, 100, 9):
            ids.write(np.arange(start, min(start + 9, 100)))
        assert np.array_equal(np.concatenate([b.copy() for b in ids.blocks()]), np.arange(100))
        assert (len(list(tmp_path.iterdir())) == 1) == (
            limit < 100
        )  # spilled to one file beyond the limit
    assert list(tmp_path.iterdir()) == []


def test_a_big_training_split_spills_its_provisional_ids_to_the_cache_folder(tmp_path, monkeypatch):
    from lstm_nlp.text.corpus import CorpusFiles
    from lstm_nlp.text.prepare import prepare_corpus

    monkeypatch.setattr("lstm_nlp.text.id_file.SPILL_IDS", 10)
    monkeypatch.setattr(
        "lstm_nlp.text.id_file.iter_blocks.__defaults__", (16,)
    )  # read back in small blocks
    folder = tmp_path / "c"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("b a c a\nc a\n" * 20)
    corpus = prepare_corpus(
        CorpusFiles(folder, {s: folder / f"{s}.txt" for s in ("train", "valid", "test")}),
        cache_dir=tmp_path / "cache",
    )
    vocab = corpus.tokenizer.get_vocab()
    assert corpus.streams["train"][:5].tolist() == [
        vocab["b"],
        vocab["a"],
        vocab["c"],
        vocab["a"],
        vocab["<eos>"],
    ]
    assert [vocab[w] for w in ("a", "c", "b")] == [3, 4, 5]  # by frequency
    assert not [p for p in (tmp_path / "cache" / "tokens").iterdir() if p.name.startswith(".")]


def test_lowercased_streams_agree_with_the_saved_tokenizer_beyond_ascii(tmp_path):
    """str.lower and the tokenizer's normalizer differ on the Greek final sigma: the stream must
    use the tokenizer's rule, or a word seen in training encodes as <unk> later."""
    from lstm_nlp.text.corpus import CorpusFiles
    from lstm_nlp.text.prepare import prepare_corpus

    for split in ("train", "valid", "test"):
        (tmp_path / f"{split}.txt").write_text("ΟΔΟΣ καλή\nη ΟΔΟΣ\n", encoding="utf-8")
    files = CorpusFiles(
        root=tmp_path, splits={s: tmp_path / f"{s}.txt" for s in ("train", "valid", "test")}
    )
    corpus = prepare_corpus(files, lowercase=True, cache_dir=tmp_path / "cache")
    encoded = corpus.tokenizer.encode("ΟΔΟΣ καλή").ids
    assert list(corpus.streams["train"][:2]) == encoded[:2]
    assert corpus.tokenizer.token_to_id("<unk>") not in encoded


def test_a_full_disk_while_writing_the_cache_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    from lstm_nlp.errors import DataError
    from lstm_nlp.text import id_file
    from lstm_nlp.text.corpus import CorpusFiles
    from lstm_nlp.text.prepare import prepare_corpus

    for split in ("train", "valid", "test"):
        (tmp_path / f"{split}.txt").write_text("a b c\nd e\n", encoding="utf-8")
    files = CorpusFiles(
        root=tmp_path, splits={s: tmp_path / f"{s}.txt" for s in ("train", "valid", "test")}
    )

    def full(self, ids):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(id_file.IdWriter, "write", full)
    cache = tmp_path / "cache"
    with pytest.raises(
        DataError, match="cannot write the token cache \\(No space left on device\\)"
    ):
        prepare_corpus(files, cache_dir=cache)
    left = (
        [p for p in (cache / "tokens").rglob("*") if p.is_file()]
        if (cache / "tokens").exists()
        else []
    )
    assert left == []  # no partial stream
