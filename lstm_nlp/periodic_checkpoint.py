"""Resume points inside an epoch: ``checkpoints/last.ckpt`` every N training steps and/or minutes.

A run killed without warning (SIGKILL, a lost node) resumes from the newest of these; with the
data position, random states and carried hidden state in the checkpoint
(:mod:`lstm_nlp.exact_resume`), it then ends exactly as an uninterrupted run would.
``checkpoint_every_n_steps`` is the same on every rank; the time-based save is decided by
rank 0's clock and agreed by all ranks (one small all-reduce every ``SYNC_EVERY`` steps).
"""

from __future__ import annotations

import time
from pathlib import Path

import lightning.pytorch as pl

SYNC_EVERY = 10  # under DDP, steps between agreements on the time-based save


class PeriodicCheckpoint(pl.Callback):
    def __init__(self, path: Path, every_n_steps: int | None = None, every_minutes: float | None = None,
                 clock=time.monotonic) -> None:
        self.path = Path(path)
        self.every_n_steps, self.every_minutes, self.clock = every_n_steps, every_minutes, clock
        self._last_save = clock()

    def _time_due(self, trainer) -> bool:
        if not self.every_minutes:
            return False
        if trainer.world_size > 1:
            if trainer.global_step % SYNC_EVERY:
                return False
            due = trainer.is_global_zero and self.clock() - self._last_save >= 60 * self.every_minutes
            return trainer.strategy.reduce_boolean_decision(due, all=False)
        return self.clock() - self._last_save >= 60 * self.every_minutes

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        step_due = bool(self.every_n_steps) and trainer.global_step % self.every_n_steps == 0
        if (self._time_due(trainer) or step_due) and not trainer.should_stop:
            trainer.save_checkpoint(self.path)
            self._last_save = self.clock()
