"""What happens when the training loss is NaN or infinite (``nonfinite_loss=stop|skip``).

``stop`` (default): the run ends before the bad step changes any weight, with one line naming
the step; the checkpoints already written stay as they are, so re-running resumes from the
last good one. ``skip``: the batch's gradients are dropped (the optimiser leaves every weight
alone for that step), a warning names the step, and training goes on; a run whose losses are
all non-finite still stops after :data:`MAX_SKIPPED_IN_A_ROW` of them.
"""

from __future__ import annotations

import math
import warnings

import lightning.pytorch as pl
import torch

from lstm_nlp.errors import LstmNlpError

MAX_SKIPPED_IN_A_ROW = 20
POLICIES = ("stop", "skip")  # TrainOptions.nonfinite_loss


class NonFiniteLossError(LstmNlpError):
    pass


class NonFiniteLoss(pl.Callback):
    def __init__(self, policy: str = "stop") -> None:
        if policy not in POLICIES:
            raise ValueError(f"nonfinite_loss must be one of {', '.join(POLICIES)}, got {policy!r}")
        self.policy = policy
        self.skip_this_step = False
        self.skipped = 0
        self.in_a_row = 0

    def on_before_backward(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, loss: torch.Tensor
    ) -> None:
        value = float(loss.detach())
        if math.isfinite(value):
            self.skip_this_step, self.in_a_row = False, 0
            return
        where = (
            f"at step {trainer.global_step} (epoch {trainer.current_epoch}, batch "
            f"{trainer.fit_loop.batch_idx})"
        )
        if self.policy == "stop" or self.in_a_row + 1 >= MAX_SKIPPED_IN_A_ROW:
            many = f" ({MAX_SKIPPED_IN_A_ROW} in a row)" if self.policy == "skip" else ""
            raise NonFiniteLossError(
                f"the training loss is {value} {where}{many}; the run stopped before that step "
                "changed any weight and the checkpoints already written are kept (re-run to "
                "resume from the last one). Lower optim.lr or raise gradient clipping, or set "
                "nonfinite_loss=skip to drop such batches"
            )
        self.skip_this_step, self.skipped, self.in_a_row = True, self.skipped + 1, self.in_a_row + 1
        warnings.warn(
            f"lstm-nlp: training loss is {value} {where}: batch skipped (nonfinite_loss=skip)",
            stacklevel=2,
        )

    def on_before_optimizer_step(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, optimizer: torch.optim.Optimizer
    ) -> None:
        if self.skip_this_step:
            for group in optimizer.param_groups:
                for p in group["params"]:
                    p.grad = None  # optimisers leave parameters without a gradient alone
            self.skip_this_step = False

    @property
    def final_metrics(self) -> dict[str, int]:
        return {"train/skipped_nonfinite_batches": self.skipped} if self.policy == "skip" else {}
