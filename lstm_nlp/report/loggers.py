"""Experiment loggers (``logger=NAME``): where a run's metrics and pictures go.

Each is registered with its options and a builder ``build(options, run_dir, hparams)`` that
returns a Lightning logger writing under ``run_dir`` (or None).  Any other Lightning logger
needs no code: ``logger=custom logger._target_=lightning.pytorch.loggers.MLFlowLogger ...``.
Lightning is imported only when a logger is built.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.registry import LOGGERS, TargetOptions, instantiate_target
from lstm_nlp.schema import Options, option


@LOGGERS.component("csv", "lstm_nlp.report.loggers:csv_logger")
@dataclass
class CSVOptions(Options):
    """``logger=csv``: ``RUN_DIR/logs/version_N/metrics.csv`` (a resumed run starts the next
    version)."""


@LOGGERS.component("tensorboard", "lstm_nlp.report.loggers:tensorboard_logger")
@dataclass
class TensorBoardOptions(Options):
    """``logger=tensorboard``: event files in ``RUN_DIR/tensorboard`` (``tensorboard --logdir
    RUN_DIR``)."""


@LOGGERS.component("wandb", "lstm_nlp.report.loggers:wandb_logger")
@dataclass
class WandbOptions(Options):
    """``logger=wandb``: Weights & Biases in ``RUN_DIR/wandb``, offline unless ``mode`` or
    ``WANDB_MODE`` says otherwise (upload later with ``wandb sync``)."""

    project: str = option("lstm-nlp", help="W&B project")
    entity: str | None = option(None, help="W&B team or user; null: your default")
    mode: str | None = option(
        None,
        choices=("online", "offline", "disabled"),
        help="null: $WANDB_MODE, else offline (no account or network needed)",
    )
    tags: list[str] = option([], help="tags of the W&B run")


@LOGGERS.component("none", "lstm_nlp.report.loggers:no_logger")
@dataclass
class NoLoggerOptions(Options):
    """``logger=none``: no experiment logger (metrics.json, the report and checkpoints stay)."""


def csv_logger(options: CSVOptions, run_dir: Path, hparams: dict) -> Any:
    from lightning.pytorch.loggers import CSVLogger

    return CSVLogger(save_dir=str(run_dir), name="logs")  # version_N: never overwrites


def tensorboard_logger(options: TensorBoardOptions, run_dir: Path, hparams: dict) -> Any:
    from lightning.pytorch.loggers import TensorBoardLogger

    return TensorBoardLogger(
        save_dir=str(run_dir), name="tensorboard", version="", default_hp_metric=False
    )


def wandb_logger(options: WandbOptions, run_dir: Path, hparams: dict) -> Any:
    from lightning.pytorch.loggers import WandbLogger

    return WandbLogger(
        save_dir=str(run_dir),
        project=options.project,
        entity=options.entity,
        name=run_dir.name,
        tags=list(options.tags),
        mode=options.mode or os.environ.get("WANDB_MODE") or "offline",
        config=hparams,
        id=stable_run_id(run_dir),
        resume="allow",
    )


def no_logger(options: NoLoggerOptions, run_dir: Path, hparams: dict) -> None:
    return None


@LOGGERS.component("custom", "lstm_nlp.report.loggers:custom_logger")
@dataclass
class CustomLoggerOptions(TargetOptions):
    """``logger=custom``: any Lightning logger (``logger._target_=...MLFlowLogger
    +logger.experiment_name=x``); ``save_dir`` is the run directory unless given."""


def custom_logger(options: CustomLoggerOptions, run_dir: Path, hparams: dict) -> Any:
    import inspect

    from lstm_nlp.registry import import_dotted

    node = options.node()
    if "save_dir" not in node:
        try:
            cls = import_dotted(options._target_)
        except (ImportError, AttributeError, ValueError):
            cls = None  # instantiate_target names the failure in one line
        if cls is not None and "save_dir" in inspect.signature(cls).parameters:
            node["save_dir"] = str(run_dir)
    return instantiate_target(node, "logger")


def build_logger(cfg: Mapping[str, Any] | None, run_dir: Path, hparams: dict) -> Any:
    """The Lightning logger for the ``logger`` node (``None`` for ``logger=none`` or none)."""
    if not cfg:
        return None
    options = LOGGERS.options(cfg)
    return LOGGERS.get(cfg["name"])(options, run_dir, hparams)


def stable_run_id(run_dir: Path) -> str:
    """The same W&B run id for the same run directory, so a resumed run continues its W&B run."""
    return hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:12]


def finish_loggers() -> None:
    """Close a W&B run if one is open (Lightning never calls wandb.finish())."""
    wandb = sys.modules.get("wandb")
    if wandb is not None and getattr(wandb, "run", None) is not None:
        wandb.finish()
