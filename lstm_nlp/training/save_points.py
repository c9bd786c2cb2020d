"""When a checkpoint written at the end of a training batch resumes exactly.

Lightning restores such a checkpoint as "this batch done"; it does not restore the middle of a
gradient accumulation, and it skips the validation (and the epoch end) that was due right after
the batch.  So a resume point inside an epoch is written only after a batch that

- completed an optimiser step (``global_step`` moved: not in the middle of an accumulation, nor
  after a batch dropped by ``nonfinite_loss=skip``), and
- is followed by more training, not by a validation or the end of the epoch (the checkpoint
  written after those, by the epoch-end checkpointing, is the resume point there).

A save that is due on another batch waits for the next batch that qualifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import lightning.pytorch as pl


def validation_follows(trainer: pl.Trainer, batch_idx: int) -> bool:
    """Whether Lightning validates or ends the epoch right after training batch ``batch_idx``."""
    if batch_idx + 1 >= trainer.num_training_batches:
        return True
    every = trainer.val_check_batch
    if isinstance(every, (int, float)) and 0 < every < float("inf"):
        per_epoch = trainer.check_val_every_n_epoch is not None  # else counted over the whole run
        count = batch_idx if per_epoch else trainer.fit_loop.epoch_loop.total_batch_idx
        return (count + 1) % int(every) == 0
    return False


class StepWatch:
    """Tells, at a training batch's end, whether a resume point may be written now: call
    :meth:`batch_starts` from ``on_train_batch_start`` and :meth:`can_save` from
    ``on_train_batch_end``."""

    def __init__(self) -> None:
        self.step_before: int | None = None

    def batch_starts(self, trainer: pl.Trainer) -> None:
        self.step_before = trainer.global_step

    def can_save(self, trainer: pl.Trainer, batch_idx: int) -> bool:
        stepped = self.step_before is not None and trainer.global_step != self.step_before
        return stepped and not validation_follows(trainer, batch_idx)
