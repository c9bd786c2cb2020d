"""The trainer half of NT-ASGD (``optim=nt_asgd``, :mod:`lstm_nlp.tasks.nt_asgd`): evaluate and
checkpoint with the averaged weights, as AWD-LSTM's main.py does by swapping them in.

- At every validation of a fit, the optimiser gets the monitored value (its trigger may switch
  it to averaging, or end a fine-tuning run); once it averages, validation runs on the mean of
  the weights since the switch, so ``val/loss``, ``best.ckpt`` and the trigger all see the mean.
- Every checkpoint saved while averaging holds the mean as its ``state_dict`` (what evaluation,
  testing ``best.ckpt`` and ``lstm-nlp-eval`` load) and the SGD iterate, from which training
  goes on, under :data:`ITERATE_KEY`; resuming a fit puts the iterate back.
- When the fit ends, the model keeps the mean.
- ``optim.finetune_from`` (AWD's finetune.py): a fresh run starts from that checkpoint's weights
  (the mean, when it was saved while averaging) and averages from its first step.

A no-op in runs with any other optimiser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch

from lstm_nlp.errors import ConfigError
from lstm_nlp.tasks.nt_asgd import NTASGD
from lstm_nlp.text.checkpoint_file import read_checkpoint, resolve_checkpoint

ITERATE_KEY = "nt_asgd_iterate"  # parameter name -> the SGD iterate (state_dict holds the mean)


def nt_asgd_optimizer(trainer: pl.Trainer) -> NTASGD | None:
    return next((o for o in trainer.optimizers if isinstance(o, NTASGD)), None)


class AveragedWeights(pl.Callback):
    def __init__(self, monitor: str = "val/loss", mode: str = "min") -> None:
        self.monitor, self.sign = monitor, 1.0 if mode == "min" else -1.0  # the trigger minimises
        self._iterate: list[tuple[torch.Tensor, torch.Tensor]] | None = None  # while swapped

    # -- starting and ending a fit -----------------------------------------------------------
    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._iterate = None
        opt = nt_asgd_optimizer(trainer)
        if opt is None or opt.finetune_from is None:
            return
        path = finetune_checkpoint(opt.finetune_from, Path(trainer.default_root_dir))
        if trainer.ckpt_path:  # a resumed fine-tuning run: its checkpoint has everything
            return
        load_weights(pl_module, path)
        opt.start_averaging()
        say(trainer, f"NT-ASGD fine-tuning from {path}: averaging from the first step")

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        opt = nt_asgd_optimizer(trainer)
        if opt is not None and opt.done:  # re-running a finished fine-tuning run
            trainer.should_stop = True

    def on_fit_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        opt = nt_asgd_optimizer(trainer)
        with torch.no_grad():
            for p, mean in opt.averages() if opt else []:
                p.copy_(mean)
        self._iterate = None

    # -- validation on the mean -------------------------------------------------------------
    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        opt = nt_asgd_optimizer(trainer)
        if trainer.state.fn != "fit" or opt is None or self._iterate is not None:
            return
        averages = opt.averages()
        if averages:
            with torch.no_grad():
                self._iterate = [(p, p.detach().clone()) for p, _ in averages]
                for p, mean in averages:
                    p.copy_(mean)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        opt = nt_asgd_optimizer(trainer)
        value = trainer.callback_metrics.get(self.monitor)
        if trainer.state.fn != "fit" or trainer.sanity_checking or opt is None or value is None:
            return
        verdict = opt.observe(self.sign * float(value))
        if verdict is None:
            return
        older = self.sign * min(opt.history[: -opt.nonmono - 1])
        why = (
            f"{self.monitor} {float(value):.4f} is worse than {older:.4f}, the best before the "
            f"last {opt.nonmono} checks"
        )
        where = f"step {trainer.global_step} (epoch {trainer.current_epoch})"
        if verdict == "switch":
            say(trainer, f"NT-ASGD switches to averaging at {where}: {why}")
        else:
            trainer.should_stop = True
            say(trainer, f"NT-ASGD fine-tuning ends at {where}: {why}")

    def on_train_batch_start(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        if self._iterate is not None:  # training goes on from the iterate
            with torch.no_grad():
                for p, iterate in self._iterate:
                    p.copy_(iterate)
            self._iterate = None

    # -- checkpoints --------------------------------------------------------------------------
    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        opt = nt_asgd_optimizer(trainer)
        averages = opt.averages() if opt is not None else []
        if not averages:
            return
        mean = {id(p): m for p, m in averages}
        swapped = {id(p): iterate for p, iterate in self._iterate or []}
        state = checkpoint["state_dict"]
        for name, tensor in pl_module.state_dict(keep_vars=True).items():  # tied: every name
            if id(tensor) in mean and name in state:
                state[name] = mean[id(tensor)]
        checkpoint[ITERATE_KEY] = {
            name: swapped.get(id(p), p.detach())
            for name, p in pl_module.named_parameters()
            if id(p) in mean
        }

    def on_load_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        iterate = checkpoint.get(ITERATE_KEY)
        if trainer.state.fn != "fit" or not iterate:
            return  # validating or testing a checkpoint: its state_dict, the mean
        with torch.no_grad():
            for name, p in pl_module.named_parameters():
                if name in iterate:
                    p.copy_(iterate[name])


def finetune_checkpoint(finetune_from: str, run_dir: Path) -> Path:
    """The checkpoint to fine-tune from; refused when it lies in this run's own directory."""
    path = resolve_checkpoint(finetune_from)
    if run_dir.resolve() in path.resolve().parents:
        raise ConfigError(
            f"optim.finetune_from={finetune_from} lies in this run's run_dir ({run_dir}); "
            "fine-tune into another run_dir (re-running a run_dir resumes it)"
        )
    return path


def load_weights(pl_module: pl.LightningModule, path: Path) -> None:
    """``path``'s weights into ``pl_module``, refused in one line when they do not fit."""
    ckpt = read_checkpoint(path)
    theirs, mine = ckpt.get("tokenizer_json"), getattr(pl_module, "tokenizer_json", None)
    if theirs and mine and theirs != mine:
        raise ConfigError(
            f"optim.finetune_from: {path} was trained with another vocabulary than this run's "
            "data gives; fine-tune with the data options it was trained with"
        )
    try:
        pl_module.load_state_dict(ckpt["state_dict"])
    except RuntimeError:
        raise ConfigError(
            f"optim.finetune_from: {path} was trained with other model settings than this "
            "command's; use its run's settings (RUN_DIR/.hydra/overrides.yaml)"
        ) from None


def say(trainer: pl.Trainer, line: str) -> None:
    if trainer.is_global_zero:
        print(f"lstm-nlp: {line}", flush=True)
