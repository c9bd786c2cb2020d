"""The experiment logger chosen with ``logger=csv|tensorboard|wandb|none``."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError

LOGGERS = ("csv", "tensorboard", "wandb", "none")


def build_logger(cfg: Mapping[str, Any] | None, run_dir: Path, hparams: dict) -> Any:
    """A Lightning logger writing under ``run_dir``; ``None`` for ``logger=none`` (or
    ``~logger``)."""
    if not cfg or cfg.get("name") == "none":
        return None
    name = cfg.get("name")
    if name == "csv":
        from lightning.pytorch.loggers import CSVLogger

        return CSVLogger(
            save_dir=str(run_dir), name="logs"
        )  # version_N: a resumed run never overwrites
    if name == "tensorboard":
        from lightning.pytorch.loggers import TensorBoardLogger

        return TensorBoardLogger(
            save_dir=str(run_dir), name="tensorboard", version="", default_hp_metric=False
        )
    if name == "wandb":
        from lightning.pytorch.loggers import WandbLogger

        mode = cfg.get("mode") or os.environ.get("WANDB_MODE") or "offline"
        logger = WandbLogger(
            save_dir=str(run_dir),
            project=cfg.get("project", "lstm-nlp"),
            entity=cfg.get("entity"),
            name=run_dir.name,
            tags=list(cfg.get("tags") or []),
            mode=mode,
            config=hparams,
            id=_stable_run_id(run_dir),
            resume="allow",
        )
        return logger
    raise ConfigError(f"logger.name must be one of {', '.join(LOGGERS)}, got {name!r}")


def _stable_run_id(run_dir: Path) -> str:
    """The same W&B run id for the same run directory, so a resumed run continues its W&B run."""
    import hashlib

    return hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:12]


def finish_loggers() -> None:
    """Close a W&B run if one is open (Lightning never calls wandb.finish())."""
    wandb = sys.modules.get("wandb")
    if wandb is not None and getattr(wandb, "run", None) is not None:
        wandb.finish()
