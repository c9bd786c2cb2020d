"""``lstm-nlp-runs``: discovery, status, the differing settings, sorting, JSON and HTML, on run
folders written by the test (no training)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

from lstm_nlp.cli.runs import main
from lstm_nlp.runtable import status
from lstm_nlp.runtable.curves import read_curves
from lstm_nlp.runtable.discover import find_runs
from lstm_nlp.runtable.record import read_run
from lstm_nlp.runtable.summary import write_summary
from lstm_nlp.runtable.table import build_table, short_labels

CONFIG = {
    "seed": 1,
    "run_dir": "runs/x",
    "task": {"name": "language_model", "dropout": 0.2},
    "encoder": {"name": "lstm", "hidden_size": 16, "dropout": 0.2},
    "optim": {"name": "sgd", "lr": 20},
    "logger": {"name": "csv"},
}


def make_run(
    folder: Path,
    *,
    config: dict | None = None,
    metrics: dict | None = None,
    checkpoint: bool = True,
    curve: list[tuple[int, float]] | None = None,
    started: str | None = "2025-01-31T12:00:00+00:00",
) -> Path:
    """A run folder as lstm-nlp-train leaves it (only the files the table reads)."""
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config or CONFIG))
    if started:
        line = {"id": "x", "time": started, "host": "gpu1", "overrides": [], "changed": {}}
        (folder / "commands.jsonl").write_text(json.dumps(line) + "\n")
    if checkpoint:
        (folder / "checkpoints").mkdir()
        (folder / "checkpoints" / "last.ckpt").write_bytes(b"x")
        os.utime(folder / "checkpoints" / "last.ckpt", (1738324800, 1738324800))  # 12:00:00
    if curve:
        logs = folder / "logs" / "version_0"
        logs.mkdir(parents=True)
        rows = ["epoch,step,train/loss_epoch,val/loss,val/ppl"]
        rows += [
            f"{i},{step},{loss + 0.1},{loss},{2.718**loss}" for i, (step, loss) in enumerate(curve)
        ]
        (logs / "metrics.csv").write_text("\n".join(rows) + "\n")
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics))
        os.utime(folder / "metrics.json", (1738324865, 1738324865))  # 12:01:05
    return folder


def with_(**changes: dict) -> dict:
    """CONFIG with some groups' values changed."""
    return {k: {**v, **changes.get(k, {})} if isinstance(v, dict) else v for k, v in CONFIG.items()}


@pytest.fixture
def sweep(tmp_path) -> Path:
    """A sweep folder: members 0, 1, 2, 10 with different lr, one failed, one interrupted."""
    root = tmp_path / "sweep"
    root.mkdir()
    (root / "multirun.yaml").write_text("hydra: {}\n")
    for name, lr, ppl in (("0", 5, 120.0), ("1", 10, 90.0), ("10", 40, 300.0)):
        metrics = {"global_step": 60, "val/ppl": ppl, "val/loss": 4.0, "data/vocab_size": 10}
        make_run(
            root / name,
            config=with_(optim={"lr": lr}),
            metrics=metrics,
            curve=[(29, 5.0), (59, 4.5)],
        )
    make_run(root / "2", config=with_(optim={"lr": 20}), checkpoint=False)  # failed
    make_run(root / "3", config=with_(optim={"lr": 30}))  # interrupted
    return root


def test_finds_runs_in_natural_order_not_inside_runs(sweep):
    (sweep / "0" / "logs" / "nested").mkdir()
    (sweep / "0" / "logs" / "nested" / "metrics.json").write_text("{}")
    (sweep / ".submitit" / "x").mkdir(parents=True)
    (sweep / ".submitit" / "x" / "metrics.json").write_text("{}")
    assert [p.name for p in find_runs(sweep)] == ["0", "1", "2", "3", "10"]
    assert find_runs(sweep / "1") == [sweep / "1"]  # a run folder itself
    assert find_runs(sweep / "1", members_only=True) == []


def test_status_rules(tmp_path):
    finished = make_run(tmp_path / "f", metrics={"val/ppl": 3.0})
    assert status.run_status(finished) == "finished"
    assert status.run_status(make_run(tmp_path / "i")) == "interrupted"
    assert status.run_status(make_run(tmp_path / "x", checkpoint=False)) == "failed"
    resumed = make_run(tmp_path / "r", metrics={"val/ppl": 3.0})
    os.utime(resumed / "checkpoints" / "last.ckpt")  # trained on after metrics.json, then stopped
    assert status.run_status(resumed) == "interrupted"


def test_running_while_the_lock_is_held_and_not_after(tmp_path):
    run = make_run(tmp_path / "r")
    lock = FileLock(str(run / status.LOCK), timeout=0)
    lock.acquire()
    try:
        (run / status.HOLDER).write_text('{"pid": 1, "host": "h", "started": "t"}')
        assert status.run_status(run) == "running"
        assert read_run(run, tmp_path).wall_s > 0  # until now
    finally:
        lock.release()
    assert status.run_status(run) == "interrupted"  # a stale holder file: the lock is free
    assert (run / status.LOCK).exists()  # the test left the lock file as it was


def test_names_match_the_files_training_writes():
    from lstm_nlp.training import run_lock, run_record

    assert (status.LOCK, status.HOLDER) == (run_lock.LOCK, run_lock.HOLDER)
    from lstm_nlp.report import commands as report_commands

    assert report_commands.COMMANDS == run_record.COMMANDS  # read through the report's reader


