"""SIGTERM / SIGUSR1 during training: a checkpoint is saved, the command exits cleanly, a re-run
resumes."""

import signal
import subprocess
import sys
import time

import pytest
import torch
from cli_helpers import TINY, env, metrics


def start_training(run_dir, *extra):
    cmd = [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        *TINY,
        "trainer.max_epochs=200",
        "data.train_sentences=3000",
        "data.valid_sentences=200",
        "data.test_sentences=200",
        f"run_dir={run_dir}",
        *extra,
    ]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env()
    )


def wait_for_training(proc, timeout=120):
    deadline = time.time() + timeout
    for line in proc.stdout:
        if "first training step" in line:
            return
        if time.time() > deadline:
            break
    proc.kill()
    pytest.fail("the run never reached its first training step: " + proc.stderr.read()[-2000:])


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGUSR1])
def test_signal_saves_a_checkpoint_and_exits_cleanly_then_the_run_resumes(tmp_path, sig):
    run_dir = tmp_path / "run"
    proc = start_training(run_dir)
    wait_for_training(proc)
    time.sleep(1.0)  # some steps into the first epoch
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    assert f"{sig.name} at step" in out and "saved" in out, out[-2000:]
    assert "Traceback" not in err
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["global_step"] > 0
    assert not (run_dir / "metrics.json").exists()  # the run is not finished

    # the same command again (fewer epochs so that it ends): it resumes from that checkpoint
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "lstm_nlp.cli.train",
            *TINY,
            "trainer.max_epochs=1",
            "data.train_sentences=3000",
            "data.valid_sentences=200",
            "data.test_sentences=200",
            f"run_dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        env=env(),
        timeout=240,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"resuming from {run_dir / 'checkpoints' / 'last.ckpt'}" in again.stdout
    assert metrics(run_dir)["global_step"] >= ckpt["global_step"]
