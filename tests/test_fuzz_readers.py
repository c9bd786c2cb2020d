"""Every reader of user files, fed arbitrary bytes: a valid result or the project's own error,
nothing else."""

import json
from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lstm_nlp.errors import LstmNlpError
from lstm_nlp.evaluation.pairs import read_pairs
from lstm_nlp.tasks.agreement_data import read_annotated, read_linzen
from lstm_nlp.tasks.number_agreement import SPEC as NUMBER
from lstm_nlp.tasks.pronoun_agreement import SPEC as PRONOUN
from lstm_nlp.text.checkpoint_file import read_checkpoint
from lstm_nlp.text.corpus import read_lines
from lstm_nlp.text.token_store import load_stream
from lstm_nlp.text.tokenizer import build_tokenizer, load_tokenizer

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TOK = build_tokenizer(Counter({"the": 5, "dog": 4, "runs": 3, "run": 2, "himself": 1}))

# bytes that look like the real formats often enough to get past the first check
fragments = st.sampled_from(
    [
        b"\n",
        b"\r\n",
        b"\t",
        b" ",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff",
        b"\xc3",
        b"\xc3\xa9",
        b"{",
        b"}",
        b'"',
        b":",
        b",",
        b"[",
        b"]",
        b"VBZ",
        b"VBP",
        b"the dog runs",
        b"sentence_good",
        b"sentence_bad",
        b"prefix",
        b"good",
        b"bad",
        b"attractors=2",
        b"=",
        b"-1",
        b"1e400",
        b"null",
        b"true",
        b"\xe2\x80\xa8",
        b"\x1c",
        b"<eos>",
    ]
)
payloads = st.one_of(st.binary(max_size=300), st.lists(fragments, max_size=60).map(b"".join))


def outcome(call):
    try:
        call()
    except LstmNlpError:
        pass  # the project's own one-line error: fine


def written(tmp_path_factory, data: bytes, name: str):
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    return path


@FUZZ
@given(data=payloads)
def test_corpus_reader_and_token_streams(tmp_path_factory, data):
    path = written(tmp_path_factory, data, "train.txt")
    outcome(lambda: read_lines(path))
    outcome(lambda: load_stream(path, TOK, encoding_errors="strict"))
    outcome(lambda: load_stream(path, TOK, encoding_errors="replace"))


@FUZZ
@given(data=payloads, suffix=st.sampled_from(["jsonl", "tsv", "txt"]))
@example(
    data=b"\xe2\x80\xa8", suffix="tsv"
)  # found by this test: a Unicode line separator only (was IndexError)
def test_pair_files(tmp_path_factory, data, suffix):
    outcome(lambda: read_pairs(written(tmp_path_factory, data, f"pairs.{suffix}")))


@FUZZ
@given(data=payloads)
def test_linzen_files(tmp_path_factory, data):
    path = written(tmp_path_factory, data, "test.tsv")
    outcome(lambda: read_linzen(path, NUMBER))
    outcome(lambda: read_linzen(path, PRONOUN, encoding_errors="replace"))


@FUZZ
@given(text=payloads, annotations=payloads)
def test_annotation_files(tmp_path_factory, text, annotations):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "train.txt").write_bytes(text)
    (folder / "train.jsonl").write_bytes(annotations)
    outcome(lambda: read_annotated(folder / "train.txt", folder / "train.jsonl", NUMBER))


@FUZZ
@given(
    data=st.one_of(
        payloads,
        st.builds(
            lambda v: json.dumps(v).encode(),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                lambda inner: (
                    st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4)
                ),
            ),
        ),
    )
)
def test_tokenizer_and_checkpoint_files(tmp_path_factory, data):
    outcome(lambda: load_tokenizer(written(tmp_path_factory, data, "tokenizer.json")))
    outcome(lambda: read_checkpoint(written(tmp_path_factory, data, "last.ckpt")))
