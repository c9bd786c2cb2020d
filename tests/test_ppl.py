"""``lstm-nlp-ppl``: perplexity of a text against a hand computation, the folder table, the
run's own splits for the searches and statistics, and the one-line errors."""

import hashlib
import json
import math

import pytest
import torch
from cli_helpers import config_error, one_line_error, run_in_process
from eval_helpers import save_checkpoint, tiny_model

PROG = "lstm-nlp-ppl"
WORDS = "the cat dog bird sees likes a red".split()
TEXT = "the cat sees a dog\nthe dog zorbs\n\nred bird\n"  # zorbs: unknown; an empty line: <eos>


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run folder with a 1-layer 8-unit model and its checkpoint."""
    model, tok = tiny_model(words=WORDS, hidden=8, layers=1, seed=4)
    run = tmp_path_factory.mktemp("run")
    return save_checkpoint(model, run / "checkpoints" / "best.ckpt"), model, tok


def ppl_run(*args):
    proc = run_in_process("ppl", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def hand_perplexity(model, tok, text, batch_size):
    """Lines split on spaces, <eos> after each, unknown words <unk>; ``batch_size`` columns of
    the stream read by the model in one call each: exp(mean -log p(next token))."""
    vocab = tok.get_vocab()
    ids = [vocab.get(w, vocab["<unk>"]) for line in text.splitlines() for w in line.split()]
    ids = []
    for line in text.splitlines():
        ids += [vocab.get(w, vocab["<unk>"]) for w in line.split()] + [vocab["<eos>"]]
    rows = len(ids) // batch_size
    columns = torch.tensor(ids[: rows * batch_size]).view(batch_size, rows).t()
    with torch.no_grad():
        logits, _ = model(columns)
    logp = torch.log_softmax(logits[:-1].double(), -1).gather(-1, columns[1:].unsqueeze(-1))
    return math.exp(-logp.mean().item()), len(ids), (rows - 1) * batch_size


def test_perplexity_of_a_file_is_the_hand_computation(trained, tmp_path):
    checkpoint, model, tok = trained
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    expected, n_tokens, n_scored = hand_perplexity(model, tok, TEXT, 2)
    proc = ppl_run(
        f"checkpoint={checkpoint}",
        f"path={tmp_path / 't.txt'}",
        "batch_size=2",
        "bptt=2",
        f"out={tmp_path / 'out'}",
    )
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    row = results["files"][0]
    assert (n_tokens, n_scored) == (14, 12)
    assert (row["tokens"], row["words"], row["oov"], row["tokens_scored"]) == (14, 10, 1, 12)
    assert row["oov_rate"] == pytest.approx(0.1)
    assert row["ppl"] == pytest.approx(expected, rel=1e-6)
    assert row["bits_per_word"] == pytest.approx(math.log2(expected), rel=1e-6)
    assert results["total"]["ppl"] == pytest.approx(expected, rel=1e-6)
    assert results["cache"] is None and results["dynamic"] is None
    assert (
        f"perplexity {expected:.2f}" in proc.stdout
        and "| t.txt | 14 | 12 | 10.00% |" in proc.stdout
    )
    assert (
        f"| t.txt | 14 | 12 | 10.00% | {expected:.2f} |"
        in (tmp_path / "out" / "results.md").read_text()
    )
    # the state is carried across windows: any bptt gives the same number
    again = ppl_run(
        f"checkpoint={checkpoint}", f"path={tmp_path / 't.txt'}", "batch_size=2", "bptt=5"
    )
    assert f"perplexity {expected:.2f}" in again.stdout


def test_a_short_text_narrows_the_runs_default_columns(trained, tmp_path):
    """The default batch_size (the run's eval_batch_size, 10 here) is narrowed to the columns
    that get a whole bptt window (35): the 14 tokens are read as one column, every one but the
    first scored, as the hand computation reads them."""
    checkpoint, model, tok = trained
    assert (model.options.eval_batch_size, model.options.bptt) == (10, 35)
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    expected, _, n_scored = hand_perplexity(model, tok, TEXT, 1)
    ppl_run(f"checkpoint={checkpoint}", f"path={tmp_path / 't.txt'}", f"out={tmp_path / 'o'}")
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert results["batch_size"] == 1 and results["files"][0]["tokens_scored"] == n_scored == 13
    assert results["total"]["ppl"] == pytest.approx(expected, rel=1e-6)


def test_a_folder_gives_a_row_per_text_file_and_the_token_weighted_total(trained, tmp_path):
    checkpoint, model, tok = trained
    folder = tmp_path / "texts"
    folder.mkdir()
    texts = {"a.txt": TEXT * 30, "b.tokens": "a red cat\n" * 90}  # >= 10 columns x bptt 35
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "notes.md").write_text("not a text to score\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("the cat\n", encoding="utf-8")
    proc = ppl_run(
        f"checkpoint={checkpoint.parent.parent}", f"path={folder}", f"out={tmp_path / 'o'}"
    )
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert [r["file"] for r in results["files"]] == ["a.txt", "b.tokens"]
    assert results["batch_size"] == 10 and results["bptt"] == 35  # the run's eval settings
    hand = [hand_perplexity(model, tok, texts[name], 10) for name in ("a.txt", "b.tokens")]
    for row, (expected, tokens, scored) in zip(results["files"], hand):
        assert row["ppl"] == pytest.approx(expected, rel=1e-6)
        assert (row["tokens"], row["tokens_scored"]) == (tokens, scored)
    scored = sum(s for _, _, s in hand)
    total = math.exp(sum(math.log(p) * s for p, _, s in hand) / scored)
    assert results["total"]["ppl"] == pytest.approx(total, rel=1e-6)
    assert results["total"]["tokens_scored"] == scored and results["total"]["files"] == 2
    assert results["total"]["oov"] == 30 and results["total"]["words"] == 300 + 270
    table = proc.stdout.splitlines()
    assert [line.split(" | ")[0] for line in table if line.startswith("| ")][1:] == [
        "| a.txt",
        "| b.tokens",
        "| total",
    ]
    assert "| total |" in (tmp_path / "o" / "results.md").read_text()


def write_run_config(run, corpus):
    (run / ".hydra").mkdir(parents=True, exist_ok=True)
    (run / ".hydra" / "config.yaml").write_text(
        f"data:\n  name: text\n  path: {corpus}\n", encoding="utf-8"
    )


def test_searches_and_statistics_use_the_runs_own_splits(trained, tmp_path):
    checkpoint, _, _ = trained
    run = checkpoint.parent.parent
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for split, n in (("train", 30), ("valid", 12), ("test", 12)):
        (corpus / f"{split}.txt").write_text("the cat sees a red dog\n" * n, encoding="utf-8")
    write_run_config(run, corpus)
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    try:
        proc = ppl_run(
            f"checkpoint={run}",
            "split=test",
            f"out={tmp_path / 'o'}",
            "batch_size=2",
            "bptt=5",
            "cache.window=20",
            "cache.search=true",
            "cache.theta_grid=[0.5,1]",
            "cache.lambdah_grid=[0.1,0.3]",
            "dynamic.method=rms",
            "dynamic.search=true",
            "dynamic.lr_grid=[0.001,0.01]",
            "dynamic.lamb_grid=[0.01]",
            "dynamic.stats_batch_size=4",
        )
    finally:
        (run / ".hydra" / "config.yaml").unlink()
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    cache, dyn = results["cache"], results["dynamic"]
    assert (
        cache["search"]["path"] == str(corpus / "valid.txt") and len(cache["search"]["grid"]) == 4
    )
    assert (cache["theta"], cache["lambdah"]) == tuple(
        cache["search"]["best"][k] for k in ("theta", "lambdah")
    )
    assert dyn["statistics"]["path"] == str(corpus / "train.txt")
    assert dyn["statistics"]["tokens"] == (7 * 30 // 4 - 1) * 4
    assert (
        dyn["search"]["path"] == str(corpus / "valid.txt")
        and dyn["lr"] == dyn["search"]["best"]["lr"]
    )
    row = results["files"][0]
    assert {"model_ppl", "dynamic_ppl", "ppl"} <= set(row) and row["ppl"] < row["model_ppl"]
    assert "chosen on" in proc.stdout and "dynamic (rms)" in proc.stdout
    assert results["path"] == str(corpus / "test.txt") and results["split"] == "test"
    assert hashlib.sha256(checkpoint.read_bytes()).hexdigest() == digest  # never written


@pytest.mark.parametrize(
    "args,message",
    [
        (["path=nowhere.txt"], "path: 'nowhere.txt' does not exist"),
        (["path=empty.txt"], "empty.txt: the file is empty"),
        (["path=notes"], "path: the folder 'notes' has no .txt or .tokens files"),
        (["path=short.txt", "batch_size=4"], "short.txt: 4 tokens, too few for batch_size=4"),
        (["path=bad.txt"], "bad.txt"),
        (
            ["path=short.txt", "batch_size=1", "dynamic.method=rms"],
            "dynamic.method=rms needs a text: give dynamic.stats_path=FILE",
        ),
        (
            ["path=short.txt", "batch_size=1", "cache.window=3", "cache.search=true"],
            "cache.search=true needs a text: give cache.valid_path=FILE",
        ),
        (["split=valid"], "split=valid needs a text: give path=FILE"),
        (
            ["path=short.txt", "batch_size=1", "cache.window=3", "cache.search=true"]
            + ["cache.valid_path=no.txt", "dynamic.method=rms", "dynamic.stats_path=short.txt"],
            "cache.valid_path: 'no.txt' is not a file",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_file_or_key(
    trained, tmp_path, monkeypatch, args, message
):
    checkpoint, _, _ = trained
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "short.txt").write_text("the cat sees\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"the cat \xff\xfe sees\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "README.md").write_text("hello\n", encoding="utf-8")
    line = one_line_error(run_in_process("ppl", f"checkpoint={checkpoint}", *args), prog=PROG)
    assert message in line


def test_another_tasks_checkpoint_is_one_line(trained, tmp_path):
    checkpoint, model, _ = trained
    other = torch.load(checkpoint, weights_only=True)
    other["lstm_nlp_task"] = "number_agreement"
    torch.save(other, tmp_path / "other.ckpt")
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    line = one_line_error(
        run_in_process(
            "ppl", f"checkpoint={tmp_path / 'other.ckpt'}", f"path={tmp_path / 't.txt'}"
        ),
        prog=PROG,
    )
    assert "not a language-model checkpoint (written by task=number_agreement)" in line


@pytest.mark.parametrize(
    "args,message",
    [
        (["cache.search=true"], "cache.search=true needs a cache: set cache.window"),
        (["dynamic.search=true"], "dynamic.search=true needs a method"),
        (["cache.lambdah=1.5"], "cache.lambdah must be a number in [0, 1], got 1.5"),
        (["dynamic.method=adam"], "dynamic.method must be null or one of sgd, rms, got 'adam'"),
        (["cache.windw=5"], "did you mean cache.window?"),
        (["dynamic.lambda=0.1"], "did you mean dynamic.lamb?"),
        (["batch_size=0"], "batch_size must be null or an integer in [1, 1000000], got 0"),
        ([], "path or split: give one (neither given)"),
        (["split=test"], "path or split: give one (both given)"),
        (["split=tset"], "split must be null or one of train, valid, test, got 'tset'"),
    ],
)
def test_bad_options_are_refused_before_anything_runs(args, message):
    line = config_error("ppl", "checkpoint=x.ckpt", *(["path=t.txt"] if args else []), *args)
    assert line.startswith(f"{PROG}: error: ") and message in line


@pytest.mark.slow
def test_help_imports_no_heavy_library():
    """--help reads the options dataclasses only: no torch, Lightning, numpy or tokenizers."""
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "sys.argv = ['lstm-nlp-ppl', '--help']\n"
        "from lstm_nlp.cli import ppl\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    ppl.main()\n"
        "heavy = ('torch', 'lightning', 'numpy', 'tokenizers')\n"
        "print([m for m in heavy if m in sys.modules], 'cache.lambdah=0.1' in out.getvalue())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True", out.stdout
