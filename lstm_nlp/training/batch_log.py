"""Progress a batch job's log can show: one plain line every ``progress_every_seconds`` while
a run trains and stdout is not a terminal (SLURM, nohup, CI), where a progress bar is either
silent until the end or one wrapped line::

    lstm-nlp: progress: epoch 0 | step 1200/15000 | 48% of epoch | loss 5.312 | ppl 202.8 |
      41,200 tokens/s | lr 20 | ETA 41m05s

(one line in the file), and during a validation or test that outlasts the interval::

    lstm-nlp: progress: validation | epoch 0 | step 1200 | batch 300/1000 | 30% | ETA 1m10s

``loss`` is the mean training loss since the previous line (the same
quantity as the epoch line's ``train/loss``), ``ppl`` its exponential (language models only),
tokens/s the training speed since the previous line (validation time left out), ``step`` the
optimiser steps done of the run's total, ``ETA`` the time to that total at this process's pace
so far (validations included), or to the end of the epoch when the run has no known total.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks.progress.progress_bar import ProgressBar

from lstm_nlp.report.history import LossMean, learning_rate, reported_loss
from lstm_nlp.training.tokens import TrainingTokens

PREFIX = "lstm-nlp: progress: "


def duration(seconds: float) -> str:
    """``45s``, ``3m05s``, ``2h07m``: a time span as a log line shows it."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def perplexity(loss: float) -> float:
    """``exp(loss)``, inf where it overflows."""
    return math.exp(loss) if loss < 700 else math.inf


def is_language_model(pl_module: Any) -> bool:
    """Whether the module's loss is a per-token cross-entropy (its exponential a perplexity)."""
    from lstm_nlp.tasks.language_model import LanguageModel

    return isinstance(pl_module, LanguageModel)


class BatchLog(TrainingTokens):
    """Prints :data:`PREFIX` lines at most every ``every_seconds`` of wall time (rank 0), at the
    end of a training batch; ``every_seconds`` None prints nothing.  ``clock`` and ``out`` are
    injectable (tests use a fake clock and a list)."""

    def __init__(
        self,
        every_seconds: float | None = 30.0,
        clock: Callable[[], float] = time.monotonic,
        out: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(clock)
        self.every_seconds, self.clock = every_seconds, clock
        self.out = out  # None: print (a lambda would not pickle for ddp_spawn)
        self.losses = LossMean()
        self._fit_start, self._fit_step, self._last = 0.0, 0, 0.0
        self._epoch_start, self._eval_start, self._ppl = 0.0, 0.0, False

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._fit_start = self._last = self.clock()
        self._fit_step, self._ppl = trainer.global_step, is_language_model(pl_module)

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        super().on_train_epoch_start(trainer, pl_module)
        self._epoch_start = self.clock()

    def restart(self) -> None:
        super().restart()
        self.losses = LossMean()

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)
        if not self.every_seconds or not trainer.is_global_zero:
            return
        self.losses.add(reported_loss(outputs, trainer.accumulate_grad_batches))
        now = self.clock()
        if now - self._last < self.every_seconds:
            return
        self._last = now
        self.emit(PREFIX + " | ".join(self.parts(trainer, batch_idx, now)))
        self.restart()  # tokens/s and loss since this line

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        super().on_validation_start(trainer, pl_module)
        self._eval_start = self.clock()

    def on_test_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._eval_start = self.clock()

    def on_validation_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        self._eval_line(trainer, "validation", trainer.num_val_batches, batch_idx, dataloader_idx)

    def on_test_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        self._eval_line(trainer, "test", trainer.num_test_batches, batch_idx, dataloader_idx)

    def _eval_line(
        self,
        trainer: pl.Trainer,
        stage: str,
        counts: list[int | float],
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        """A validation or test line when the interval has passed (not in the sanity check)."""
        if not self.every_seconds or not trainer.is_global_zero or trainer.sanity_checking:
            return
        now = self.clock()
        if now - self._last < self.every_seconds:
            return
        self._last = now
        parts = [stage, f"step {trainer.global_step}"]  # the weights' step
        if trainer.state.fn == "fit":
            parts.insert(1, f"epoch {trainer.current_epoch}")
        batches = counts[dataloader_idx] if dataloader_idx < len(counts) else math.inf
        if finite(batches):
            done = batch_idx + 1
            eta = (now - self._eval_start) / done * max(0, batches - done)
            parts += [f"batch {done}/{int(batches)}", f"{100 * done / batches:.0f}%"]
            parts.append(f"ETA {duration(eta)}")
        else:
            parts.append(f"batch {batch_idx + 1}")
        self.emit(PREFIX + " | ".join(parts))

    def emit(self, line: str) -> None:
        if self.out is None:
            print(line, flush=True)
        else:
            self.out(line)

    def parts(self, trainer: pl.Trainer, batch_idx: int, now: float) -> list[str]:
        """The line's fields, each left out where its figure is unknown."""
        step, total = trainer.global_step, trainer.estimated_stepping_batches
        batches = trainer.num_training_batches
        parts = [
            f"epoch {trainer.current_epoch}",
            f"step {step}/{int(total)}" if finite(total) else f"step {step}",
        ]
        if finite(batches):
            parts.append(f"{100 * (batch_idx + 1) / batches:.0f}% of epoch")
        parts += self.loss_parts()
        rate = self.tokens.rate()
        if rate is not None:
            parts.append(f"{rate:,.0f} tokens/s")
        lr = learning_rate(trainer)
        if lr is not None:
            parts.append(f"lr {lr:.4g}")
        eta = self.eta(trainer, batch_idx, now)
        if eta is not None:
            parts.append(f"ETA {duration(eta)}")
        return parts

    def loss_parts(self) -> list[str]:
        """``loss`` since the previous line, and its perplexity for a language model."""
        loss = self.losses.take()
        if loss is None:
            return []
        if not self._ppl:
            return [f"loss {loss:.4g}"]
        ppl = perplexity(loss)
        return [f"loss {loss:.4g}", f"ppl {ppl:.1f}" if ppl < 1e5 else f"ppl {ppl:.3g}"]

    def eta(self, trainer: pl.Trainer, batch_idx: int, now: float) -> float | None:
        """Seconds to the run's last step at this process's pace, else to the epoch's end."""
        total, done = trainer.estimated_stepping_batches, trainer.global_step - self._fit_step
        if finite(total) and done > 0:
            return (now - self._fit_start) / done * max(0, total - trainer.global_step)
        batches = trainer.num_training_batches
        if finite(batches):
            return (now - self._epoch_start) / (batch_idx + 1) * max(0, batches - batch_idx - 1)
        return None


class BatchLogBar(BatchLog, ProgressBar):
    """:class:`BatchLog` as the Trainer's progress bar: what ``trainer.enable_progress_bar=true``
    gets when stdout is not a terminal (a bar there is one wrapped line at the end)."""

    def __init__(self, every_seconds: float | None = 30.0, **kwargs: Any) -> None:
        super().__init__(every_seconds, **kwargs)
        self._enabled = True

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    def on_train_batch_end(self, *args: Any, **kwargs: Any) -> None:
        if self._enabled:
            super().on_train_batch_end(*args, **kwargs)

    def on_validation_batch_end(self, *args: Any, **kwargs: Any) -> None:
        if self._enabled:
            super().on_validation_batch_end(*args, **kwargs)

    def on_test_batch_end(self, *args: Any, **kwargs: Any) -> None:
        if self._enabled:
            super().on_test_batch_end(*args, **kwargs)
