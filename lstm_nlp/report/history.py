"""The run's learning curves, recorded by the run itself: ``RUN_DIR/report/history.json``.

Whatever logger is chosen (or none), :class:`TrainingHistory` notes at every validation
of the fit (and at the end of an epoch without one) a record::

    {"epoch": 0, "step": 107, "train/loss": 5.14, "val/loss": 4.89, "val/ppl": 133.0,
     "agreement/acc": 0.61, "lr": 20.0, "elapsed_s": 1.9}

and, every ``trainer.log_every_n_steps`` optimiser steps, a training point in ``steps``::

    {"step": 50, "epoch": 0, "train/loss": 5.61, "lr": 20.0}

(the report's curves per logged step; at most :data:`MAX_STEP_POINTS`: beyond, neighbours are
merged in pairs and the interval doubles, so a long run keeps a bounded, evenly spaced curve).

``train/loss`` is the mean, over the finite-loss batches since the previous record (each rank's
own batches under DDP), of the loss each training step reported (:func:`reported_loss`: the
``train/loss`` a module returns beside the objective it minimises, such as a language model's
cross-entropy without its regularisers; else the objective itself); the epoch line the run
prints (:class:`~lstm_nlp.training.console.EpochSummary`) averages the same values over the
epoch.  The other values are the ``callback_metrics`` the module and callbacks logged
(``train/*`` step values and ``system/*`` figures left out).  The step losses are only kept
(no arithmetic, no device synchronisation per step) and summed once per record or point, or
per :data:`FOLD_EVERY` steps.

The history is part of the callback's ``state_dict()``, so it travels in every checkpoint: a
resumed run starts from the history of the checkpoint it resumes from and never lists an
epoch twice. ``history.json`` is a readable copy, rewritten atomically (rank 0 only) after
every record.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import lightning.pytorch as pl

from lstm_nlp.atomic import write_json

VERSION = 1
HISTORY = Path("report") / "history.json"  # in the run directory
FOLD_EVERY = 1000  # step losses kept before they are summed (bounds memory on long epochs)
MAX_STEP_POINTS = 2000  # training points kept in ``steps``
NOT_RECORDED = ("train/", "system/")  # step values: in the loggers, not in the records


def finite_or_none(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def reported_loss(outputs: Any, accumulate_grad_batches: int = 1) -> Any:
    """The loss a training step reports: ``outputs["train/loss"]`` when the module returns one
    (a dict with the objective under ``"loss"``), else the objective itself (multiplied back by
    ``accumulate_grad_batches``: Lightning divided it); None for a skipped step."""
    if isinstance(outputs, dict) and "train/loss" in outputs:
        return outputs["train/loss"]
    loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
    if loss is None or not hasattr(loss, "detach"):
        return None
    return loss if accumulate_grad_batches == 1 else loss.detach() * accumulate_grad_batches


class LossMean:
    """The mean of step losses, kept as detached device tensors and summed once per
    :meth:`fold` (no device synchronisation per step); non-finite losses are left out."""

    def __init__(self) -> None:
        self._losses: list[Any] = []
        self.carried = (0.0, 0)  # (sum, count) already folded (or restored from a checkpoint)

    def add(self, loss: Any) -> None:
        if loss is None or not hasattr(loss, "detach"):
            return
        self._losses.append(loss.detach())
        if len(self._losses) >= FOLD_EVERY:
            self.fold()

    def fold(self) -> tuple[float, int]:
        """Sum and count of the finite losses so far."""
        if self._losses:
            import torch

            losses = torch.stack([loss.float() for loss in self._losses])
            finite = losses.isfinite()
            total, count = self.carried
            self.carried = (total + float(losses[finite].sum()), count + int(finite.sum()))
            self._losses = []
        return self.carried

    def take(self) -> float | None:
        """The mean so far (None without a finite loss), and start afresh."""
        total, count = self.fold()
        self.carried = (0.0, 0)
        return finite_or_none(total / count) if count else None


def learning_rate(trainer: pl.Trainer) -> float | None:
    """The first optimiser's first parameter group's learning rate (None without one)."""
    optimizers = getattr(trainer, "optimizers", None)
    if optimizers and optimizers[0].param_groups:
        return float(optimizers[0].param_groups[0]["lr"])
    return None


def merged_pairs(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbouring training points merged in pairs: the later one's step, epoch and learning
    rate, the mean of their losses (an unpaired last point kept as it is)."""
    merged = []
    for first, second in zip(points[0::2], points[1::2]):
        losses = [p["train/loss"] for p in (first, second) if p.get("train/loss") is not None]
        point = dict(second)
        if losses:
            point["train/loss"] = sum(losses) / len(losses)
        merged.append(point)
    return merged + ([points[-1]] if len(points) % 2 else [])


