"""The trainer callback that writes the run's record when training starts."""

from __future__ import annotations

import lightning.pytorch as pl

from lstm_nlp.training.run_record import RunRecord


class RecordOnStart(pl.Callback):
    """Writes :class:`RunRecord` when training starts (rank 0 only, in whichever process it
    runs: the command's own, or a DDP-spawned one)."""

    def __init__(self, record: RunRecord) -> None:
        self.record = record

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.is_global_zero:
            self.record.write()
