"""``train/grad_norm``: the total 2-norm of the gradients before clipping
(``trainer.gradient_clip_val`` clips right after), logged every ``trainer.log_every_n_steps``
steps to every logger.  A norm far above the clipping value for long, or growing, is the
early sign of a diverging run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import lightning.pytorch as pl
import torch

from lstm_nlp.training.log_interval import log_step_value, logging_due

KEY = "train/grad_norm"


def dense(grad: torch.Tensor) -> torch.Tensor:
    return grad.coalesce().values() if grad.is_sparse else grad


def total_norm(params: Iterable[torch.Tensor]) -> torch.Tensor | None:
    """The 2-norm of all gradients together (as ``clip_grad_norm_`` computes it), in fp32;
    None without gradients."""
    norms = [
        torch.linalg.vector_norm(dense(p.grad.detach()), dtype=torch.float32)
        for p in params
        if p.grad is not None
    ]
    if not norms:
        return None
    return torch.linalg.vector_norm(torch.stack([n.to(norms[0].device) for n in norms]))


def optimizer_params(optimizer: Any) -> list[torch.Tensor]:
    return [p for group in optimizer.param_groups for p in group["params"]]


class GradNorm(pl.Callback):
    """Logs :data:`KEY` at the steps Lightning logs (before the optimiser step and clipping;
    with mixed precision, after the gradients are unscaled)."""

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: Any
    ) -> None:
        if not logging_due(trainer):
            return
        norm = total_norm(optimizer_params(optimizer))
        if norm is not None:
            log_step_value(pl_module, KEY, norm)
