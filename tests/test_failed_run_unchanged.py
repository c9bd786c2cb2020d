"""A training command that fails before training starts leaves the run directory byte for byte
as it was: refused settings, weights that do not fit, rules checked late, a corpus too small for
the batch; a failed first command leaves no folder behind."""

from __future__ import annotations

import re

import pytest
from cli_helpers import SMALL_LM, one_line_error, run_in_process

BASE = SMALL_LM


def snapshot(folder):
    """Every path under ``folder`` and every file's bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in folder.rglob("*")
    }


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("failed") / "run"
    proc = run_in_process("train", *BASE, f"run_dir={run_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (run_dir / ".hydra" / "config.yaml").is_file() and (run_dir / "metrics.json").is_file()
    return run_dir


@pytest.mark.parametrize(
    "args, expected",
    [
        (  # refused by the comparison with the saved settings, before anything is built
            ["encoder.hidden_size=32", "logger=tensorboard"],
            r"run_dir \S+ was trained with other settings: encoder.hidden_size \(16, now 32\); "
            r"re-run it with its own settings \(\S+/.hydra/overrides.yaml\), add resume=force",
        ),
        (
            ["optim.lr=5", "task.dropout=0.3"],
            r"optim.lr \(20.0, now 5\), task.dropout \(0.2, now 0.3\)",
        ),
        (  # forced, but the checkpoint's weights cannot fit: refused before the trainer runs
            ["encoder.hidden_size=32", "logger=tensorboard", "resume=force"],
            r"last.ckpt was trained with other model settings than this command's \(size "
            r"mismatch: encoder.lstm.weight_ih_l0 is \(64, 16\) there, \(128, 16\) here\)",
        ),
        (  # fails inside Lightning's set-up, after the logger made its folder and event file
            ["task.batch_size=5000", "logger=tensorboard", "resume=force"],
            r"too few for task.batch_size=5000",
        ),
        (  # another task: its labels.json and logger folder are taken back
            ["task=number_agreement", "resume=force"],
            r"was trained with other model settings",
        ),
        (
            ["encoder.bidirectional=true"],
            r"encoder.bidirectional=true cannot be used with task=language_model",
        ),
    ],
)
def test_a_failed_rerun_leaves_the_run_as_it_was(finished_run, args, expected):
    before = snapshot(finished_run)
    line = one_line_error(run_in_process("train", *BASE, f"run_dir={finished_run}", *args))
    assert re.search(expected, line), line
    assert snapshot(finished_run) == before


def test_a_failed_first_command_leaves_no_folder(tmp_path):
    run_dir = tmp_path / "new" / "run"
    args = [*BASE, f"run_dir={run_dir}", "task.batch_size=5000", "logger=tensorboard"]
    line = one_line_error(run_in_process("train", *args))
    assert "too few for task.batch_size=5000" in line
    assert list(tmp_path.iterdir()) == []


def test_a_refused_rerun_into_an_existing_empty_folder_keeps_the_folder(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    line = one_line_error(
        run_in_process("train", *BASE, f"run_dir={run_dir}", "task.batch_size=5000")
    )
    assert "too few" in line and run_dir.is_dir() and list(run_dir.iterdir()) == []
