"""SIGTERM and SIGUSR1 (a cluster's pre-emption warning): save a checkpoint, stop cleanly.

The signal only sets a flag; at the end of the current training batch every rank agrees that
a signal came (one rank may have been sent it), the run saves ``checkpoints/last.ckpt``
(atomically, through Lightning) and stops — after the next batch instead when this one is in
the middle of a gradient accumulation or is followed by a validation or the epoch's end
(:mod:`lstm_nlp.training.save_points`), so that the re-run continues exactly.  The command then
exits with status 0 and one line saying so; re-running the same command resumes from that
checkpoint.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.training.save_points import StepWatch


class Preempted(Exception):
    """Raised out of ``trainer.fit`` once the checkpoint is saved;
    :func:`lstm_nlp.training.runner.train` returns."""


SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGUSR1") if hasattr(signal, name))


class SaveOnSignal(pl.Callback):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.received: str | None = None
        self.stopped_at: int | None = None
        self._previous: dict[int, object] = {}
        self.watch = StepWatch()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received = signal.Signals(signum).name

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}

    def on_train_batch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        self.watch.batch_starts(trainer)

    def _agreed(self, trainer: pl.Trainer) -> bool:
        flag = self.received is not None
        if trainer.world_size > 1:
            flag = trainer.strategy.reduce_boolean_decision(flag, all=False)
        if flag:
            self.received = self.received or "a signal on another rank"
        return flag

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        # saved only where the checkpoint resumes exactly (lstm_nlp.training.save_points), else
        # after the next batch
        if self._agreed(trainer) and self.watch.can_save(trainer, batch_idx):
            trainer.save_checkpoint(self.path)
            self.stopped_at = trainer.global_step
            raise Preempted(
                self.message
            )  # not should_stop: Lightning would validate and checkpoint again

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.stopped_at is None and self._agreed(
            trainer
        ):  # training ended before a batch to stop at
            self.stopped_at = trainer.global_step  # the epoch-end checkpoint is the resume point
        self._restore_handlers()

    def on_exception(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, exception: BaseException
    ) -> None:
        self._restore_handlers()

    def _restore_handlers(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}

    @property
    def message(self) -> str | None:
        if self.stopped_at is None:
            return None
        return (
            f"lstm-nlp: {self.received} at step {self.stopped_at}: saved {self.path} and stopped; "
            "re-run the same command (same run_dir) to resume"
        )
