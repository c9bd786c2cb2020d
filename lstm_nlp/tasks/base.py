"""The contract between the training runner and a task plugin.

A task is a callable registered in :data:`lstm_nlp.registry.TASKS`::

    @TASKS.register("my_task", config={...})          # config: the Hydra node for task=my_task
    def build(cfg: DictConfig, run: RunContext) -> TaskParts: ...

It receives the whole composed config and returns the LightningModule, its
DataModule, and what the runner should monitor.  The module logs ``val/...`` and
``test/...`` metrics; the runner writes them to ``metrics.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunContext:
    run_dir: Path
    seed: int
    cache_dir: Path | None = None

    @property
    def tokenizer_path(self) -> Path:
        return self.run_dir / "tokenizer.json"


@dataclass
class TaskParts:
    module: Any  # a lightning.pytorch.LightningModule
    datamodule: Any  # a lightning.pytorch.LightningDataModule
    monitor: str = "val/loss"  # the metric that picks the best checkpoint
    mode: str = "min"
    trainer_kwargs: dict[str, Any] = field(
        default_factory=dict
    )  # e.g. use_distributed_sampler=False
    summary: dict[str, Any] = field(
        default_factory=dict
    )  # printed at start and saved in metrics.json
