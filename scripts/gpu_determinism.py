#!/usr/bin/env python
"""What "same seed, same result" and exact resume give on a GPU (the README's GPU caveats).

Trains the same small language model twice with ``trainer.deterministic=false`` and twice with
``=true``, then kills a deterministic run (SIGKILL) mid-epoch and re-runs the same command;
prints whether the final metrics are bitwise equal and by how much they differ.

    python scripts/gpu_determinism.py --out /tmp/gpu_det        # needs a CUDA device
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

MODEL = [
    "encoder.hidden_size=256",
    "encoder.num_layers=2",
    "task.embedding_dim=256",
    "task.batch_size=32",
    "task.bptt=35",
    "trainer.max_epochs=3",
    "data.train_sentences=6000",
    "data.valid_sentences=500",
    "data.test_sentences=500",
    "task.dropout=0.3",
    "encoder.weight_drop=0.2",
    "trainer.accelerator=gpu",
    "trainer.devices=1",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
    "logger=none",
    "checkpoint_every_minutes=null",
    "checkpoint_every_n_steps=25",
    "optim.scheduler.threshold=0.9",
]


def command(run_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "lstm_nlp.cli.train", *MODEL, *extra, f"run_dir={run_dir}"]


def train(run_dir: Path, *extra: str) -> dict:
    start = time.time()
    proc = subprocess.run(command(run_dir, *extra), capture_output=True, text=True)
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1]
            if proc.stderr.strip()
            else f"exit {proc.returncode}"
        }
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"metrics": metrics, "seconds": round(time.time() - start, 1)}


def killed_then_resumed(run_dir: Path, *extra: str) -> dict:
    import torch

    proc = subprocess.Popen(
        command(run_dir, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    last = run_dir / "checkpoints" / "last.ckpt"
    step = None
    while proc.poll() is None:
        if last.is_file():
            try:
                ckpt = torch.load(last, weights_only=True, map_location="cpu")
            except Exception:
                ckpt = None
            if ckpt is not None and ckpt["epoch"] == 1:
                proc.kill()
                proc.wait()
                step = ckpt["global_step"]
                break
        time.sleep(0.05)
    result = train(run_dir, *extra)
    result["resumed_from_step"] = step
    return result


def compare(a: dict, b: dict) -> dict:
    if "error" in a or "error" in b:
        return {"error": a.get("error") or b.get("error")}
    keys = [k for k in ("val/loss", "test/loss", "val/ppl", "test/ppl") if k in a["metrics"]]
    diff = {k: abs(a["metrics"][k] - b["metrics"][k]) for k in keys}
    return {
        "bitwise_equal": all(a["metrics"][k] == b["metrics"][k] for k in keys),
        "abs_diff": diff,
        "test_ppl": [a["metrics"].get("test/ppl"), b["metrics"].get("test/ppl")],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, required=True, help="an empty or new folder for the runs"
    )
    args = parser.parse_args()
    import torch

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "device": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "cudnn": torch.backends.cudnn.version(),
        "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
    }
    runs = {}
    for flag in ("false", "true"):
        runs[flag] = [
            train(out / f"det_{flag}_{i}", f"trainer.deterministic={flag}") for i in (1, 2)
        ]
        report[f"deterministic={flag}"] = compare(*runs[flag])
        report[f"deterministic={flag}"]["seconds"] = [r.get("seconds") for r in runs[flag]]
    resumed = killed_then_resumed(out / "resumed", "trainer.deterministic=true")
    report["sigkill_resume_vs_uninterrupted"] = {
        **compare(runs["true"][0], resumed),
        "resumed_from_step": resumed.get("resumed_from_step"),
    }
    print(json.dumps(report, indent=2))
    (out / "gpu_determinism.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