def test_short_labels():
    keys = ["optim.lr", "task.dropout", "encoder.dropout", "logger.name", "optim.scheduler.name"]
    assert short_labels(keys) == {
        "optim.lr": "lr",
        "task.dropout": "task.dropout",
        "encoder.dropout": "encoder.dropout",
        "logger.name": "logger",
        "optim.scheduler.name": "scheduler",
    }
    among = ["seed", "data.seed", "optim.lr"]
    assert short_labels(["data.seed", "optim.lr"], among) == {
        "data.seed": "data.seed",
        "optim.lr": "lr",
    }


def test_table_shows_only_settings_that_differ(tmp_path):
    make_run(tmp_path / "a", config=with_(task={"dropout": 0.5}), metrics={"val/ppl": 2.0})
    make_run(tmp_path / "b", config={**with_(logger={"name": "wandb"}), "run_dir": "o"})
    runs = [read_run(p, tmp_path) for p in find_runs(tmp_path)]
    table = build_table(runs)
    assert table.settings == ["logger.name", "task.dropout"]  # run_dir is the run column
    assert [table.labels[k] for k in table.settings] == ["logger", "task.dropout"]


def test_record_reads_steps_times_and_commands(sweep):
    run = read_run(sweep / "0", sweep)
    assert (run.name, run.status, run.steps, run.commands, run.host) == (
        "0",
        "finished",
        60,
        1,
        "gpu1",
    )
    assert run.wall_s == 65.0  # first command 12:00:00 to metrics.json 12:01:05
    assert read_run(sweep / "3", sweep).wall_s == 0.0  # up to its checkpoint
    no_history = make_run(sweep / "n", started=None, metrics={})
    assert read_run(no_history, sweep).started is not None  # from .hydra's file time


def test_curves_from_history_else_csv(sweep):
    assert [r["step"] for r in read_curves(sweep / "0")] == [29, 59]
    history = {"records": [{"epoch": 0, "step": 30, "val/loss": 1.0, "lr": "x"}]}
    (sweep / "0" / "report").mkdir()
    (sweep / "0" / "report" / "history.json").write_text(json.dumps(history))
    assert read_curves(sweep / "0") == [{"epoch": 0.0, "step": 30.0, "val/loss": 1.0}]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_table_sorted_by_a_metric(sweep, capsys):
    code, out, _ = cli(capsys, str(sweep), "--sort", "val/ppl")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "run",
        "status",
        "lr",
        "val/loss",
        "val/ppl",
        "steps",
        "wall",
    ]
    assert [line.split()[0] for line in lines[1:]] == ["1", "0", "10", "2", "3"]  # none last
    assert lines[1].split() == ["1", "finished", "10", "4", "90", "60", "1m05s"]
    assert lines[4].split()[:3] == ["2", "failed", "20"]
    _, out, _ = cli(capsys, str(sweep), "--sort", "val/ppl", "--desc")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["10", "0", "1", "2", "3"]


def test_cli_json(sweep, capsys):
    code, out, _ = cli(capsys, str(sweep), "--json", "--sort", "val/ppl")
    data = json.loads(out)
    assert code == 0 and data["settings"] == {"lr": "optim.lr"}
    first = data["runs"][0]
    assert (first["run"], first["status"], first["settings"], first["global_step"]) == (
        "1",
        "finished",
        {"optim.lr": 10},
        60,
    )
    assert first["metrics"]["data/vocab_size"] == 10  # all of metrics.json, not just the columns
    assert [r["status"] for r in data["runs"]][-2:] == ["failed", "interrupted"]


def test_cli_html_is_one_page_with_the_curves(sweep, tmp_path, capsys):
    out = tmp_path / "page.html"
    code, _, _ = cli(capsys, str(sweep), "--html", str(out))
    page = out.read_text()
    assert code == 0 and "<table>" in page and "data:image/png;base64," in page
    assert "<script" not in page and 'src="http' not in page


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["{tmp}/nope"], "no such folder"),
        (["{tmp}"], "no runs in it"),
        (["{sweep}", "--sort", "val/pll"], "did you mean 'val/ppl'"),
        (["{sweep}", "--frobnicate"], "unrecognized arguments"),
    ],
)
def test_cli_bad_input_is_one_line(sweep, tmp_path, capsys, args, words):
    (tmp_path / "empty").mkdir()
    args = [a.format(tmp=tmp_path / "empty", sweep=sweep) for a in args]
    code, out, err = cli(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("lstm-nlp-runs: error:") and words in err


def test_listing_imports_neither_torch_nor_lightning(sweep):
    code = (
        "import sys; from lstm_nlp.cli.runs import main; main([sys.argv[1]]);"
        "assert not {'torch', 'lightning', 'matplotlib'} & set(sys.modules), 'heavy import'"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(sweep)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_summary_files_sorted_by_the_monitored_metric(sweep):
    assert write_summary(sweep).metric == "val/loss"  # without an optimized_metric
    write_summary(sweep, optimized="val/ppl")
    data = json.loads((sweep / "summary.json").read_text())
    assert (data["metric"], data["best"]) == ("val/ppl", "1")
    assert [r["run"] for r in data["runs"]] == ["1", "0", "10", "2", "3"]
    assert (sweep / "summary.png").read_bytes()[:4] == b"\x89PNG"
    md = (sweep / "summary.md").read_text()
    assert "best: `1` (lr=10), val/ppl 90" in md and "![val/ppl per run](summary.png)" in md
    write_summary(sweep, optimized="val/ppl", direction="maximize")
    assert json.loads((sweep / "summary.json").read_text())["best"] == "10"
