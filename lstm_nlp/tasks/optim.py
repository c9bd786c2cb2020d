"""Optimisers (``optim=NAME``) and learning-rate schedules (``optim/scheduler=NAME``).

Each is registered with its options dataclass; a task's ``configure_optimizers`` returns
:func:`optimizers_from_config` of its ``optim`` hyperparameters.  Any other torch optimiser or
schedule needs no code: ``optim=custom optim._target_=torch.optim.RMSprop +optim.alpha=0.95``
(``optim/scheduler=custom`` likewise, ``params``/``optimizer`` are passed for you).  torch is
imported only when an optimiser is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import OPTIMIZERS, SCHEDULERS, TargetOptions, instantiate_target
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.validate import plain


@OPTIMIZERS.component("sgd", "torch.optim.SGD")
@dataclass
class SGDOptions(Options):
    """``optim=sgd``: plain SGD (pytorch/examples' word_language_model uses lr 20)."""

    lr: float = option(20.0, gt=0, help="learning rate")
    momentum: float = option(0.0, ge=0, help="momentum factor")
    weight_decay: float = option(0.0, ge=0, help="L2 penalty")


@OPTIMIZERS.component("nt_asgd", "lstm_nlp.tasks.nt_asgd:NTASGD")
@dataclass
class NTASGDOptions(Options):
    """``optim=nt_asgd``: non-monotonically triggered averaged SGD (AWD-LSTM, Merity et al.
    2018): SGD until the monitored validation loss is worse than the best one before the last
    ``nonmono`` checks, then SGD that keeps the mean of the weights since that switch; validation,
    checkpoints and test use the mean. Defaults: AWD's main.py."""

    lr: float = option(30.0, gt=0, help="learning rate (SGD, also while averaging)")
    weight_decay: float = option(1.2e-6, ge=0, help="L2 penalty (AWD's wdecay)")
    nonmono: int = option(
        5, ge=1, help="switch when val/loss is worse than the best before the last N checks"
    )
    finetune_from: str | None = option(
        None,
        help="fine-tune (AWD finetune.py): a checkpoint or run dir to start from; averages "
        "from the first step, stops when the rule fires",
    )

    def check(self) -> None:
        if self.finetune_from is not None and not Path(self.finetune_from).expanduser().exists():
            raise ConfigError(
                f"finetune_from: {self.finetune_from!r} does not exist (a checkpoint such as "
                "RUN_DIR/checkpoints/best.ckpt, or a run directory)"
            )


@OPTIMIZERS.component("adam", "torch.optim.Adam")
@dataclass
class AdamOptions(Options):
    """``optim=adam``: Adam (Kingma & Ba 2015)."""

    lr: float = option(0.002, gt=0, help="learning rate")
    weight_decay: float = option(0.0, ge=0, help="L2 penalty added to the gradient")
    betas: list[float] = option(
        [0.9, 0.999], ge=0, lt=1, length=2, help="decay rates of the moment estimates"
    )


@OPTIMIZERS.component("adamw", "torch.optim.AdamW")
@dataclass
class AdamWOptions(AdamOptions):
    """``optim=adamw``: Adam with decoupled weight decay (Loshchilov & Hutter 2019)."""

    weight_decay: float = option(0.01, ge=0, help="decoupled weight decay")


@OPTIMIZERS.component("custom", "lstm_nlp.tasks.optim:custom_optimizer")
@dataclass
class CustomOptimizerOptions(TargetOptions):
    """``optim=custom``: any torch optimiser (``optim._target_=torch.optim.RMSprop
    +optim.alpha=0.95``), built with the model's parameters first."""

    lr: float = option(0.001, gt=0, help="learning rate")


def custom_optimizer(params: Iterable[Any], options: CustomOptimizerOptions) -> Any:
    return instantiate_target(options.node(lr=options.lr), "optim", params=params)


@SCHEDULERS.component("none", "lstm_nlp.tasks.optim:no_schedule")
@dataclass
class NoSchedule(Options):
    """``optim/scheduler=none``: a constant learning rate."""


@SCHEDULERS.component("plateau", "lstm_nlp.tasks.optim:plateau")
@dataclass
class PlateauOptions(Options):
    """``optim/scheduler=plateau``: multiply the rate by ``factor`` when the monitored metric
    stops improving (pytorch/examples divides SGD's rate by 4; Adam's is halved)."""

    factor: float | None = option(
        None, gt=0, lt=1, help="multiplier applied on a plateau (null: 0.25 for sgd, else 0.5)"
    )
    patience: int = option(0, ge=0, help="validations without improvement before lowering")
    threshold: float = option(0.0, ge=0, help="a relative improvement below this is none")
    min_lr: float = option(0.0, ge=0, help="never lower the rate below this")


@SCHEDULERS.component("decay_after", "lstm_nlp.tasks.optim:decay_after")
@dataclass
class DecayAfterOptions(Options):
    """``optim/scheduler=decay_after``: multiply the rate by ``gamma`` every epoch after
    ``start_epoch`` (Zaremba et al. 2014)."""

    start_epoch: int = option(0, ge=0, help="epochs at the initial rate")
    gamma: float = option(0.5, gt=0, help="multiplier per epoch after start_epoch")


@SCHEDULERS.component("cosine", "lstm_nlp.tasks.optim:cosine")
@dataclass
class CosineOptions(Options):
    """``optim/scheduler=cosine``: cosine annealing over ``t_max`` epochs."""

    t_max: int = option(10, ge=1, help="epochs of one cosine half-period")


def no_schedule(optimizer: Any, options: Any, monitor: str, mode: str) -> None:
    return None


def plateau(optimizer: Any, options: PlateauOptions, monitor: str, mode: str) -> dict:
    import torch

    factor = options.factor
    if factor is None:
        factor = 0.25 if isinstance(optimizer, torch.optim.SGD) else 0.5
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer,
        mode=mode,
        factor=factor,
        patience=options.patience,
        threshold=options.threshold,
        min_lr=options.min_lr,
    )
    return {"scheduler": sched, "monitor": monitor, "interval": "epoch", "frequency": 1}


