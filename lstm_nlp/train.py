"""The training runner: composed config in, run directory with checkpoints and metrics out.

Steps: check the config → seed and threads → the task builds module and data →
Lightning fits (resuming from the newest readable checkpoint of ``RUN_DIR/checkpoints``)
→ the best checkpoint is validated and tested → ``metrics.json``.
"""

from __future__ import annotations

import logging
import math
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.atomic import write_json
from lstm_nlp.checkpoints import resume_checkpoint
from lstm_nlp.config_checks import check_config
from lstm_nlp.errors import ConfigError
from lstm_nlp.loggers import build_logger, finish_loggers
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.registry import TASKS
from lstm_nlp.tasks.base import RunContext, TaskParts


def configure_runtime(cfg: DictConfig) -> None:
    import torch

    if cfg.get("threads"):
        torch.set_num_threads(cfg.threads)
    # Lightning logs through its own console handler; keep Hydra's root handler from repeating each
    # line.
    logging.getLogger("lightning.pytorch").propagate = False
    warnings.filterwarnings("ignore", message=r".*isinstance\(treespec, LeafSpec\).*")
    warnings.filterwarnings("ignore", message=r".*smaller than the logging interval.*")
    warnings.filterwarnings(
        "ignore", message=r".*Checkpoint directory .* exists and is not empty.*"
    )
    # Lightning's all_gather (the carried hidden state of every DDP rank, at checkpoints) uses a
    # deprecated torch call
    warnings.filterwarnings(
        "ignore", message=r".*torch.distributed.nn.functional.all_gather is deprecated.*"
    )


@contextmanager
def lightning_errors(context: str) -> Iterator[None]:
    """Lightning's configuration errors as one-line :class:`ConfigError` naming ``context``."""
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    try:
        yield
    except MisconfigurationException as err:
        raise ConfigError(f"{context}: {str(err).splitlines()[0]}") from None


def build_trainer(cfg: DictConfig, run_dir: Path, parts: TaskParts, hparams: dict):
    import lightning.pytorch as pl
    from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint

    from lstm_nlp.callbacks import EpochSummary, StartupTime
    from lstm_nlp.exact_resume import ExactResume
    from lstm_nlp.interruption import SaveOnSignal
    from lstm_nlp.nonfinite import NonFiniteLoss
    from lstm_nlp.periodic_checkpoint import PeriodicCheckpoint
    from lstm_nlp.progress import display_callbacks
    from lstm_nlp.report import report_callbacks

    checkpoint = ModelCheckpoint(
        dirpath=run_dir / "checkpoints",
        filename="best",
        monitor=parts.monitor,
        mode=parts.mode,
        save_top_k=1,
        save_last=True,
        auto_insert_metric_name=False,
        enable_version_counter=False,
    )
    last = run_dir / "checkpoints" / "last.ckpt"
    callbacks: list[Any] = [
        checkpoint,
        EpochSummary(),
        StartupTime(),
        NonFiniteLoss(cfg.get("nonfinite_loss", "stop")),
        ExactResume(),
        PeriodicCheckpoint(
            last, cfg.get("checkpoint_every_n_steps"), cfg.get("checkpoint_every_minutes")
        ),
        SaveOnSignal(last),
        *agreement_callbacks(cfg, run_dir),
        *report_callbacks(cfg, run_dir),
    ]
    logger = build_logger(cfg.get("logger"), run_dir, hparams)
    if logger is not None:
        callbacks.append(LearningRateMonitor(logging_interval="epoch"))
    kwargs = OmegaConf.to_container(cfg.trainer, resolve=True)
    if kwargs.get("enable_progress_bar") is None:  # auto: a bar on a terminal, epoch lines in logs
        kwargs["enable_progress_bar"] = sys.stdout.isatty()
    kwargs.update(parts.trainer_kwargs)
    callbacks += display_callbacks(
        kwargs
    )  # progress bar with tokens/s when enabled; parameters per module
    with lightning_errors("trainer"):
        try:
            return pl.Trainer(
                default_root_dir=str(run_dir), callbacks=callbacks, logger=logger or False, **kwargs
            )
        except TypeError as err:  # an unknown +trainer.KEY
            unknown = re.search(r"unexpected keyword argument '(\w+)'", str(err))
            what = f"trainer.{unknown.group(1)} is not" if unknown else f"trainer: {err}: not"
            raise ConfigError(f"{what} an argument of lightning.pytorch.Trainer") from None


