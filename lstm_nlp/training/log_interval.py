"""When Lightning writes a training step's values to the loggers: every
``trainer.log_every_n_steps`` optimiser steps, with at least one logger.

The callbacks that log their own step values (gradient norm, tokens/s, system metrics) measure
only then, so a value costs nothing at the other steps, and is written at the same step as the
module's ``train/loss``."""

from __future__ import annotations

import lightning.pytorch as pl


def logging_due(trainer: pl.Trainer) -> bool:
    """True during a training step whose logged values Lightning writes to the loggers (from
    ``on_train_batch_start`` to ``on_train_batch_end``)."""
    if not trainer.loggers or trainer.sanity_checking:
        return False
    return bool(trainer._logger_connector.should_update_logs)


def log_step_value(pl_module: pl.LightningModule, key: str, value: float) -> None:
    """``key`` logged for this step only (no epoch mean), to every logger."""
    pl_module.log(key, value, on_step=True, on_epoch=False, batch_size=1)
