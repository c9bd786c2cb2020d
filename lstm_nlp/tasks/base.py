"""The contract between the training runner and a task.

A task is registered with its options dataclass and a builder (:class:`Task`)::

    @TASKS.component("my_task", "my_package.task:build_task")
    @dataclass
    class MyTaskOptions(Options): ...

    def build_task(cfg: DictConfig, run: RunContext) -> TaskParts: ...

The builder receives the whole composed config (for the ``encoder``, ``data`` and ``optim``
groups) and ``run.options``, its own options already checked (an instance of its dataclass).
It returns :class:`TaskParts`: a LightningModule that logs ``val/...`` and ``test/...``
metrics (the runner writes them to ``metrics.json``), its DataModule, and what the runner
monitors to pick the best checkpoint.  ``tests/test_contracts.py`` builds and trains every
registered task, plugins' included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lstm_nlp.errors import ConfigError

if TYPE_CHECKING:
    import lightning.pytorch as pl
    from omegaconf import DictConfig


@dataclass
class RunContext:
    """What a task's builder needs besides the config: where the run lives, its seed, and its
    own options."""

    run_dir: Path
    seed: int
    cache_dir: Path | None = None
    options: Any = None  # the task's options dataclass instance (a dict without a schema)

    @property
    def tokenizer_path(self) -> Path:
        return self.run_dir / "tokenizer.json"


@dataclass
class TaskParts:
    """What a task gives the runner."""

    module: pl.LightningModule  # logs val/... and test/...; saves TASK_KEY in its checkpoints
    datamodule: pl.LightningDataModule
    monitor: str = "val/loss"  # the metric that picks the best checkpoint
    mode: Literal["min", "max"] = "min"
    trainer_kwargs: dict[str, Any] = field(default_factory=dict)  # use_distributed_sampler=False
    summary: dict[str, Any] = field(default_factory=dict)  # printed at start, in metrics.json

    def __post_init__(self) -> None:
        if self.mode not in ("min", "max"):
            raise ConfigError(f"TaskParts.mode must be 'min' or 'max', got {self.mode!r}")
        if not self.monitor.startswith("val/"):
            raise ConfigError(f"TaskParts.monitor must be a val/... metric, got {self.monitor!r}")


class Task(Protocol):
    """A task's builder, as registered in :data:`lstm_nlp.registry.TASKS`."""

    def __call__(self, cfg: DictConfig, run: RunContext) -> TaskParts: ...