def decay_after(optimizer: Any, options: DecayAfterOptions, monitor: str, mode: str) -> dict:
    import torch

    start, gamma = options.start_epoch, options.gamma
    sched = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: gamma ** max(0, e + 1 - start))
    return {"scheduler": sched, "interval": "epoch", "frequency": 1}


def cosine(optimizer: Any, options: CosineOptions, monitor: str, mode: str) -> dict:
    import torch

    sched = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=options.t_max)
    return {"scheduler": sched, "interval": "epoch", "frequency": 1}


@SCHEDULERS.component("custom", "lstm_nlp.tasks.optim:custom_schedule")
@dataclass
class CustomScheduleOptions(TargetOptions):
    """``optim/scheduler=custom``: any schedule (``optim.scheduler._target_=...StepLR
    +optim.scheduler.step_size=3``), built with the optimiser first."""

    interval: str = option("epoch", choices=("epoch", "step"), help="step it every epoch or step")
    needs_metric: bool = option(
        False, help="give it the task's monitored metric (as ReduceLROnPlateau needs)"
    )


def custom_schedule(
    optimizer: Any, options: CustomScheduleOptions, monitor: str, mode: str
) -> dict:
    sched = instantiate_target(options.node(), "optim.scheduler", optimizer=optimizer)
    out = {"scheduler": sched, "interval": options.interval, "frequency": 1}
    return {**out, "monitor": monitor} if options.needs_metric else out


def optimizers_from_config(
    params: Iterable[Any],
    cfg: Mapping[str, Any],
    monitor: str = "val/loss",
    mode: str = "min",
) -> Any:
    """What a LightningModule's ``configure_optimizers`` returns, from the ``optim`` config (a
    task keeps it as a hyperparameter): the optimiser, and its schedule when there is one."""
    cfg = plain(cfg)
    optimizer_options = OPTIMIZERS.options(cfg, skip=("scheduler",))
    optimizer = _build(OPTIMIZERS.get(cfg["name"]), params, optimizer_options)
    schedule_cfg = cfg.get("scheduler") or {"name": "none"}
    schedule = SCHEDULERS.get(schedule_cfg["name"])
    scheduler = schedule(optimizer, SCHEDULERS.options(schedule_cfg), monitor, mode)
    return optimizer if scheduler is None else {"optimizer": optimizer, "lr_scheduler": scheduler}


def _build(cls: Any, params: Iterable[Any], options: Any) -> Any:
    if getattr(options, "more_keys", False):
        return cls(params, options)  # optim=custom builds its _target_ itself
    kwargs = options if isinstance(options, dict) else options.as_dict()
    return cls(params, **kwargs)
