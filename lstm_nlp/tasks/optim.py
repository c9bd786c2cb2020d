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
from typing import Any

from lstm_nlp.registry import OPTIMIZERS, SCHEDULERS, instantiate_target
from lstm_nlp.schema import Options, option
from lstm_nlp.schema.validate import plain


@OPTIMIZERS.component("sgd", "torch.optim.SGD")
@dataclass
class SGDOptions(Options):
    """``optim=sgd``: plain SGD (pytorch/examples' word_language_model uses lr 20)."""

    lr: float = option(20.0, gt=0, help="learning rate")
    momentum: float = option(0.0, ge=0, help="momentum factor")
    weight_decay: float = option(0.0, ge=0, help="L2 penalty")


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


def custom_optimizer(params: Iterable[Any], **node: Any) -> Any:
    return instantiate_target(node, "optim", params=params)


OPTIMIZERS.register("custom", custom_optimizer, config={"_target_": "???", "lr": 0.001})


@SCHEDULERS.component("none", "lstm_nlp.tasks.optim:no_schedule")
@dataclass
class NoSchedule(Options):
    """``optim/scheduler=none``: a constant learning rate."""


@SCHEDULERS.component("plateau", "lstm_nlp.tasks.optim:plateau")
@dataclass
class PlateauOptions(Options):
    """``optim/scheduler=plateau``: multiply the rate by ``factor`` when the monitored metric
    stops improving (pytorch/examples divides by 4)."""

    factor: float = option(0.25, gt=0, lt=1, help="multiplier applied on a plateau")
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

    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer,
        mode=mode,
        factor=options.factor,
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


def custom_schedule(optimizer: Any, options: dict, monitor: str, mode: str) -> dict:
    """``optim/scheduler=custom``: any ``_target_`` taking the optimiser first; ``interval``
    (epoch or step) and ``monitor`` (for schedules that read a metric) go to Lightning."""
    node = dict(options)
    interval, wants_metric = node.pop("interval", "epoch"), node.pop("needs_metric", False)
    sched = instantiate_target(node, "optim.scheduler", optimizer=optimizer)
    out = {"scheduler": sched, "interval": interval, "frequency": 1}
    return {**out, "monitor": monitor} if wants_metric else out


SCHEDULERS.register(
    "custom",
    custom_schedule,
    config={"_target_": "???", "interval": "epoch", "needs_metric": False},
)


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
    kwargs = options if isinstance(options, dict) else options.as_dict()
    return cls(params, **kwargs)
