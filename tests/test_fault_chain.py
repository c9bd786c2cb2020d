"""A long run survives a chain of faults: killed ten times at seeded random moments (SIGKILL,
SIGTERM, and a full disk during a checkpoint write), re-run each time with the same command, it
ends with the metrics and weights of a run that was never stopped."""

import random
import signal
import subprocess
import textwrap

import pytest
import test_exact_resume
from cli_helpers import env
from test_exact_resume import assert_same_run, kill_when, run

pytestmark = pytest.mark.slow

SMALL = {"trainer.max_epochs": "2", "data.train_sentences": "500"}  # saves every 7 steps

DISK_FULL = '''
"""Test plugin: the second checkpoint write of this process fails as on a full disk, after
writing half of the file (what a real ENOSPC leaves)."""
import errno
import io

import torch
from lightning.fabric.plugins.io import torch_io

calls = []


def failing_save(checkpoint, filepath):
    calls.append(filepath)
    if len(calls) < 2:
        return original(checkpoint, filepath)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    with open(filepath, "wb") as f:
        f.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    raise OSError(errno.ENOSPC, "No space left on device", str(filepath))


original = torch_io._atomic_save
torch_io._atomic_save = failing_save
'''


def disk_full_run(run_dir, plugins) -> None:
    """The command with the full-disk plugin: it must fail in one line, not a traceback."""
    cmd = test_exact_resume.command(run_dir, f"plugins_dir={plugins}")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=300)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "No space left on device" in proc.stderr, proc.stderr[-3000:]


def test_ten_faults_then_the_same_command_ends_as_an_uninterrupted_run(tmp_path, monkeypatch):
    common = [a for a in test_exact_resume.COMMON if a.split("=")[0] not in SMALL]
    monkeypatch.setattr(test_exact_resume, "COMMON", [*common, *map("=".join, SMALL.items())])
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "disk_full.py").write_text(textwrap.dedent(DISK_FULL))
    reference = tmp_path / "reference"
    run(reference)
    resumed, rng = tmp_path / "resumed", random.Random(17)
    faults = ["disk"] + [rng.choice(["kill", "term"]) for _ in range(9)]
    rng.shuffle(faults)
    done = 0  # the newest checkpoint's step
    for fault in faults:
        if fault == "disk":
            disk_full_run(resumed, plugins)
            continue
        target = done + rng.randint(1, 12)  # a moment after this run's first steps
        sig = signal.SIGKILL if fault == "kill" else signal.SIGTERM
        saved = kill_when(resumed, [], lambda ckpt, t=target: ckpt["global_step"] >= t, sig=sig)
        done = saved["global_step"]
    assert not (resumed / "metrics.json").exists(), "a fault came after the run's end"
    again = run(resumed)
    assert "resuming from" in again.stdout
    assert_same_run(reference, resumed)
