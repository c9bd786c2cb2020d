"""Every checkpoint of a run names its task (``lstm_nlp_task``), whatever the task's module
writes itself: commands that read checkpoints (eval, generate, inspect) check it."""

from __future__ import annotations

import lightning.pytorch as pl

from lstm_nlp.text.checkpoint_file import TASK_KEY


class TaskStamp(pl.Callback):
    def __init__(self, task: str) -> None:
        self.task = task

    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict
    ) -> None:
        checkpoint.setdefault(TASK_KEY, self.task)
