"""``lstm-nlp-eval`` end to end in subprocesses, and its one-line errors."""

import json

import pytest
from cli_helpers import config_error, one_line_error, run_cli, run_in_process
from eval_helpers import bias_model, save_checkpoint, write_jsonl

from lstm_nlp.errors import ConfigError, DataError

PROG = "lstm-nlp-eval"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    model, _ = bias_model(boost={"is": 4.0})  # prefers "is" wherever it is compared
    return save_checkpoint(model, tmp_path_factory.mktemp("run") / "checkpoints" / "best.ckpt")


def write_suite(folder):
    """a.jsonl: 6 sentence pairs (1 unknown compared word); b.tsv: 3 prefix pairs."""
    rows = [
        ("The cat is big.", "The cat are big.", 0, "simple"),
        ("The cats near the dog are big.", "The cats near the dog is big.", 1, "pp"),
        ("The cat near the dogs is big.", "The cat near the dogs are big.", 1, "pp"),
        ("The cat near the dog is red.", "The cat near the dog are red.", 1, "pp"),
        ("The cats are small.", "The cats is small.", 0, "simple"),
        ("The cat is big.", "The cat zorbs big.", 0, "simple"),
    ]
    write_jsonl(
        folder / "a.jsonl",
        [
            {"sentence_good": g, "sentence_bad": b, "attractors": k, "category": c}
            for g, b, k, c in rows
        ],
    )
    (folder / "b.tsv").write_text(
        "prefix\tgood\tbad\tattractors\tcategory\nthe cat\tis\tare\t0\tsimple\n"
        "the cats near the dog\tare\tis\t1\tpp\nthe dog\tis\twere\t0\tsimple\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.slow
def test_end_to_end_writes_results(checkpoint, tmp_path):
    pairs = write_suite(tmp_path / "suite")
    proc = run_cli(
        "eval",
        f"checkpoint={checkpoint.parent.parent}",
        f"path={pairs}",
        "lowercase=true",
        "split_punctuation=true",
        "group_by=[category,category+attractors]",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "eval_out" / "suite"  # the default: eval_out/<name of the pairs folder>
    results = json.loads((out / "results.json").read_text())
    assert results["coverage"]["read"] == 9 and results["coverage"]["scored"] == 8
    assert results["coverage"]["excluded_by_reason"] == {"oov_compared": 1} and results["coverage"][
        "oov_words"
    ] == {"zorbs": 1}
    # the model prefers "is": right on the 5 items whose good side has it, wrong on the 3 with "are"
    assert results["overall"]["correct"] == 5 and results["overall"]["accuracy"] == pytest.approx(
        5 / 8
    )
    assert results["groups"]["file"]["a"]["n"] == 5 and results["groups"]["file"]["b"]["n"] == 3
    assert results["groups"]["attractors"]["1"] == {
        "n": 4,
        "correct": 2,
        "accuracy": 0.5,
        "excluded": 0,
        "ci95": pytest.approx([0.15, 0.85], abs=1e-2),
    }
    assert set(results["groups"]) == {"file", "attractors", "category", "category+attractors"}
    assert results["groups"]["category+attractors"]["simple / 0"]["excluded"] == 1
    assert results["options"]["score"] == "sum" and results["items_per_second"] > 0
    assert "| attractors | 1 | 4 | 0.500 |" in (out / "results.md").read_text()
    assert (out / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    items = [json.loads(line) for line in (out / "items.jsonl").read_text().splitlines()]
    assert len(items) == 9 and sum(i["excluded"] is not None for i in items) == 1
    assert (
        items[0]["source"].endswith("a.jsonl:1")
        and items[0]["correct"] is True
        and items[0]["file"] == "a"
    )
    assert items[0]["compared"] == [["is"], ["are"]] and items[5]["score_good"] is None
    assert items[6]["good"] == "is" and items[6]["prefix"] == "the cat"
    assert items[6]["score_good"] > items[6]["score_bad"]
    assert "9 items read, 8 scored, 1 excluded (oov_compared 1)" in proc.stdout
    assert "accuracy 0.625" in proc.stdout and "items/s" in proc.stdout
    assert not (tmp_path / "outputs").exists() and not (tmp_path / ".hydra").exists()


@pytest.mark.slow
def test_help_lists_every_option():
    proc = run_cli("eval", "--help")
    assert proc.returncode == 0
    for key in (
        "checkpoint",
        "path",
        "protocol",
        "group_by",
        "lowercase",
        "split_punctuation",
        "final_eos",
        "score",
        "state",
        "warmup_text",
        "warmup_file",
        "oov",
        "batch_size",
        "device",
        "threads",
        "plot",
        "out",
    ):
        assert f"\n  {key}=" in proc.stdout, key


BAD_FILES = {  # name -> (file, bytes, line)
    "bad_json": (
        "p.jsonl",
        b'{"sentence_good": "a", "sentence_bad": "b"}\n{"sentence_good": \n',
        2,
    ),
    "missing_field": (
        "p.jsonl",
        b'{"sentence_good": "a", "sentence_bad": "b"}\n{"sentence_bad": "b"}\n',
        2,
    ),
    "columns": ("p.tsv", b"prefix\tgood\tbad\nthe\tcat\n", 2),
    "non_utf8": ("p.jsonl", b'{"sentence_good": "caf\xe9", "sentence_bad": "b"}\n', 1),
    "empty": ("p.jsonl", b"", None),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_malformed_pairs_are_one_line_with_file_and_line(checkpoint, tmp_path, case):
    name, data, line = BAD_FILES[case]
    (tmp_path / name).write_bytes(data)
    proc = run_in_process(
        "eval", f"checkpoint={checkpoint}", f"path={tmp_path / name}", f"out={tmp_path / 'out'}"
    )
    error = one_line_error(proc, PROG)
    assert f"{tmp_path / name}:{line}: " in error if line else f"{tmp_path / name}: " in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["score=max"], "score must be null or one of sum, mean"),
        (["state=warmup", "protocol=plain"], "state=warmup needs warmup_text"),
        (["nope=1"], "nope is not an option of lstm-nlp-eval (options: "),
        (["scor=sum"], "scor is not an option of lstm-nlp-eval; did you mean score?"),
        (["source=pair"], "unknown evaluation source 'pair'; known: auto, blimp"),
    ],
)
def test_option_mistakes_are_one_line(args, words):
    assert words in config_error("eval", "checkpoint=c.ckpt", "path=p.jsonl", *args)


@pytest.mark.slow
def test_a_group_no_item_has_is_one_line(checkpoint, tmp_path):
    write_jsonl(
        tmp_path / "p.jsonl", [{"sentence_good": "the cat is", "sentence_bad": "the cat are"}]
    )
    args = [f"checkpoint={checkpoint}", f"path={tmp_path / 'p.jsonl'}", "group_by=[colour]"]
    assert "group_by: no item has a field 'colour'" in one_line_error(
        run_in_process("eval", *args), PROG
    )


@pytest.mark.slow
def test_missing_checkpoint_is_one_line(tmp_path):
    write_jsonl(tmp_path / "p.jsonl", [{"sentence_good": "a", "sentence_bad": "b"}])
    proc = run_in_process(
        "eval", f"checkpoint={tmp_path / 'none.ckpt'}", f"path={tmp_path / 'p.jsonl'}"
    )
    assert "none.ckpt' does not exist" in one_line_error(proc, PROG)


def test_warmup_file_and_option_checks_in_process(tmp_path):
    from lstm_nlp.evaluation.evaluate import out_dir, scoring_options
    from lstm_nlp.evaluation.options import EvalOptions
    from lstm_nlp.evaluation.protocols import PROTOCOLS

    story = tmp_path / "story.txt"
    story.write_text("the cat .\nthe dog .\n", encoding="utf-8")
    options = EvalOptions(checkpoint="c", path="x/y.jsonl", state="warmup", warmup_file=str(story))
    assert scoring_options(options, PROTOCOLS["plain"]).warmup_text == "the cat .\nthe dog .\n"
    with pytest.raises(ConfigError, match="not both"):
        EvalOptions(checkpoint="c", path="p", state="warmup", warmup_file="f", warmup_text="the")
    with pytest.raises(ConfigError, match="warmup_file is only used with state=warmup"):
        EvalOptions(checkpoint="c", path="p", state="reset", warmup_file="f")
    story.write_bytes(b"ok\n\xff\n")
    with pytest.raises(DataError, match=rf"{story}:2: "):
        scoring_options(options, PROTOCOLS["plain"])
    assert str(out_dir(options)) == "eval_out/y"
    assert str(out_dir(EvalOptions(checkpoint="c", path="x/y.jsonl", out="r"))) == "r"
