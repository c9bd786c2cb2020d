"""One step axis for every logger: the optimizer steps the run has completed.

Lightning logs training and validation metrics at ``_batches_that_stepped`` *before* it counts
the current batch (validation after 30 steps lands at step 29, the epoch's mean at 30), and
callbacks pick their own counter.  A logger that follows the trainer
(:meth:`StepAxis.follow`) writes every call at ``trainer.global_step`` instead: the number the
console, the run report and ``metrics.json`` show for the same event.  Outside training
(``trainer.validate``/``test``) Lightning's ``epoch`` value (``current_epoch`` = epochs run, an
epoch that never ran) is left out.

The built-in loggers are these classes; a ``logger=custom`` logger keeps Lightning's steps.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger, WandbLogger


class StepAxis:
    """Mixin for a Lightning logger: metrics at the completed optimizer steps of its trainer."""

    _trainer_ref: Any = None

    def follow(self, trainer: Any) -> None:
        """Log at ``trainer.global_step`` from now on (a weak reference: no cycle kept alive)."""
        self._trainer_ref = weakref.ref(trainer)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        trainer = self._trainer_ref() if self._trainer_ref is not None else None
        if trainer is not None:
            step = trainer.global_step
            if trainer.state.fn != "fit" and "epoch" in metrics:
                metrics = {k: v for k, v in metrics.items() if k != "epoch"}
        super().log_metrics(metrics, step)  # type: ignore[misc]


class StepCSVLogger(StepAxis, CSVLogger):
    """Lightning's CSVLogger on the completed-steps axis."""


class StepTensorBoardLogger(StepAxis, TensorBoardLogger):
    """Lightning's TensorBoardLogger on the completed-steps axis."""


class StepWandbLogger(StepAxis, WandbLogger):
    """Lightning's WandbLogger on the completed-steps axis (``trainer/global_step`` in W&B)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Lightning always passes anonymous=None, which wandb >= 0.19 answers with a deprecation
        # warning ("The anonymous setting has no effect") that nobody can act on
        self._wandb_init.pop("anonymous", None)


def follow_steps(loggers: list[Any], trainer: Any) -> None:
    """Each :class:`StepAxis` logger of ``loggers`` logs at ``trainer``'s completed steps."""
    for logger in loggers:
        if isinstance(logger, StepAxis):
            logger.follow(trainer)
