"""``lstm-nlp-import`` on the command line: a summary line on success, and every bad input one
line naming the file and what was expected (exit code 2), with nothing written."""

from __future__ import annotations

import json
import math

import pytest
import torch
from cli_helpers import one_line_error, run_cli, run_in_process
from import_fixtures import faithful_log_probs, originals_once

from lstm_nlp.errors import DataError

PROG = "lstm-nlp-import"


@pytest.fixture
def originals(tmp_path_factory):
    return originals_once(tmp_path_factory)


def run_import(*args):
    return run_in_process("import_checkpoint", *args)


def test_the_command_writes_the_checkpoint_and_says_what_it_found(originals, tmp_path):
    out = tmp_path / "awd.ckpt"
    proc = run_import(f"checkpoint={originals / 'awd' / 'PTB.pt'}", f"out={out}")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith(f"{PROG}: ") and "\n" not in line
    for part in ("awd: 3 LSTM layers 12/12/8, embedding 8, tied", "22 words", "added <pad>"):
        assert part in line, line
    assert line.endswith(f"-> {out} (log-probs checked: max difference 0.0e+00)")
    record = torch.load(out, weights_only=True)["lstm_nlp_import"]
    assert record["format"] == "awd" and record["added"] == ["<pad>"]


def bad_inputs(root, tmp):
    """(arguments, what the one line must say) for each kind of bad input."""
    wlm, corpus = root / "wlm" / "model.pt", root / "corpus"
    text = tmp / "notes.txt"
    text.write_text("not a model\n")
    truncated = tmp / "cut.pt"
    truncated.write_bytes(wlm.read_bytes()[:400])
    unknown = tmp / "other.pt"
    torch.save({"fc.weight": torch.zeros(2, 2)}, unknown)
    extra = tmp / "extra.pt"
    torch.save({**torch.load(root / "wlm" / "state_dict.pt"), "pos.weight": torch.ones(1)}, extra)
    bidirectional = tmp / "bi.pt"
    lstm = torch.nn.LSTM(12, 12, bidirectional=True).state_dict()
    torch.save(
        {
            "encoder.weight": torch.zeros(22, 12),
            **{f"rnn.{k}": v for k, v in lstm.items()},
            "decoder.weight": torch.zeros(22, 24),
        },
        bidirectional,
    )
    flat = tmp / "flat.pt"
    one_layer = torch.nn.LSTM(12, 12).state_dict()
    torch.save(
        {
            "encoder.weight": torch.zeros(22),
            **{f"rnn.{k}": v for k, v in one_layer.items()},
            "decoder.weight": torch.zeros(22, 12),
        },
        flat,
    )
    ours = tmp / "ours.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": {}, "lstm_nlp_task": "language_model"}, ours)
    scripted = tmp / "scripted.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), scripted)
    blank = tmp / "vocab.txt"
    blank.write_text("the\ncat\n\ndog\n")
    twice = tmp / "twice.txt"
    twice.write_text("the\ncat\nthe\n")
    numbers = tmp / "numbers.pt"
    torch.save([1, 2, 3], numbers)
    lone = tmp / "lone"
    lone.mkdir()
    (lone / "model.pt").write_bytes(wlm.read_bytes())
    return [
        ([f"checkpoint={tmp / 'missing.pt'}"], "missing.pt' does not exist"),
        ([f"checkpoint={tmp}"], "is a folder; give the model file itself"),
        ([f"checkpoint={text}"], "notes.txt: not a readable PyTorch or pickle file"),
        ([f"checkpoint={truncated}"], "cut.pt: not a readable PyTorch or pickle file"),
        ([f"checkpoint={scripted}"], "scripted.pt: a TorchScript archive"),
        ([f"checkpoint={unknown}"], "other.pt: unknown layout (weights fc.weight)"),
        ([f"checkpoint={extra}", f"vocab={corpus}"], "unexpected weights pos.weight"),
        ([f"checkpoint={bidirectional}"], "bi.pt: a bidirectional LSTM"),
        ([f"checkpoint={flat}"], "flat.pt: the embedding weight is torch.float32 of shape [22]"),
        ([f"checkpoint={ours}"], "ours.ckpt: already an lstm-nlp checkpoint"),
        (
            [f"checkpoint={root / 'wlm' / 'gru.pt'}", f"vocab={corpus}"],
            "gru.pt: its rnn is an nn.GRU",
        ),
        (
            [f"checkpoint={root / 'wlm' / 'gru_state_dict.pt'}", f"vocab={corpus}"],
            "rnn layer 0 is a GRU layer; lstm-nlp-import reads LSTM language models only",
        ),
        (
            [f"checkpoint={root / 'awd' / 'split.pt'}"],
            "split.pt: its SplitCrossEntropyLoss is a split",
        ),
        (
            [f"checkpoint={wlm}", f"vocab={root / 'cg' / 'vocab.txt'}"],
            "vocab.txt has 23 words, but the embedding of",
        ),
        ([f"checkpoint={wlm}", f"vocab={corpus}", "format=awd"], "format=awd, but the file has"),
        (
            [f"checkpoint={lone / 'model.pt'}"],
            "vocab: not given, and no vocab.txt or corpus.*.data",
        ),
        ([f"checkpoint={wlm}", f"vocab={blank}"], "vocab.txt: line 3 is empty; expected one word"),
        ([f"checkpoint={wlm}", f"vocab={twice}"], "'the' is there twice (ids 0 and 2)"),
        ([f"checkpoint={wlm}", f"vocab={numbers}"], "numbers.pt: 1 is not a word"),
        (
            [f"checkpoint={wlm}", f"vocab={tmp / 'nope.txt'}"],
            "vocab: '" + str(tmp / "nope.txt") + "' does not exist",
        ),
    ]


