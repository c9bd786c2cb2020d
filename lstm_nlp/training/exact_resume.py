"""What a resumed run needs beyond Lightning's own checkpoint contents to continue bit for bit.

Lightning saves and restores the weights, the optimiser, the schedulers, the loop counters and
the callbacks' states; lstm-nlp adds the data position (:mod:`lstm_nlp.data.resumable`), the
carried hidden state (:class:`~lstm_nlp.tasks.language_model.LanguageModel`) and, here:

- the random generators' states, saved with every checkpoint and restored just before the
  first training batch of the resumed run (nothing between a save and the next batch draws
  random numbers: evaluation runs without dropout);
- the plateau scheduler's step at the end of an epoch that was resumed in its middle (or from
  the checkpoint saved at its end, before the step), which Lightning skips because "metrics are
  not saved in the checkpoint": here they are (the last validation's scalars), so the step is
  taken, once, with the same value as in an uninterrupted run, before the next epoch starts.
"""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl
import torch

from lstm_nlp.training import rng_state


class ExactResume(pl.Callback):
    def __init__(self) -> None:
        self._trainer = None  # set in setup(): state_dict() gets no trainer
        self._saved_rng: dict[str, Any] | None = None
        self._saved_metrics: dict[str, float] = {}
        self._plateau_due = False

    def state_dict(self) -> dict[str, Any]:
        metrics = {}
        if self._trainer is not None:
            metrics = {
                k: float(v) for k, v in self._trainer.callback_metrics.items() if v.numel() == 1
            }
        return {
            "rng": rng_state.capture(),
            "metrics": metrics,
            "plateau_pending": plateau_pending(self._trainer),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self._saved_rng = state_dict.get("rng")
        self._saved_metrics = dict(state_dict.get("metrics", {}))
        self._plateau_due = bool(state_dict.get("plateau_pending"))

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        self._trainer = trainer

    def on_train_batch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        if self._saved_rng is not None:
            rng_state.restore(self._saved_rng)
            self._saved_rng = None

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        fit_loop = trainer.fit_loop
        self._plateau_due = fit_loop.restarting and fit_loop.epoch_loop._num_ready_batches_reached()

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        # Lightning steps plateau schedulers after the epoch-end checkpoint is saved; so do we,
        # at the start of the next epoch (nothing reads the rate in between)
        if self._plateau_due:
            for (
                key,
                value,
            ) in self._saved_metrics.items():  # the validation before the save, if none since
                trainer.callback_metrics.setdefault(key, torch.tensor(value))
            trainer.fit_loop.epoch_loop.update_lr_schedulers(
                "epoch", update_plateau_schedulers=True
            )
        self._plateau_due, self._saved_metrics = False, {}


def plateau_pending(trainer: pl.Trainer | None) -> bool:
    """Whether a checkpoint saved now comes between an epoch's end and its plateau-scheduler step
    (Lightning saves epoch-end checkpoints in ``on_train_epoch_end``, then steps the scheduler)."""
    if trainer is None or trainer.state.fn != "fit":
        return False
    progress = trainer.fit_loop.epoch_progress.current
    return progress.processed == progress.completed + 1
