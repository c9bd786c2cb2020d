"""The training runner: composed config in, run directory with checkpoints and metrics out.

Steps: check the config → lock the run directory and compare the settings with the run's saved
ones (:mod:`~lstm_nlp.training.run_start`) → seed and threads → the task builds module and data
from its checked options → Lightning fits (resuming from the newest readable checkpoint of
``RUN_DIR/checkpoints``; the run's record is written when training starts) → the best
checkpoint is validated and tested, logged as ``best/...`` and ``test/...``
(:mod:`~lstm_nlp.training.final_evaluation`) → ``metrics.json`` (merged with the previous one,
:mod:`~lstm_nlp.training.metrics_file`; ``diverged/...`` when a perplexity blew up), the
HPARAMS entry of TensorBoard and the run report.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from lstm_nlp.atomic import write_json
from lstm_nlp.errors import ConfigError
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.registry import TASKS
from lstm_nlp.report.hparams import log_config, log_hparams, run_config
from lstm_nlp.report.loggers import check_logger_list, finish_loggers
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.diverged import diverged_line, first_diverged
from lstm_nlp.training.final_evaluation import evaluate
from lstm_nlp.training.metrics_file import merged_metrics, read_metrics
from lstm_nlp.training.resume import resume_checkpoint
from lstm_nlp.training.run_start import RunStart
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


def train(
    cfg: DictConfig, run_dir: Path, overrides: list[str] | None = None, made: Path | None = None
) -> dict[str, Any]:
    """Fit, validate and test the configured task; return (and write) the final metrics.

    Nothing in ``run_dir`` changes until every check has passed and training starts
    (:class:`~lstm_nlp.training.run_start.RunStart`); ``made``: the outermost folder the caller
    made for ``run_dir`` (Hydra makes it), which a failure before then removes again."""
    check_config(cfg, overrides or [])
    check_logger_list(overrides or [])
    with RunStart(cfg, run_dir, overrides or [], made) as start:
        trainer, parts, resume = set_up(cfg, run_dir, start)
        try:
            return fit_and_evaluate(cfg, run_dir, trainer, parts, resume, start)
        finally:
            finish_loggers()


def set_up(cfg: DictConfig, run_dir: Path, start: RunStart) -> tuple[Any, TaskParts, Path | None]:
    """Threads and seeds, the task, the checkpoint to resume (its weights must fit), the
    trainer."""
    import lightning.pytorch as pl

    configure_runtime(cfg)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    parts = build_task(cfg, run_dir)
    resume = resume_checkpoint(run_dir, parts.module)
    start.resuming(resume)
    config = run_config(cfg, run_dir)
    # the loggers get the composed config, not the module's own hyper-parameters besides it
    parts.module._log_hyperparams = False  # what save_hyperparameters(logger=False) sets
    trainer = build_trainer(cfg, run_dir, parts, config)
    log_config(trainer.loggers, config)
    trainer.callbacks.extend(start.callbacks())
    if parts.summary:
        say(trainer, ", ".join(f"{k}={v}" for k, v in parts.summary.items()))
    if resume:
        say(trainer, f"resuming from {resume}")
    return trainer, parts, resume


def fit_and_evaluate(
    cfg: DictConfig,
    run_dir: Path,
    trainer: Any,
    parts: TaskParts,
    resume: Path | None,
    start: RunStart,
) -> dict[str, Any]:
    """Fit (the run's record is written when training starts), then evaluate and write
    ``metrics.json`` and the report; a pre-empted fit returns ``{"interrupted": message}``."""
    from lstm_nlp.training.interruption import Preempted, SaveOnSignal

    try:
        fit(trainer, parts, resume)
    except Preempted:
        pass  # SaveOnSignal saved the checkpoint; its message says so
    start.started()  # a finished run's fit has nothing to do: no training start to note it
    stopped = next(
        (c.message for c in trainer.callbacks if isinstance(c, SaveOnSignal) and c.message),
        None,
    )
    if stopped:  # pre-empted: the checkpoint is saved; no evaluation, no metrics.json yet
        if trainer.is_global_zero:
            print(stopped, flush=True)
        return {"interrupted": stopped}
    final = final_metrics(cfg, run_dir, trainer, parts)
    if trainer.is_global_zero:  # a figure this command did not measure is kept
        final = merged_metrics(read_metrics(run_dir / "metrics.json"), final)
        write_json(run_dir / "metrics.json", final)
        log_hparams(trainer.loggers, run_config(cfg, run_dir), final, trainer.global_step)
        report_run(cfg, run_dir, final, trainer, parts)
    return final


def final_metrics(cfg: DictConfig, run_dir: Path, trainer: Any, parts: TaskParts) -> dict[str, Any]:
    """The best checkpoint's figures (the final weights' without one), and the run's counts."""
    best = run_dir / "checkpoints" / "best.ckpt"
    if not best.is_file():
        say(trainer, "no validation ran during training: evaluating the final weights")
    metrics = evaluate(trainer, parts, best if best.is_file() else None, cfg.test)
    for callback in trainer.callbacks:  # e.g. the agreement suite's final scores
        metrics.update(getattr(callback, "final_metrics", {}))
    final = {
        **collect(metrics),
        "epochs": trainer.current_epoch,
        "global_step": trainer.global_step,
        **{f"data/{k}": v for k, v in parts.summary.items()},
    }
    return {**final, **divergence(trainer, final, parts.summary.get("vocab_size"))}


def divergence(trainer: Any, final: dict[str, Any], vocab_size: int | None) -> dict[str, Any]:
    """``diverged/...`` of the first diverged perplexity of the run (said on the console)."""
    from lstm_nlp.report.history import TrainingHistory

    history = next((c for c in trainer.callbacks if isinstance(c, TrainingHistory)), None)
    info = first_diverged(history.records if history else [], final, vocab_size)
    if info:
        say(trainer, diverged_line(info, vocab_size))
    return info or {}
