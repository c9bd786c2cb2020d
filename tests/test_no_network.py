"""Nothing contacts the network unless asked: a whole run inside a network namespace with no
interfaces."""

import shutil
import subprocess
import sys

import pytest
from cli_helpers import TINY, env, metrics


def unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not unshare_works(), reason="needs unshare -n (a network namespace) on this machine"
)
def test_a_run_with_wandb_needs_no_network(tmp_path):
    run_dir = tmp_path / "run"
    e = env()
    e.pop("WANDB_MODE", None)  # the project's own default (offline) must hold, not the test's
    e["HOME"] = str(tmp_path / "home")  # no W&B login or settings of the machine's user
    cmd = [
        "unshare",
        "-n",
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        *TINY,
        "logger=wandb",
        "data.train_sentences=500",
        "data.valid_sentences=100",
        "data.test_sentences=100",
        f"cache_dir={tmp_path / 'cache'}",
        f"run_dir={run_dir}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "test/ppl" in metrics(run_dir)
    assert list(run_dir.rglob("offline-run-*")), "W&B wrote no offline run"
    probe = subprocess.run(
        [
            "unshare",
            "-n",
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)",
        ],
        capture_output=True,
        text=True,
    )
    assert probe.returncode != 0  # the namespace really has no network
