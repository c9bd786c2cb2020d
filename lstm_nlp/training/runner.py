"""The training runner: composed config in, run directory with checkpoints and metrics out.

Steps: check the config → seed and threads → the task builds module and data from its checked
options → Lightning fits (resuming from the newest readable checkpoint of
``RUN_DIR/checkpoints``) → the best checkpoint is validated and tested → ``metrics.json`` and
the run report.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.atomic import write_json
from lstm_nlp.errors import ConfigError
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.registry import TASKS
from lstm_nlp.report.loggers import finish_loggers
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.resume import resume_checkpoint
from lstm_nlp.training.trainer import build_trainer, configure_runtime, lightning_errors


def build_task(cfg: DictConfig, run_dir: Path) -> TaskParts:
    """The chosen task's parts, built from its checked options."""
    run = RunContext(
        run_dir=run_dir,
        seed=cfg.seed,
        cache_dir=default_cache_dir(cfg.get("cache_dir")),
        options=TASKS.options(cfg.task),
    )
    return TASKS.get(cfg.task.name)(cfg, run)


def fit(trainer: Any, parts: TaskParts, resume: Path | None) -> None:
    with lightning_errors(f"resuming from {resume}" if resume else "trainer"):
        try:
            trainer.fit(
                parts.module,
                datamodule=parts.datamodule,
                ckpt_path=str(resume) if resume else None,
                weights_only=True,
            )
        except RuntimeError as err:
            if resume and "state_dict" in str(err):
                raise ConfigError(
                    f"{resume} was trained with other model settings than this command's (size "
                    "mismatch); use the run's settings (RUN_DIR/.hydra/overrides.yaml) or "
                    "another run_dir"
                ) from None
            unknown = re.search(r"conditioned on metric `([^`]+)` which is not available", str(err))
            if unknown:
                raise ConfigError(
                    f"callbacks: a callback monitors {unknown.group(1)!r}, which this task does "
                    f"not log (it logs {parts.monitor!r}; leave monitor null to use it)"
                ) from None
            raise


def evaluate(cfg: DictConfig, trainer: Any, parts: TaskParts, best: Path | None) -> dict:
    """Validate (and test) the best checkpoint, or the final weights when there is none."""
    ckpt = str(best) if best else None
    stages = [trainer.validate] + ([trainer.test] if cfg.test else [])
    quiet = {"verbose": False}
    metrics: dict[str, Any] = {}
    for stage in stages:
        runs = stage(
            parts.module, datamodule=parts.datamodule, ckpt_path=ckpt, weights_only=True, **quiet
        )
        for result in runs:
            metrics.update(result)
    return metrics


def collect(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in metrics.items():
        value = float(value)
        out[key] = value if math.isfinite(value) else str(value)
    return out


def report_run(cfg: DictConfig, run_dir: Path, final: dict, trainer: Any, parts: TaskParts) -> None:
    """``report.md``/``report.html`` (a failure is only a warning), its plots also to the
    dashboards."""
    from lstm_nlp.report.dashboards import log_images
    from lstm_nlp.report.write import write_run_report

    if write_run_report(run_dir, cfg, final, parts.module) is not None:
        plots = {f"report/{p.stem}": p for p in sorted((run_dir / "report").glob("*.png"))}
        log_images(trainer.loggers, plots, step=trainer.global_step)


def say(trainer: Any, line: str) -> None:
    if trainer.is_global_zero:
        print(f"lstm-nlp: {line}", flush=True)


def train(cfg: DictConfig, run_dir: Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """Fit, validate and test the configured task; return (and write) the final metrics."""
    check_config(cfg, overrides or [])
    import lightning.pytorch as pl

    from lstm_nlp.training.interruption import Preempted, SaveOnSignal

    configure_runtime(cfg)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    parts = build_task(cfg, run_dir)
    trainer = build_trainer(cfg, run_dir, parts, OmegaConf.to_container(cfg, resolve=True))
    if parts.summary:
        say(trainer, ", ".join(f"{k}={v}" for k, v in parts.summary.items()))
    resume = resume_checkpoint(run_dir)
    if resume:
        say(trainer, f"resuming from {resume}")
    try:
        try:
            fit(trainer, parts, resume)
        except Preempted:
            pass  # SaveOnSignal saved the checkpoint; its message says so
        stopped = next(
            (c.message for c in trainer.callbacks if isinstance(c, SaveOnSignal) and c.message),
            None,
        )
        if stopped:  # pre-empted: the checkpoint is saved; no evaluation, no metrics.json yet
            if trainer.is_global_zero:
                print(stopped, flush=True)
            return {"interrupted": stopped}
        best = run_dir / "checkpoints" / "best.ckpt"
        if not best.is_file():
            say(trainer, "no validation ran during training: evaluating the final weights")
        metrics = evaluate(cfg, trainer, parts, best if best.is_file() else None)
        for callback in trainer.callbacks:  # e.g. the agreement suite's final scores
            metrics.update(getattr(callback, "final_metrics", {}))
        final = {
            **collect(metrics),
            "epochs": trainer.current_epoch,
            "global_step": trainer.global_step,
            **{f"data/{k}": v for k, v in parts.summary.items()},
        }
        if trainer.is_global_zero:
            write_json(run_dir / "metrics.json", final)
            report_run(cfg, run_dir, final, trainer, parts)
    finally:
        finish_loggers()
    return final
