"""``train/tokens_per_s``: training tokens per second (all ranks together; validation time left
out) since the previous logged step, logged every ``trainer.log_every_n_steps`` steps to every
logger."""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl

from lstm_nlp.training.log_interval import log_step_value, logging_due
from lstm_nlp.training.tokens import TrainingTokens

KEY = "train/tokens_per_s"


class LoggedThroughput(TrainingTokens):
    """Logs :data:`KEY` at the steps Lightning logs, then counts afresh."""

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)
        if not logging_due(trainer):
            return
        rate = self.tokens.rate()
        if rate is not None:
            log_step_value(pl_module, KEY, rate)
        self.restart()
