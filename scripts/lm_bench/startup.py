"""Command start-up: ``lstm-nlp-train --help``, ``import lightning``, and command start to first
training step."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
FIRST_STEP = re.compile(r"first training step .*\(unix time ([0-9.]+)\)")
TINY = [
    "task.embedding_dim=16",
    "encoder.hidden_size=16",
    "encoder.num_layers=1",
    "+trainer.max_steps=2",
    "trainer.max_epochs=1",
    "data.train_sentences=2000",
    "data.valid_sentences=200",
    "data.test_sentences=200",
    "logger=csv",
    "trainer.enable_model_summary=false",
]


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def wall(cmd: list[str], repeats: int) -> float:
    """Median wall time of ``cmd`` (fresh process each time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=_env())
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def to_first_step(repeats: int) -> float:
    """Median seconds from launching ``lstm-nlp-train`` (tiny model, generated corpus already
    cached) to the start of its first training step, read from the line the run prints then."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeats + 1):  # the first run fills the corpus cache and is not counted
            cmd = [str(BIN / "lstm-nlp-train"), f"run_dir={tmp}/run{i}", *TINY]
            start = time.time()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=_env()).stdout
            match = FIRST_STEP.search(out)
            if match is None:
                raise RuntimeError(f"no first-step line in the output of {' '.join(cmd)}")
            if i:
                times.append(float(match.group(1)) - start)
    return statistics.median(times)


def startup(repeats: int = 5) -> dict[str, float]:
    help_s = wall([str(BIN / "lstm-nlp-train"), "--help"], repeats)
    lightning_s = wall([sys.executable, "-c", "import lightning"], repeats)
    first = to_first_step(max(1, repeats // 2))
    return {
        "help_s": help_s,
        "import_lightning_s": lightning_s,
        "first_step_s": first,
        "first_step_ratio": first / lightning_s,
    }
