"""``system/...``: what the training process costs the machine, logged every
``trainer.log_every_n_steps`` steps to every logger (W&B samples its own besides; TensorBoard
and CSV have only these):

- ``system/cpu_percent``: this process's CPU time per wall second since the previous sample
  (100 = one core busy);
- ``system/rss_gb``: this process's resident memory; ``system/memory_percent``: the machine's
  memory in use (psutil when installed, else Linux ``/proc``; left out where neither is);
- ``system/gpu_allocated_gb``, ``system/gpu_reserved_gb``, ``system/gpu_peak_gb``: torch's
  CUDA memory on the module's device (allocated, held by the caching allocator, peak allocated),
  when it is a GPU.
"""

from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.training.log_interval import log_step_value, logging_due

GB = 1e9


def cpu_seconds() -> float:
    """User and system CPU time of this process (all its threads)."""
    times = os.times()
    return times.user + times.system


def memory_psutil() -> dict[str, float]:
    import psutil

    return {
        "system/rss_gb": psutil.Process().memory_info().rss / GB,
        "system/memory_percent": float(psutil.virtual_memory().percent),
    }


def memory_proc() -> dict[str, float]:
    """The same from ``/proc`` (Linux); {} where it cannot be read."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        info = {
            line.split(":")[0]: int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith(("MemTotal:", "MemAvailable:"))
        }
        used = 100.0 * (1 - info["MemAvailable"] / info["MemTotal"])
    except (OSError, ValueError, IndexError, KeyError, ZeroDivisionError):
        return {}
    return {"system/rss_gb": pages * os.sysconf("SC_PAGE_SIZE") / GB, "system/memory_percent": used}


def memory() -> dict[str, float]:
    """The process's resident memory and the machine's memory in use."""
    return memory_psutil() if importlib.util.find_spec("psutil") else memory_proc()


def gpu_memory(device: Any) -> dict[str, float]:
    """torch's CUDA memory figures on ``device``; {} for another device."""
    import torch

    if getattr(device, "type", None) != "cuda" or not torch.cuda.is_available():
        return {}
    return {
        "system/gpu_allocated_gb": torch.cuda.memory_allocated(device) / GB,
        "system/gpu_reserved_gb": torch.cuda.memory_reserved(device) / GB,
        "system/gpu_peak_gb": torch.cuda.max_memory_allocated(device) / GB,
    }


class SystemMetrics(pl.Callback):
    """Logs the figures of the module's docstring at the steps Lightning logs."""

    def __init__(self) -> None:
        self._cpu: tuple[float, float] | None = None

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._cpu = (cpu_seconds(), time.monotonic())

    def cpu_percent(self) -> dict[str, float]:
        """``system/cpu_percent`` since the previous sample; {} for the first."""
        now = (cpu_seconds(), time.monotonic())
        before, self._cpu = self._cpu, now
        if before is None or now[1] <= before[1]:
            return {}
        return {"system/cpu_percent": 100.0 * (now[0] - before[0]) / (now[1] - before[1])}

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        if not logging_due(trainer):
            return
        figures = {**self.cpu_percent(), **memory(), **gpu_memory(pl_module.device)}
        for key, value in figures.items():
            log_step_value(pl_module, key, value)