def test_every_bad_input_is_one_line_and_writes_nothing(originals, tmp_path):
    cases = bad_inputs(originals, tmp_path)
    out = tmp_path / "written" / "out.ckpt"
    for args, expected in cases:
        line = one_line_error(run_import(*args, f"out={out}"), PROG)
        assert expected in line, (args, line)
        assert not out.parent.exists() or not list(out.parent.iterdir()), args


def test_an_existing_out_is_kept_unless_overwrite(originals, tmp_path):
    out = tmp_path / "out.ckpt"
    out.write_bytes(b"keep me")
    source = f"checkpoint={originals / 'awd' / 'PTB.pt'}"
    line = one_line_error(run_import(source, f"out={out}"), PROG)
    assert "exists (overwrite=true replaces it)" in line and out.read_bytes() == b"keep me"
    assert run_import(source, f"out={out}", "overwrite=true").returncode == 0
    assert torch.load(out, weights_only=True)["lstm_nlp_task"] == "language_model"


def test_a_failure_after_writing_leaves_nothing_behind(originals, tmp_path, monkeypatch):
    def refuse(path):
        raise DataError(f"{path}: refused for the test")

    monkeypatch.setattr("lstm_nlp.tasks.checked_load.load_checked_language_model", refuse)
    line = one_line_error(
        run_import(f"checkpoint={originals / 'awd' / 'PTB.pt'}", f"out={tmp_path / 'o.ckpt'}"),
        PROG,
    )
    assert "refused for the test" in line and list(tmp_path.iterdir()) == []


def test_a_conversion_that_changes_the_numbers_is_refused(originals, tmp_path, monkeypatch):
    from lstm_nlp.importing import reference

    original = reference.source_log_probs
    monkeypatch.setattr(reference, "source_log_probs", lambda s, ids: original(s, ids) + 1e-3)
    line = one_line_error(
        run_import(f"checkpoint={originals / 'awd' / 'PTB.pt'}", f"out={tmp_path / 'o.ckpt'}"),
        PROG,
    )
    assert "log-probabilities differ from the original's by 1.00e-03" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_end_to_end_import_then_perplexity(originals, tmp_path):
    out = tmp_path / "wlm.ckpt"
    proc = run_cli(
        "import_checkpoint",
        f"checkpoint={originals / 'wlm' / 'model.pt'}",
        f"vocab={originals / 'corpus'}",
        f"out={out}",
    )
    assert proc.returncode == 0, proc.stderr
    assert "word_language_model: 2 LSTM layers 12/12, embedding 12, tied" in proc.stdout
    text = tmp_path / "t.txt"
    text.write_text("the cat sees the dog\nthe dogs were big\n")
    ppl = run_cli(
        "ppl",
        f"checkpoint={out}",
        f"path={text}",
        "batch_size=1",
        "bptt=100",
        f"out={tmp_path / 'ppl'}",
    )
    assert ppl.returncode == 0, ppl.stderr
    words = json.loads((originals / "wlm" / "words.json").read_text())
    ids = torch.tensor([words.index(w) for w in text.read_text().replace("\n", " <eos> ").split()])
    state = torch.load(originals / "wlm" / "state_dict.pt", weights_only=True)
    log_probs = faithful_log_probs("rnn", state, ids[:-1, None])[:, 0]
    expected = math.exp(-float(log_probs.gather(1, ids[1:, None]).mean()))
    results = json.loads((tmp_path / "ppl" / "results.json").read_text())
    assert results["total"]["ppl"] == pytest.approx(expected, rel=1e-5)
