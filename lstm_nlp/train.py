"""The training runner: composed config in, run directory with checkpoints and metrics out.

Steps: seed and threads → the task builds module and data → Lightning fits (resuming
from ``RUN_DIR/checkpoints/last.ckpt`` when it exists) → the best checkpoint is
validated and tested → ``metrics.json``.
"""

from __future__ import annotations

import logging
import math
import sys
import warnings
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.atomic import write_json
from lstm_nlp.loggers import build_logger, finish_loggers
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.registry import TASKS
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.components import require


def configure_torch(cfg: DictConfig) -> None:
    import torch

    threads = cfg.get("threads", 1)
    require(threads is None or (isinstance(threads, int) and threads >= 1), "threads", "null or an integer >= 1", threads)
    if threads:
        torch.set_num_threads(threads)


def build_trainer(cfg: DictConfig, run_dir: Path, parts: TaskParts, hparams: dict):
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint

    from lstm_nlp.callbacks import EpochSummary

    checkpoint = ModelCheckpoint(
        dirpath=run_dir / "checkpoints", filename="best", monitor=parts.monitor, mode=parts.mode,
        save_top_k=1, save_last=True, auto_insert_metric_name=False, enable_version_counter=False,
    )
    callbacks: list[Any] = [checkpoint, EpochSummary()]
    logger = build_logger(cfg.get("logger"), run_dir, hparams)
    if logger is not None:
        callbacks.append(LearningRateMonitor(logging_interval="epoch"))
    kwargs = OmegaConf.to_container(cfg.trainer, resolve=True)
    if kwargs.get("enable_progress_bar") is None:  # auto: a bar on a terminal, epoch lines in logs
        kwargs["enable_progress_bar"] = sys.stdout.isatty()
    kwargs.update(parts.trainer_kwargs)
    return pl.Trainer(default_root_dir=str(run_dir), callbacks=callbacks, logger=logger or False, **kwargs)


def collect(metrics: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in metrics.items():
        value = float(value)
        out[key] = value if math.isfinite(value) else str(value)
    return out


def train(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Fit, validate and test the configured task; return (and write) the final metrics."""
    import lightning.pytorch as pl

    configure_torch(cfg)
    # Lightning logs through its own console handler; keep Hydra's root handler from repeating each line.
    logging.getLogger("lightning.pytorch").propagate = False
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
    warnings.filterwarnings("ignore", message=r".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", message=r".*Checkpoint directory .* exists and is not empty.*")
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    run = RunContext(run_dir=run_dir, seed=cfg.seed, cache_dir=default_cache_dir(cfg.get("cache_dir")))
    parts: TaskParts = TASKS.get(cfg.task.name)(cfg, run)
    hparams = OmegaConf.to_container(cfg, resolve=True)
    trainer = build_trainer(cfg, run_dir, parts, hparams)
    if trainer.is_global_zero and parts.summary:
        print("lstm-nlp: " + ", ".join(f"{k}={v}" for k, v in parts.summary.items()), flush=True)
    last = run_dir / "checkpoints" / "last.ckpt"
    resume = str(last) if last.is_file() else None
    if resume and trainer.is_global_zero:
        print(f"lstm-nlp: resuming from {resume}", flush=True)
    try:
        trainer.fit(parts.module, datamodule=parts.datamodule, ckpt_path=resume)
        best = trainer.checkpoint_callback.best_model_path or None
        metrics: dict[str, Any] = {}
        for result in trainer.validate(parts.module, datamodule=parts.datamodule, ckpt_path=best, verbose=False):
            metrics.update(result)
        if cfg.get("test", True):
            for result in trainer.test(parts.module, datamodule=parts.datamodule, ckpt_path=best, verbose=False):
                metrics.update(result)
    finally:
        finish_loggers()
    final = {**collect(metrics), "epochs": trainer.current_epoch, "global_step": trainer.global_step,
             **{f"data/{k}": v for k, v in parts.summary.items()}}
    if trainer.is_global_zero:
        write_json(run_dir / "metrics.json", final)
    return final
