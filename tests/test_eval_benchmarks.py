"""One command on a folder holding every kind of set: each recognised, scored with its paper's
protocol, written beside the published numbers in one table."""

import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import config_error, one_line_error, run_in_process
from eval_helpers import save_checkpoint, tiny_model

from lstm_nlp.evaluation.detect import detect_source, find_sets

DATA = Path(__file__).parent / "data"
KINDS = ("blimp", "gulordava", "lakretz", "linzen", "marvin_linzen", "syntaxgym")


@pytest.fixture(scope="module")
def every_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("benchmarks")
    for kind in KINDS:
        shutil.copytree(DATA / "benchmarks" / kind, folder / kind)
    return folder


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    words = {
        w
        for kind in ("gulordava", "linzen")
        for path in (DATA / "benchmarks" / kind).glob("*.text")
        for w in path.read_text(encoding="utf-8").lower().split()
    }
    model, _ = tiny_model(words=sorted(words) + ["is", "are", "the", "cats", "."])
    return save_checkpoint(model, tmp_path_factory.mktemp("run") / "checkpoints" / "best.ckpt")


def test_auto_recognises_each_kind_of_set(every_set, tmp_path):
    assert [(name, path.name) for name, path in find_sets(every_set)] == [(k, k) for k in KINDS]
    assert detect_source(every_set / "blimp" / "anaphor_number_agreement.jsonl") == "blimp"
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"sentence_good": "a b", "sentence_bad": "b a"}\n', encoding="utf-8")
    assert detect_source(plain) == "pairs"
    suites = tmp_path / "suites"  # lstm-nlp-suites' records have condition + sentence_good too
    suites.mkdir()
    (suites / "pp.jsonl").write_text(
        '{"sentence_good": "a b", "sentence_bad": "b a", "condition": "sg"}\n', encoding="utf-8"
    )
    assert detect_source(suites) == "marvin_linzen"
    (suites / "summary.json").write_text("{}", encoding="utf-8")
    assert detect_source(suites) == "suites"


def test_one_command_scores_every_set_into_one_table(every_set, checkpoint, tmp_path):
    out = tmp_path / "out"
    proc = run_in_process(
        "eval", f"checkpoint={checkpoint}", "benchmarks=all", f"path={every_set}", f"out={out}"
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())
    sets = results["sets"]
    assert sorted(sets) == sorted(KINDS)
    protocols = {name: s["protocol"]["name"] for name, s in sets.items()}
    assert protocols == {k: k for k in KINDS}
    for name, summary in sets.items():
        assert summary["coverage"]["read"] > 0, name
        assert (out / name / "results.md").is_file() and (out / name / "items.jsonl").is_file()
    assert sets["gulordava"]["groups"]["type"]["original"]["published"]["value"] == 0.81
    assert "SG score" in sets["syntaxgym"]["groups"] and "sg" in sets["syntaxgym"]
    table = (out / "results.md").read_text()
    assert "| published LSTM |" in table and "| syntaxgym | syntaxgym | SG score |" in table
    assert "published LSTM" in proc.stdout and "every set" in proc.stdout
    contamination = sets["blimp"]["contamination"]  # the checkpoint has no run config
    assert contamination["share"] is None and "not available" in contamination["why"]
    assert 0 < sets["gulordava"]["vocabulary"]["token_share"] <= 1


def test_the_protocol_and_its_parts_are_config_choices(every_set, checkpoint, tmp_path):
    out = tmp_path / "out"
    proc = run_in_process(
        "eval",
        f"checkpoint={checkpoint}",
        f"path={every_set / 'marvin_linzen'}",
        "protocol=blimp",
        "suffix=x",
        f"out={out}",
        "contamination=false",
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "results.json").read_text())
    assert summary["source"] == "marvin_linzen" and summary["protocol"]["name"] == "blimp"
    assert summary["options"]["suffix"] == "x" and summary["options"]["split_punctuation"]


def test_the_old_pairs_key_and_unknown_formats_are_one_line(tmp_path, checkpoint):
    assert "pairs= is now path=" in config_error("eval", "checkpoint=c", "pairs=p.jsonl")
    odd = tmp_path / "odd.txt"
    odd.write_text("hello\n", encoding="utf-8")
    proc = run_in_process("eval", f"checkpoint={checkpoint}", f"path={odd}")
    assert "is in no format source=auto knows" in one_line_error(proc, "lstm-nlp-eval")
    proc = run_in_process("eval", f"checkpoint={checkpoint}", "benchmarks=all", f"path={odd}")
    assert "benchmarks=all needs a folder" in one_line_error(proc, "lstm-nlp-eval")


def test_contamination_counts_each_sets_sentences_found_in_the_training_split(every_set, tmp_path):
    from corpus_helpers import write_corpus
    from test_contamination import make_run, text_config

    corpus = write_corpus(tmp_path / "work" / "corpus")
    (corpus / "train.txt").write_text("martha praised herself .\nthe author laughs\n")
    run = make_run(tmp_path / "work" / "runs" / "r", text_config("corpus"), tmp_path / "work")
    model, _ = tiny_model()
    save_checkpoint(model, run / "checkpoints" / "best.ckpt")
    sets = tmp_path / "sets"
    for kind in ("blimp", "marvin_linzen"):
        shutil.copytree(every_set / kind, sets / kind)
    out = tmp_path / "out"
    proc = run_in_process(
        "eval", f"checkpoint={run}", "benchmarks=all", f"path={sets}", f"out={out}"
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "results.json").read_text())["sets"]
    for kind, sentences in (("blimp", 5), ("marvin_linzen", 11)):  # the good sentences
        found = results[kind]["contamination"]
        assert (found["contaminated"], found["sentences"]) == (1, sentences), kind
    assert "Contamination: 1 of 5 sentences" in (out / "blimp" / "results.md").read_text()


@pytest.mark.parametrize(
    "args, words",
    [
        (["device=gpu", "path=SETS/blimp"], "device must be cpu, cuda or cuda:N, got 'gpu'"),
        (["device=meta", "path=SETS/blimp"], "device must be cpu, cuda or cuda:N, got 'meta'"),
        (["protocol=syntaxgym", "path=SETS/blimp"], "protocol=syntaxgym needs SyntaxGym suites"),
        (["protocol=gulordava", "path=SETS/blimp"], "the stream protocols need a set with a text"),
        (["protocol=blimp", "path=SETS/syntaxgym"], "items are GymItem (use protocol=syntaxgym)"),
        (["path=SETS/nowhere"], "path: 'SETS/nowhere' does not exist"),
        (["benchmarks=all", "path=EMPTY"], "no test set in a format source=auto knows"),
        (["path=SETS/blimp", "warmup_file=SETS/none.txt", "state=warmup"], "none.txt: cannot read"),
    ],
)
def test_a_wrong_set_protocol_or_device_is_one_line(every_set, checkpoint, tmp_path, args, words):
    (tmp_path / "odd.txt").write_text("hello\n")
    (tmp_path / ".hidden.jsonl").write_text('{"sentence_good": "a", "sentence_bad": "b"}\n')
    args = [a.replace("SETS", str(every_set)).replace("EMPTY", str(tmp_path)) for a in args]
    proc = run_in_process("eval", f"checkpoint={checkpoint}", "contamination=false", *args)
    assert words.replace("SETS", str(every_set)) in one_line_error(proc, "lstm-nlp-eval")
