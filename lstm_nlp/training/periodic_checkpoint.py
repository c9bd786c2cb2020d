"""Resume points inside an epoch: ``checkpoints/last.ckpt`` every N training steps and/or minutes.

A run killed without warning (SIGKILL, a lost node) resumes from the newest of these; with the
data position, random states and carried hidden state in the checkpoint
(:mod:`lstm_nlp.training.exact_resume`), it then ends exactly as an uninterrupted run would.
``checkpoint_every_n_steps`` is the same on every rank; the time-based save is decided by
rank 0's clock and agreed by all ranks (one small all-reduce every ``SYNC_EVERY`` steps).
A save that comes due where a checkpoint would not resume exactly (inside a gradient
accumulation, just before a validation or the epoch's end: :mod:`lstm_nlp.training.save_points`)
is written after the next batch where it would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.training.save_points import StepWatch

SYNC_EVERY = 10  # under DDP, steps between agreements on the time-based save


class PeriodicCheckpoint(pl.Callback):
    def __init__(
        self,
        path: Path,
        every_n_steps: int | None = None,
        every_minutes: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.every_n_steps, self.every_minutes, self.clock = every_n_steps, every_minutes, clock
        self._last_save = clock()
        self._due = (
            False  # a save came due; written at the next batch after which it resumes exactly
        )
        self.watch = StepWatch()

    def _time_due(self, trainer: pl.Trainer) -> bool:
        if not self.every_minutes:
            return False
        if trainer.world_size > 1:
            if trainer.global_step % SYNC_EVERY:
                return False
            due = (
                trainer.is_global_zero and self.clock() - self._last_save >= 60 * self.every_minutes
            )
            return trainer.strategy.reduce_boolean_decision(due, all=False)
        return self.clock() - self._last_save >= 60 * self.every_minutes

    def on_train_batch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        self.watch.batch_starts(trainer)

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        n, before = self.every_n_steps, self.watch.step_before
        if (
            n and before is not None and trainer.global_step // n > before // n
        ):  # a multiple of n was reached
            self._due = True
        self._due = self._time_due(trainer) or self._due
        if self._due and self.watch.can_save(trainer, batch_idx) and not trainer.should_stop:
            trainer.save_checkpoint(self.path)
            self._due, self._last_save = False, self.clock()
