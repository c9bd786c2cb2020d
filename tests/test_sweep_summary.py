"""The summary a ``-m`` sweep leaves in its folder: ``summary.md``, ``summary.json``,
``summary.png`` (the Hydra callback :class:`lstm_nlp.runtable.sweep_summary.SweepSummary`)."""

from __future__ import annotations

import json

from cli_helpers import TINY, run_in_process
from omegaconf import OmegaConf

from lstm_nlp.runtable.sweep_summary import SweepSummary


def test_a_two_member_sweep_gets_its_summary_sorted_by_val_loss(corpus_dir, tmp_path):
    sweep = tmp_path / "sweep"
    proc = run_in_process(
        "train", "-m", *TINY, "data=text", f"data.path={corpus_dir}", f"run_dir={sweep}",
        "optim.lr=5,40", "test=false", "trainer.limit_train_batches=10",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"sweep summary {sweep / 'summary.md'} (2 runs)" in proc.stdout
    data = json.loads((sweep / "summary.json").read_text())
    members = {p.parent.relative_to(sweep).as_posix() for p in sweep.glob("*/metrics.json")}
    assert len(members) == 2 and {r["run"] for r in data["runs"]} == members
    losses = [r["metrics"]["val/loss"] for r in data["runs"]]
    assert data["metric"] == "val/loss" and losses == sorted(losses)
    assert data["best"] == data["runs"][0]["run"]
    assert data["settings"] == {"lr": "optim.lr"}
    assert [r["status"] for r in data["runs"]] == ["finished", "finished"]
    assert sorted(r["settings"]["optim.lr"] for r in data["runs"]) == [5, 40]
    md = (sweep / "summary.md").read_text()
    assert "sorted by `val/loss`, lowest first" in md and "| run | status | lr |" in md
    assert (sweep / "summary.png").read_bytes()[:4] == b"\x89PNG"


def config(mode: str, folder: object) -> object:
    return OmegaConf.create({"hydra": {"mode": mode, "sweep": {"dir": str(folder)}}})


def test_a_single_run_writes_no_summary(tmp_path):
    SweepSummary().on_job_end(config("RUN", tmp_path))
    SweepSummary(enabled=False).on_multirun_end(config("MULTIRUN", tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_a_summary_that_cannot_be_written_is_one_line(tmp_path, capsys):
    (tmp_path / "summary.md").mkdir()  # in the way
    SweepSummary().on_multirun_end(config("MULTIRUN", tmp_path))
    err = capsys.readouterr().err
    assert err.startswith(f"lstm-nlp: sweep summary not written in {tmp_path}:")
    assert len(err.splitlines()) == 1
