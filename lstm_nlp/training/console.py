"""Small Lightning callbacks the runner adds to every run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.report.history import LossMean, reported_loss
from lstm_nlp.training.progress import batch_tokens


class EpochSummary(pl.Callback):
    """One line per epoch: epoch, step, the epoch's mean training loss (the same quantity as the
    run report's ``train/loss``: :func:`~lstm_nlp.report.history.reported_loss`), the latest
    validation metrics, training tokens/s.  Readable in log files and CI output, where a progress
    bar is noise."""

    def __init__(self) -> None:
        self._start: float | None = None
        self._tokens = 0
        self._losses = LossMean()

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._start, self._tokens, self._losses = time.perf_counter(), 0, LossMean()

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        self._tokens += batch_tokens(batch)
        self._losses.add(reported_loss(outputs, trainer.accumulate_grad_batches))

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not trainer.is_global_zero:
            return
        parts = [f"epoch {trainer.current_epoch}", f"step {trainer.global_step}"]
        loss = self._losses.take()
        if loss is not None:
            parts.append(f"train/loss {loss:.4g}")
        metrics = trainer.callback_metrics
        parts += [f"{k} {float(v):.4g}" for k, v in sorted(metrics.items()) if k.startswith("val/")]
        if self._start is not None and self._tokens:
            tokens = self._tokens * trainer.world_size  # every rank trains as many as rank 0
            parts.append(f"{tokens / (time.perf_counter() - self._start):,.0f} tokens/s")
        print("lstm-nlp: " + " | ".join(parts), flush=True)


def process_start_time() -> float | None:
    """Unix time at which this process started (Linux ``/proc``), else None."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime")
        )
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


class StartupTime(pl.Callback):
    """Says once how long the command took to reach its first training step (start-up cost)."""

    def __init__(self) -> None:
        self.done = False

    def on_train_batch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        if self.done or not trainer.is_global_zero:
            return
        self.done = True
        now, start = time.time(), process_start_time()
        since = f"{now - start:.2f} s after the command started" if start is not None else "reached"
        print(f"lstm-nlp: first training step {since} (unix time {now:.3f})", flush=True)
