"""One writer per run directory: a second command stops at once naming the holder, changes
nothing; a killed holder never blocks; DDP's other ranks do not take the lock."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap

import pytest
from cli_helpers import env, one_line_error, run_in_process

from lstm_nlp.errors import ConfigError
from lstm_nlp.training.run_lock import HOLDER, LOCK, RunLock, launch_rank

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from lstm_nlp.training.run_lock import RunLock
    lock = RunLock(Path(sys.argv[1]))
    lock.acquire()
    print("holding", flush=True)
    time.sleep(120)
    """
)


def files(folder):
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def held(tmp_path):
    """A run directory whose lock another process holds (killed at the end)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "metrics.json").write_text('{"val/ppl": 1.0}\n')
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run_dir)], stdout=subprocess.PIPE, text=True, env=env()
    )
    assert proc.stdout.readline().strip() == "holding"
    yield run_dir, proc
    proc.kill()
    proc.wait()


def test_a_second_command_stops_at_once_naming_the_holder_and_changes_nothing(held):
    run_dir, holder = held
    before = files(run_dir)
    proc = run_in_process("train", f"run_dir={run_dir}", "data.train_sentences=50")
    line = one_line_error(proc)
    assert re.search(
        rf"run_dir {run_dir} is in use by another lstm-nlp-train \(pid {holder.pid} on \S+, "
        r"started \d{4}-\d\d-\d\dT[0-9:]+.*\): wait for it to end, or choose another run_dir$",
        line,
    ), line
    assert files(run_dir) == before


def test_a_killed_holder_never_blocks(held):
    run_dir, holder = held
    with pytest.raises(ConfigError, match=f"pid {holder.pid}"):
        RunLock(run_dir).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    lock = RunLock(run_dir)
    lock.acquire()  # the OS let go of the dead process's lock
    assert f'"pid": {__import__("os").getpid()}' in (run_dir / HOLDER).read_text()
    lock.release()
    assert not (run_dir / HOLDER).exists() and (run_dir / LOCK).exists()


def test_two_locks_in_one_process_exclude_each_other_and_release_can_remove(tmp_path):
    first, second = RunLock(tmp_path), RunLock(tmp_path)
    first.acquire()
    assert first.created
    with pytest.raises(ConfigError, match="is in use by another lstm-nlp-train"):
        second.acquire()
    first.release(remove=True)
    assert list(tmp_path.iterdir()) == []
    second.acquire()
    second.release()


@pytest.mark.parametrize(
    "environment, rank",
    [
        ({}, 0),
        ({"LOCAL_RANK": "1"}, 1),  # Lightning's DDP launcher starts ranks 1.. with LOCAL_RANK
        ({"NODE_RANK": "1"}, 1),  # the first process of a second machine
        ({"RANK": "0", "LOCAL_RANK": "0"}, 0),  # torchrun
        ({"RANK": "3", "LOCAL_RANK": "1"}, 3),
        ({"SLURM_PROCID": "2"}, 2),
    ],
)
def test_launch_rank_from_the_launchers_environment(monkeypatch, environment, rank):
    for key in ("RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK", "LOCAL_RANK", "NODE_RANK"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("GROUP_RANK", raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    assert launch_rank() == rank


def test_other_ddp_ranks_neither_lock_nor_write(held, monkeypatch):
    from omegaconf import OmegaConf

    from lstm_nlp.training.run_start import RunStart

    run_dir, _ = held
    before = files(run_dir)
    monkeypatch.setenv("LOCAL_RANK", "1")
    cfg = OmegaConf.create({"resume": "auto", "seed": 1})
    with RunStart(cfg, run_dir, []) as start:  # the lock is held elsewhere: no refusal
        assert start.callbacks() == []
        start.started()
    assert files(run_dir) == before