def agreement_callbacks(cfg: DictConfig, run_dir: Path) -> list[Any]:
    """The syntax learning-curve callback when ``agreement=suite`` is chosen (language models
    only)."""
    node = cfg.get("agreement")
    if not node:
        return []
    from lstm_nlp.evaluation.agreement_callback import AgreementCurve
    from lstm_nlp.evaluation.scoring import ScoringOptions

    grammar = OmegaConf.to_container(cfg.data, resolve=True) if cfg.data.name == "grammar" else None
    seed = node.seed if node.seed is not None else (cfg.data.seed if grammar else 0)
    return [
        AgreementCurve(
            run_dir / "agreement",
            categories=node.categories,
            n_per_cell=node.n_per_cell,
            seed=seed,
            max_attractors=node.max_attractors,
            every_n_steps=node.every_n_steps,
            grammar=grammar,
            options=ScoringOptions(score=node.score, state=node.state),
        )
    ]


def collect(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in metrics.items():
        value = float(value)
        out[key] = value if math.isfinite(value) else str(value)
    return out


def fit(trainer, parts: TaskParts, resume: Path | None) -> None:
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
            raise


def evaluate(cfg: DictConfig, trainer, parts: TaskParts, best: Path | None) -> dict[str, Any]:
    """Validate (and test) the best checkpoint, or the final weights when there is none."""
    ckpt = str(best) if best else None
    metrics: dict[str, Any] = {}
    for result in trainer.validate(
        parts.module, datamodule=parts.datamodule, ckpt_path=ckpt, verbose=False, weights_only=True
    ):
        metrics.update(result)
    if cfg.get("test", True):
        for result in trainer.test(
            parts.module,
            datamodule=parts.datamodule,
            ckpt_path=ckpt,
            verbose=False,
            weights_only=True,
        ):
            metrics.update(result)
    return metrics


def report_run(
    cfg: DictConfig, run_dir: Path, final: dict[str, Any], trainer, parts: TaskParts
) -> None:
    """``report.md``/``report.html`` (a failure is only a warning), its plots also to the
    dashboards."""
    from lstm_nlp.dashboards import log_images
    from lstm_nlp.report import write_run_report

    if write_run_report(run_dir, cfg, final, parts.module) is not None:
        plots = {f"report/{p.stem}": p for p in sorted((run_dir / "report").glob("*.png"))}
        log_images(trainer.loggers, plots, step=trainer.global_step)


def train(cfg: DictConfig, run_dir: Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """Fit, validate and test the configured task; return (and write) the final metrics."""
    check_config(cfg, overrides or [])
    import lightning.pytorch as pl

    from lstm_nlp.interruption import Preempted

    configure_runtime(cfg)
    pl.seed_everything(cfg.seed, workers=True, verbose=False)
    run = RunContext(
        run_dir=run_dir, seed=cfg.seed, cache_dir=default_cache_dir(cfg.get("cache_dir"))
    )
    parts: TaskParts = TASKS.get(cfg.task.name)(cfg, run)
    trainer = build_trainer(cfg, run_dir, parts, OmegaConf.to_container(cfg, resolve=True))
    if trainer.is_global_zero and parts.summary:
        print("lstm-nlp: " + ", ".join(f"{k}={v}" for k, v in parts.summary.items()), flush=True)
    resume = resume_checkpoint(run_dir)
    if resume and trainer.is_global_zero:
        print(f"lstm-nlp: resuming from {resume}", flush=True)
    try:
        try:
            fit(trainer, parts, resume)
        except Preempted:
            pass  # SaveOnSignal saved the checkpoint; its message says so
        interrupted = next(
            (c.message for c in trainer.callbacks if getattr(c, "message", None)), None
        )
        if interrupted:  # pre-empted: the checkpoint is saved; no evaluation, no metrics.json yet
            if trainer.is_global_zero:
                print(interrupted, flush=True)
            return {"interrupted": interrupted}
        best = run_dir / "checkpoints" / "best.ckpt"
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
