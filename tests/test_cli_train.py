"""The training command end to end, in subprocesses, as a user runs it."""

import math
import re
import signal
import subprocess
import sys
import time

import pytest
from cli_helpers import (
    TINY,
    config_error,
    env,
    metrics,
    one_line_error,
    run_cli,
    run_in_process,
    train,
)


@pytest.mark.slow
def test_tiny_run_writes_finite_perplexities(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    proc = train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert math.isfinite(m["val/ppl"]) and math.isfinite(m["test/ppl"])
    assert (
        1.0 < m["test/ppl"] < m["data/vocab_size"]
    )  # it learned something beyond uniform guessing
    assert "val/ppl" in proc.stdout and "test/ppl" in proc.stdout
    assert re.search(r"first training step [0-9.]+ s after the command started", proc.stdout)
    assert (run_dir / "checkpoints" / "last.ckpt").is_file() and (
        run_dir / "checkpoints" / "best.ckpt"
    ).is_file()
    assert (run_dir / "tokenizer.json").is_file() and (run_dir / ".hydra" / "config.yaml").is_file()
    assert not [p for p in (run_dir / "checkpoints").iterdir() if "=" in p.name]


@pytest.mark.slow
def test_adaptive_softmax_head_from_the_command_line(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    proc = train(
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={run_dir}",
        "task.head=adaptive",
        "task.adaptive_cutoffs=[4,8]",
        "task.adaptive_div_value=2",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert 1.0 < m["test/ppl"] < m["data/vocab_size"]


@pytest.mark.slow
def test_same_seed_same_metrics(corpus_dir, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for run_dir in (a, b):
        assert (
            train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "seed=7").returncode
            == 0
        )
    assert metrics(a)["test/ppl"] == metrics(b)["test/ppl"]
    assert (
        train(
            "data=text", f"data.path={corpus_dir}", f"run_dir={tmp_path / 'c'}", "seed=8"
        ).returncode
        == 0
    )
    assert metrics(tmp_path / "c")["test/ppl"] != metrics(a)["test/ppl"]


@pytest.mark.slow
def test_rerun_resumes_from_last_checkpoint(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    first = train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}")
    assert first.returncode == 0, first.stderr[-3000:]
    steps = metrics(run_dir)["global_step"]
    again = train(
        "data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "trainer.max_epochs=2"
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming from" in again.stdout
    assert metrics(run_dir)["epochs"] == 2 and metrics(run_dir)["global_step"] == 2 * steps


@pytest.mark.slow
def test_killed_run_resumes_and_finishes(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        *TINY,
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={run_dir}",
        "trainer.max_epochs=200",
    ]
    proc = subprocess.Popen(args, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = run_dir / "checkpoints" / "last.ckpt"
    deadline = time.time() + 120
    while not last.is_file() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert last.is_file() and not (run_dir / "metrics.json").exists()
    import torch

    done = (
        torch.load(last, map_location="cpu", weights_only=True)["epoch"] + 1
    )  # epochs finished when killed
    resumed = train(
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={run_dir}",
        f"trainer.max_epochs={done + 2}",
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from" in resumed.stdout
    assert metrics(run_dir)["epochs"] == done + 2


@pytest.mark.slow
def test_generate_from_checkpoint(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    assert train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}").returncode == 0
    out = tmp_path / "sample.txt"
    proc = run_cli(
        "generate",
        f"checkpoint={run_dir}/checkpoints/best.ckpt",
        "words=30",
        "prompt=the cat",
        "temperature=0.5",
        f"out={out}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("the cat")
    vocab = set((corpus_dir / "train.txt").read_text().split())
    words = proc.stdout.split()
    assert len(words) >= 12 and set(words) <= vocab  # 30 samples minus <eos>, all real words
    assert out.read_text() == proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "case, expected",
    [
        ("missing_split", r"missing the valid split"),
        ("empty_split", r"test.txt: the file is empty"),
        ("non_utf8", r"train.txt:2: bytes that are not UTF-8"),
        ("unknown_task", r"unknown task 'languag_model'.*Did you mean 'language_model'"),
        ("bad_encoder_option", r"encoder.dropout must be a number in \[0, 1\), got 1.5"),
        ("unknown_encoder_key", r"encoder.dropot is not an option of encoder 'lstm'"),
        ("bidirectional_lm", r"encoder.bidirectional=true cannot be used with task=language_model"),
        ("missing_path", r"data.path is required"),
    ],
)
def test_bad_input_gives_one_line_error(corpus_dir, tmp_path, case, expected):
    import re

    args = ["data=text", f"data.path={corpus_dir}", f"run_dir={tmp_path / 'run'}"]
    if case == "missing_split":
        (corpus_dir / "valid.txt").unlink()
    elif case == "empty_split":
        (corpus_dir / "test.txt").write_text("")
    elif case == "non_utf8":
        (corpus_dir / "train.txt").write_bytes(b"the cat sat\nthe \xff dog\n")
    elif case == "unknown_task":
        args.append("task=languag_model")
    elif case == "bad_encoder_option":
        args.append("encoder.dropout=1.5")
    elif case == "unknown_encoder_key":
        args.append("+encoder.dropot=0.1")
    elif case == "bidirectional_lm":
        args.append("encoder.bidirectional=true")
    elif case == "missing_path":
        args = ["data=text", f"run_dir={tmp_path / 'run'}"]
    line = one_line_error(train(*args))
    assert re.search(expected, line), line
    assert not (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.slow
def test_help_lists_config_groups():
    proc = run_cli("train", "--help")
    assert proc.returncode == 0 and not proc.stderr
    for group in ("task=NAME", "encoder=NAME", "data=NAME", "optim=NAME", "logger=NAME"):
        assert group in proc.stdout
    assert "language_model*" in proc.stdout and "experiment: " in proc.stdout
    assert "ptb_small" in proc.stdout and "task.bptt=35" in proc.stdout


@pytest.mark.slow
def test_default_grammar_corpus_and_awd_preset_train(tmp_path):
    """The embedded corpus (small) with the AWD-LSTM regularisers: weight-drop, locked dropouts,
    tying."""
    run_dir = tmp_path / "run"
    proc = train(
        "experiment=awd_lstm",
        "data.train_sentences=300",
        "data.valid_sentences=60",
        "data.test_sentences=60",
        f"run_dir={run_dir}",
        "encoder.hidden_size=24",
        "encoder.num_layers=2",
        "task.bptt=12",
        "trainer.max_epochs=1",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert m["data/corpus"] == "grammar" and math.isfinite(m["test/ppl"])


@pytest.mark.slow
def test_plugins_dir_adds_a_data_source_choice(tmp_path, corpus_dir):
    """A local plugin module registers a data source with its own config; it is a command-line
    choice."""
    folder = tmp_path / "my_plugins"
    folder.mkdir()
    (folder / "fixed_folder.py").write_text(
        "import lightning.pytorch  # a plugin that imports Lightning before the run sets up\n"
        "from dataclasses import dataclass\n"
        "from lstm_nlp.registry import DATA_SOURCES\n"
        "from lstm_nlp.schema import option\n"
        "from lstm_nlp.text.sources import TextDataOptions, text_folder\n\n"
        "@DATA_SOURCES.component('fixed_folder', text_folder)\n"
        "@dataclass\n"
        "class FixedFolder(TextDataOptions):\n"
        f"    path: str = option({str(corpus_dir)!r}, help='always this folder')\n"
    )
    run_dir = tmp_path / "run"
    args = [f"plugins_dir={folder}", "data=fixed_folder", "+trainer.max_steps=3"]
    proc = train(*args, f"run_dir={run_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert metrics(run_dir)["data/corpus"] == "corpus"
    # nothing a user cannot act on: no Lightning banner (although the plugin imported Lightning
    # before the run configured its logging), no framework warning; max_steps ending before the
    # first validation is said in our words
    for noise in ("GPU available", "TPU available", "Tip:", "Warning", "warn("):
        assert noise not in proc.stdout + proc.stderr, (noise, proc.stdout, proc.stderr)
    assert "no validation ran during training: evaluating the final weights" in proc.stdout
    typo = train(f"plugins_dir={folder}", "data=fixed_foldr", f"run_dir={run_dir}")
    assert "Did you mean 'fixed_folder'" in one_line_error(typo)


BPTT_ABC = r"task.bptt must be an integer in \[1, 10000000\], got 'abc'$"


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["optim=adm"],
            r"unknown optimizer 'adm'; known: adam, adamw, custom, nt_asgd, sgd. "
            r"Did you mean 'adam'\?",
        ),
        (
            ["encoder.hiddensize=10"],
            r"encoder.hiddensize is not an option of encoder 'lstm'; "
            r"did you mean encoder.hidden_size\?",
        ),
        (
            ["+data.path=/x"],
            r"data.path is not an option of data source 'grammar'.*; "
            r"a corpus folder is data=text data.path=DIR",
        ),
        (
            ["data.path=/x"],
            r"data.path is not an option of data source 'grammar'.*; "
            r"a corpus folder is data=text data.path=DIR",
        ),
        (
            ["+task.bpt=10"],
            r"task.bpt is not an option of task 'language_model'; did you mean task.bptt\?",
        ),
        (
            ["trainer.max_epochs=abc"],
            r"trainer.max_epochs must be null or an integer >= -1, got 'abc'",
        ),
        (["+trainer.foo=3"], r"trainer.foo is not an argument of lightning.pytorch.Trainer"),
        (["seed=abc"], r"seed must be an integer in \[0, 4294967295\], got 'abc'"),
        (["optim.lr=-1"], r"optim.lr must be a number > 0, got -1"),
        (["help"], r"cannot parse the override 'help'"),
        (["task.head=hsm"], r"task.head must be one of softmax, adaptive, got 'hsm'"),
        (["task.adaptive_cutoffs=[50,20]"], r"adaptive_cutoffs must be null or increasing ids"),
        (["task.head=adaptive", "task.tie_weights=true"], r"tie_weights=true is not supported"),
        (["task.head=adaptive", "task.adaptive_cutoffs=abc"], r"task.adaptive_cutoffs must be"),
        (
            ["+data.construction_mix.pp=-1"],
            r"data.construction_mix must be a mapping of names to a number >= 0",
        ),
        (["+data.construction_mix.nope=1"], r"construction_mix: unknown construction 'nope'"),
        (
            ["checkpoint_every_minutes=soon"],
            r"checkpoint_every_minutes must be null or a number > 0, got 'soon'",
        ),
        (["encoder.weight_drop=1"], r"encoder.weight_drop must be a number in \[0, 1\), got 1"),
        (["optim=custom"], r"optim._target_ is required \(the class to build"),
        (
            ["optim=custom", "optim._target_=torch.optim.Nope"],
            r"optim: cannot build torch.optim.Nope",
        ),
        (
            ["optim=custom", "optim._target_=torch.optim.RMSprop", "+optim.alpah=0.9"],
            r"optim: cannot build torch.optim.RMSprop.*alpah",
        ),
        (["+callbacks.x.patience=3"], r"callbacks.x must be a group of options with a _target_"),
        (["task=null"], r"task=null: lstm-nlp-train needs a task \(choose one with task=NAME"),
        (["optim.scheduler=none"], r"config group; choose it with optim/scheduler=none$"),
        (
            ["--cfg", "job", "task.bptt=abc"],
            r"task.bptt must be an integer in \[1, 10000000\], got 'abc'$",
        ),
        (
            ["-m", "task.bptt=abc,35"],
            r"task.bptt must be an integer in \[1, 10000000\], got 'abc'$",
        ),
        (["trainer.max_epoch=3"], r"did you mean trainer.max_epochs\?"),
        (["+trainer.max_steps=-5"], r"trainer.max_steps must be an integer >= -1, got -5$"),
        (["trainer.precision=17"], r"trainer.precision must be one of 32-true, .*got 17$"),
        (["~encoder"], r"encoder=null: lstm-nlp-train needs an encoder \(choose one"),
        (["plugins_dir=/nonexistent/x"], r"plugins_dir: '/nonexistent/x' is not a folder"),
        (
            ["logger=none", "+logger.foo=1"],
            r"logger.foo is not an option of logger 'none' \(options: csv, custom, none, "
            r"tensorboard, wandb\)$",
        ),
    ],
)
def test_config_mistakes_give_one_line_errors(args, expected):
    import re

    line = config_error("train", *args)
    assert re.search(expected, line), line


@pytest.mark.parametrize(
    "arg",
    [
        "task.bptt=0",
        "checkpoint_every_minutes=soon",
        "+data.construction_mix.pp=-1",
        "optim.scheduler.name=step",
        "+task.bpt=10",
        "encoder.bidirectional=true",
    ],
)
def test_schema_mistakes_are_refused_before_the_run_directory_is_made(tmp_path, arg):
    config_error("train", arg, f"run_dir={tmp_path / 'run'}")
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
def test_a_config_mistake_leaves_an_existing_run_untouched(tmp_path):
    run_dir = tmp_path / "run"
    assert train(f"run_dir={run_dir}", "data.train_sentences=300").returncode == 0
    before = {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}
    one_line_error(run_cli("train", f"run_dir={run_dir}", "task.bptt=0"))
    assert {p: p.read_bytes() for p in run_dir.rglob("*") if p.is_file()} == before


@pytest.mark.slow
def test_too_small_split_names_split_and_key(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    for split in ("train", "valid", "test"):
        (folder / f"{split}.txt").write_text("hello world\n" * (1 if split == "train" else 50))
    line = one_line_error(
        run_cli("train", "data=text", f"data.path={folder}", f"run_dir={tmp_path / 'run'}")
    )
    assert "the train split has 3 tokens" in line and "task.batch_size=20" in line


@pytest.mark.slow
def test_resume_with_other_model_settings_is_refused(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    assert train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}").returncode == 0
    line = one_line_error(
        train(
            "data=text",
            f"data.path={corpus_dir}",
            f"run_dir={run_dir}",
            "encoder.hidden_size=24",
            "trainer.max_epochs=2",
        )
    )
    assert "was trained with other settings: encoder.hidden_size (16, now 24)" in line


@pytest.mark.slow
def test_corrupt_last_checkpoint_falls_back_to_best(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    assert train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}").returncode == 0
    last = run_dir / "checkpoints" / "last.ckpt"
    last.write_bytes(last.read_bytes()[:1000])  # truncated, as by a crash mid-write
    proc = train(
        "data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "trainer.max_epochs=2"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (
        "skipping" in proc.stderr and "last.ckpt: not a readable lstm-nlp checkpoint" in proc.stderr
    )
    assert "resuming from" in proc.stdout and "best.ckpt" in proc.stdout
    assert metrics(run_dir)["epochs"] == 2


@pytest.mark.slow
def test_generate_errors_and_run_directory(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    assert train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}").returncode == 0
    ok = run_cli("generate", f"checkpoint={run_dir}", "words=5", "temperature=1e-30")
    assert ok.returncode == 0 and len(ok.stdout.split()) >= 1, ok.stderr[-2000:]
    assert "checkpoint is required" in config_error("generate")
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"not a checkpoint")
    line = one_line_error(run_in_process("generate", f"checkpoint={bad}"), "lstm-nlp-generate")
    assert "not a readable lstm-nlp checkpoint" in line and "weights_only" not in line
    line = config_error("generate", f"checkpoint={run_dir}", "temperature=nan")
    assert line == "lstm-nlp-generate: error: temperature must be a number > 0, got nan"
    unknown = run_in_process(
        "generate", f"checkpoint={run_dir}", "prompt=the zzzunknownword", "words=2"
    )
    assert unknown.returncode == 0, unknown.stderr[-2000:]
    assert "prompt words outside the vocabulary, read as <unk>: zzzunknownword" in unknown.stderr


@pytest.mark.slow
def test_a_broken_plugin_is_one_warning_line_naming_it(tmp_path):
    folder = tmp_path / "plugs"
    folder.mkdir()
    (folder / "broken.py").write_text("raise RuntimeError('boom at import')\n")
    (folder / "fine.py").write_text(
        "from lstm_nlp.registry import TASKS\nTASKS.register('fine_task', 'builtins:dict')\n"
    )
    proc = run_cli("train", f"plugins_dir={folder}", "--help")
    assert proc.returncode == 0 and "fine_task" in proc.stdout
    assert proc.stderr == (
        f"lstm-nlp: plugin 'broken' ({folder / 'broken.py'}) failed to load and is skipped: "
        "RuntimeError: boom at import\n"
    )
