"""Histograms of the weights and gradients (``watch=gradients|parameters|all``, every
``watch_every_n_steps`` steps), in the loggers that hold histograms:

- W&B: the logger's own ``watch(model, log=..., log_freq=...)`` (wandb's hooks);
- TensorBoard: ``add_histogram`` per parameter, ``parameters/NAME`` (the weights after N steps)
  and ``gradients/NAME`` (the gradient of step N+1, before clipping), at step N.

Other loggers (CSV) hold no histograms: a run that asks for them without such a logger says so
in one line.
"""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl

KINDS = ("gradients", "parameters", "all")


def plain(tensor: Any) -> Any:
    """A dense fp32 CPU copy (what a histogram is computed from)."""
    tensor = tensor.detach()
    return (tensor.to_dense() if tensor.is_sparse else tensor).float().cpu()


def wants(log: str, kind: str) -> bool:
    return log in (kind, "all")


def histogram_loggers(loggers: list[Any]) -> tuple[list[Any], list[Any]]:
    """(the W&B loggers, the TensorBoard loggers) among ``loggers``."""
    from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

    return (
        [lg for lg in loggers if isinstance(lg, WandbLogger)],
        [lg for lg in loggers if isinstance(lg, TensorBoardLogger)],
    )


class WatchModel(pl.Callback):
    """``log`` (one of :data:`KINDS`; None: nothing) every ``every_n_steps`` optimiser steps."""

    def __init__(self, log: str | None = None, every_n_steps: int = 100) -> None:
        self.kind, self.every_n_steps = log, every_n_steps  # not .log: Lightning sets that
        self._writers: list[Any] = []

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not self.kind or not trainer.is_global_zero:
            return
        wandb, tensorboard = histogram_loggers(trainer.loggers)
        for logger in wandb:
            logger.watch(pl_module, log=self.kind, log_freq=self.every_n_steps, log_graph=False)
        self._writers = [logger.experiment for logger in tensorboard]
        if not wandb and not tensorboard:
            kinds = ", ".join(type(lg).__name__ for lg in trainer.loggers) or "none"
            print(
                f"lstm-nlp: watch={self.kind}: no logger here holds histograms (loggers: {kinds}); "
                "use logger=tensorboard or logger=wandb",
                flush=True,
            )

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: Any
    ) -> None:
        step = trainer.global_step
        if not self._writers or step % self.every_n_steps:
            return
        for name, param in pl_module.named_parameters():
            values = {}
            if wants(self.kind, "parameters"):
                values[f"parameters/{name}"] = param
            if wants(self.kind, "gradients") and param.grad is not None:
                values[f"gradients/{name}"] = param.grad
            for tag, tensor in values.items():
                for writer in self._writers:
                    writer.add_histogram(tag, plain(tensor), global_step=step)