class TrainingHistory(pl.Callback):
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.records: list[dict[str, Any]] = []
        self.losses = LossMean()  # the step losses since the last record
        self.steps: list[dict[str, Any]] = []  # a training point per logged step
        self.step_losses = LossMean()  # the step losses since the last point
        self.stride = 0  # steps between points (0: trainer.log_every_n_steps, once known)
        self._elapsed_before = 0.0  # training seconds of earlier (resumed-from) processes
        self._fit_start: float | None = None

    # -- checkpoints -------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        loss_sum, loss_count = self.losses.fold()
        return {
            "version": VERSION,
            "records": [dict(r) for r in self.records],
            "loss_sum": loss_sum,
            "loss_count": loss_count,
            "elapsed_s": self.elapsed(),
            "steps": [dict(p) for p in self.steps],
            "stride": self.stride,
            "step_loss": list(self.step_losses.fold()),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.records = [dict(r) for r in state.get("records", [])]
        self.losses = LossMean()
        self.losses.carried = (float(state.get("loss_sum", 0.0)), int(state.get("loss_count", 0)))
        self._elapsed_before = float(state.get("elapsed_s", 0.0))
        self._fit_start = None
        self.steps = [dict(p) for p in state.get("steps", [])]
        self.stride = int(state.get("stride", 0))
        self.step_losses = LossMean()
        total, count = state.get("step_loss", (0.0, 0))
        self.step_losses.carried = (float(total), int(count))

    def elapsed(self) -> float:
        since = time.perf_counter() - self._fit_start if self._fit_start is not None else 0.0
        return self._elapsed_before + since

    # -- hooks -------------------------------------------------------------------------------
    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._fit_start = time.perf_counter()

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._elapsed_before, self._fit_start = self.elapsed(), None

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        loss = reported_loss(outputs, trainer.accumulate_grad_batches)
        self.losses.add(loss)
        self.step_losses.add(loss)
        self.stride = self.stride or int(getattr(trainer, "log_every_n_steps", 0) or 0)
        step = trainer.global_step
        if self.stride and step and step % self.stride == 0:
            if not self.steps or self.steps[-1]["step"] < step:
                self.note_step(trainer)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking or trainer.state.fn != "fit":
            return
        metrics = {
            k: finite_or_none(v)
            for k, v in trainer.callback_metrics.items()
            if not k.startswith(NOT_RECORDED) and getattr(v, "numel", lambda: 1)() == 1
        }
        self.record(trainer, metrics)

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        last = self.records[-1] if self.records else None
        if last is None or (last["epoch"], last["step"]) != (
            trainer.current_epoch,
            trainer.global_step,
        ):
            self.record(trainer, {})  # an epoch without validation: its training loss only

    # -- records -----------------------------------------------------------------------------
    def record(self, trainer: pl.Trainer, metrics: dict[str, float | None]) -> None:
        entry: dict[str, Any] = {"epoch": trainer.current_epoch, "step": trainer.global_step}
        mean = self.losses.take()
        if mean is not None:
            entry["train/loss"] = mean
        entry.update(metrics)
        lr = learning_rate(trainer)
        if lr is not None:
            entry["lr"] = lr
        entry["elapsed_s"] = round(self.elapsed(), 3)
        self.upsert(entry)
        if trainer.is_global_zero:
            write_json(self.path, self.state_dict())

    def note_step(self, trainer: pl.Trainer) -> None:
        """A training point: the mean loss since the previous one, the learning rate."""
        point: dict[str, Any] = {"step": trainer.global_step, "epoch": trainer.current_epoch}
        mean = self.step_losses.take()
        if mean is not None:
            point["train/loss"] = mean
        lr = learning_rate(trainer)
        if lr is not None:
            point["lr"] = lr
        self.steps.append(point)
        if len(self.steps) > MAX_STEP_POINTS:
            self.steps, self.stride = merged_pairs(self.steps), 2 * self.stride

    def upsert(self, entry: dict[str, Any]) -> None:
        """Add ``entry``, merged into an existing record of the same epoch and step (never a
        duplicate)."""
        for record in self.records:
            if (record["epoch"], record["step"]) == (entry["epoch"], entry["step"]):
                record.update({k: v for k, v in entry.items() if v is not None or k not in record})
                return
        self.records.append(entry)
        self.records.sort(key=lambda r: (r["step"], r["epoch"]))


def load_history(path: Path, part: str = "records") -> list[dict[str, Any]]:
    """The ``records`` (or the training points, ``part="steps"``) of a ``history.json`` ([] when
    there is none or it cannot be read)."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8")).get(part, [])
    except (OSError, ValueError, AttributeError):
        return []
    return [r for r in records if isinstance(r, dict) and "epoch" in r and "step" in r]
