"""Optimisers and learning-rate schedules from the ``optim`` config group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import torch

from lstm_nlp.errors import ConfigError

OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
SCHEDULERS = ("none", "plateau", "decay_after", "cosine")


def build_optimizer(
    params: Iterable[torch.nn.Parameter], cfg: Mapping[str, Any]
) -> torch.optim.Optimizer:
    name = cfg.get("name", "sgd")
    if name not in OPTIMIZERS:
        raise ConfigError(f"optim.name must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
    lr = cfg.get("lr")
    if not isinstance(lr, (int, float)) or lr <= 0:
        raise ConfigError(f"optim.lr must be a number > 0, got {lr!r}")
    kwargs: dict[str, Any] = {"lr": float(lr), "weight_decay": float(cfg.get("weight_decay", 0.0))}
    if name == "sgd":
        kwargs["momentum"] = float(cfg.get("momentum", 0.0))
    else:
        kwargs["betas"] = tuple(cfg.get("betas", (0.9, 0.999)))
    return OPTIMIZERS[name](params, **kwargs)


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: Mapping[str, Any] | None, monitor: str, mode: str = "min"
) -> dict | None:
    """A Lightning ``lr_scheduler`` dict, stepped once per epoch, or ``None``.

    - ``plateau``: multiply the rate by ``factor`` when ``monitor`` stops improving
      (pytorch/examples divides by 4: factor 0.25, patience 0); ``mode="max"`` for accuracies;
    - ``decay_after``: multiply by ``gamma`` every epoch after ``start_epoch`` (Zaremba et al.
      2014);
    - ``cosine``: cosine annealing over ``t_max`` epochs.
    """
    name = (cfg or {}).get("name", "none") or "none"
    if name not in SCHEDULERS:
        raise ConfigError(
            f"optim.scheduler.name must be one of {', '.join(SCHEDULERS)}, got {name!r}"
        )
    if name == "none":
        return None
    if name == "plateau":
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer,
            mode=mode,
            factor=float(cfg.get("factor", 0.25)),
            patience=int(cfg.get("patience", 0)),
            threshold=float(cfg.get("threshold", 0.0)),
            min_lr=float(cfg.get("min_lr", 0.0)),
        )
        return {
            "scheduler": sched,
            "monitor": monitor,
            "interval": "epoch",
            "frequency": 1,
            "strict": True,
        }
    if name == "decay_after":
        start, gamma = int(cfg.get("start_epoch", 0)), float(cfg.get("gamma", 0.5))
        sched = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda e: gamma ** max(0, e + 1 - start)
        )
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=int(cfg.get("t_max", 10))
        )
    return {"scheduler": sched, "interval": "epoch", "frequency": 1}


def optimizers_from_config(
    params: Iterable[torch.nn.Parameter],
    cfg: Mapping[str, Any],
    monitor: str = "val/loss",
    mode: str = "min",
) -> Any:
    """What a LightningModule's ``configure_optimizers`` returns, from the ``optim`` config."""
    cfg = dict(cfg)
    optimizer = build_optimizer(params, cfg)
    scheduler = build_scheduler(optimizer, cfg.get("scheduler"), monitor=monitor, mode=mode)
    return optimizer if scheduler is None else {"optimizer": optimizer, "lr_scheduler": scheduler}
