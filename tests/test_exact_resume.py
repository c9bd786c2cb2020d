"""SIGKILL at an arbitrary step, re-run the same command: the run ends exactly as an uninterrupted
one.

Every source of state is switched on: dropout, embedding dropout and weight-drop (random
generators), variable BPTT windows (data position), the carried hidden state, and a plateau
scheduler that lowers the rate at every epoch end (threshold 0.9: an improvement under 90%
counts as none), so a skipped or repeated scheduler step would change the last epoch.
"""

import csv
import signal
import subprocess
import sys
import time

import pytest
import torch
from cli_helpers import TINY, env, metrics

pytestmark = pytest.mark.slow  # every test here runs training processes

COMMON = [
    *TINY,
    "trainer.max_epochs=3",
    "data.train_sentences=1200",
    "data.valid_sentences=100",
    "data.test_sentences=100",
    "task.variable_bptt=true",
    "task.dropout=0.2",
    "task.embedding_dropout=0.1",
    "encoder.weight_drop=0.2",
    "optim.scheduler.threshold=0.9",
    "checkpoint_every_minutes=null",
    "checkpoint_every_n_steps=7",
]  # saving more often changes no number: the reference saves as often


def command(run_dir, *extra):
    return [sys.executable, "-m", "lstm_nlp.cli.train", *COMMON, *extra, f"run_dir={run_dir}"]


def run(run_dir, *extra):
    proc = subprocess.run(
        command(run_dir, *extra), capture_output=True, text=True, env=env(), timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def read(path):
    try:
        return torch.load(path, weights_only=True)
    except (OSError, RuntimeError, EOFError):
        return None


def kill_when(run_dir, extra, ready, sig=signal.SIGKILL):
    """Start the command, send ``sig`` as soon as ``ready(last.ckpt)`` holds; the checkpoint it
    left."""
    proc = subprocess.Popen(
        command(run_dir, *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        text=True,
    )
    last = run_dir / "checkpoints" / "last.ckpt"
    deadline = time.time() + 240
    while proc.poll() is None and time.time() < deadline:
        ckpt = read(last) if last.is_file() else None
        if ckpt is not None and ready(ckpt):
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=120)
            if sig != signal.SIGKILL:  # saved at a batch end and stopped cleanly, in one line
                assert (
                    proc.returncode == 0 and f"{sig.name} at step" in out and "Traceback" not in err
                ), err[-2000:]
            return read(last)
        time.sleep(0.02)
    proc.kill()
    pytest.fail(
        f"the run ended before the kill point (rc={proc.poll()}): " + proc.stderr.read()[-2000:]
    )


def assert_same_run(reference, resumed):
    assert metrics(resumed) == metrics(reference)
    for name in ("best.ckpt", "last.ckpt"):
        a = torch.load(reference / "checkpoints" / name, weights_only=True)
        b = torch.load(resumed / "checkpoints" / name, weights_only=True)
        assert a["global_step"] == b["global_step"]
        for key, value in a["state_dict"].items():
            assert torch.equal(value, b["state_dict"][key]), (name, key)
        assert (
            a["optimizer_states"][0]["param_groups"][0]["lr"]
            == b["optimizer_states"][0]["param_groups"][0]["lr"]
        )


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("exact") / "reference"
    run(run_dir)
    # variable BPTT draws a different number of windows every epoch; each epoch still ends with
    # its validation (the loader is rebuilt every epoch so that Lightning knows the count)
    rows = list(csv.DictReader(open(next(run_dir.glob("logs/version_0/metrics.csv")))))
    assert {row["epoch"] for row in rows if row.get("val/loss")} >= {"0", "1", "2"}
    return run_dir


@pytest.mark.parametrize("where", ["mid-epoch", "epoch-end", "sigterm"])
def test_sigkill_then_same_command_ends_as_an_uninterrupted_run(tmp_path, reference, where):
    # epoch-end: no periodic saves, so the newest checkpoint is the one written at epoch 0's end;
    # sigterm: SIGTERM once a periodic save of the second epoch exists
    extra = ["checkpoint_every_n_steps=null"] if where == "epoch-end" else []
    resumed = tmp_path / "resumed"
    if where == "mid-epoch":  # killed during the second epoch, some steps after a periodic save
        saved = kill_when(resumed, extra, lambda ckpt: ckpt["epoch"] == 1)
        assert saved["global_step"] % 7 == 0 and saved["epoch"] == 1
    elif where == "epoch-end":  # killed during the second epoch
        saved = kill_when(resumed, extra, lambda ckpt: True)
        assert saved["epoch"] == 0
    else:  # SIGTERM during the second epoch: the run saves at the end of a batch and stops
        saved = kill_when(resumed, extra, lambda ckpt: ckpt["epoch"] == 1, sig=signal.SIGTERM)
        assert saved["epoch"] >= 1
    assert not (resumed / "metrics.json").exists()

    again = run(resumed, *extra)
    assert f"resuming from {resumed / 'checkpoints' / 'last.ckpt'}" in again.stdout
    assert "not resumable" not in again.stderr  # Lightning's warning for loaders without a position
    assert_same_run(reference, resumed)
    lr = torch.load(resumed / "checkpoints" / "last.ckpt", weights_only=True)["optimizer_states"][0]
    assert lr["param_groups"][0]["lr"] < 20.0  # the plateau scheduler did lower the rate
