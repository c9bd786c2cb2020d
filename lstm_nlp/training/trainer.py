"""The Lightning Trainer of a run and its callbacks.

Fixed (the safety set, always on): the checkpoints (``best.ckpt`` by the task's monitored
metric, ``last.ckpt``; each names its task), exact resume, periodic resume points, saving on
SIGTERM/SIGUSR1, the non-finite-loss guard, the run report's history, and NT-ASGD's averaged
weights (a no-op with other optimisers).  Everything else comes from the config: the
``callbacks`` group (each entry built by Hydra's ``instantiate``), the ``agreement`` learning
curve, the loggers, and the progress bar and parameter summary that the ``trainer`` options ask
for.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import CURVES, instantiate_target
from lstm_nlp.report.loggers import build_loggers
from lstm_nlp.tasks.base import TaskParts


def configure_runtime(cfg: DictConfig) -> None:
    """Threads, and silence for what a user cannot act on."""
    import torch

    if cfg.get("threads"):
        torch.set_num_threads(cfg.threads)
    # Lightning's INFO lines (GPU available..., tips) are banners: only its warnings get through,
    # whether Lightning attached its own handler (imported early, by a plugin) or not.
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger(name).propagate = False  # Hydra's root handler would repeat each line
    for message in (
        r".*isinstance\(treespec, LeafSpec\).*",
        r".*smaller than the logging interval.*",
        r".*Checkpoint directory .* exists and is not empty.*",
        # max_steps ended before the first validation: the runner says so and evaluates the weights
        r".*ModelCheckpoint\(monitor=.*could not find the monitored key.*",
        # all_gather of the carried hidden states at checkpoints uses a deprecated torch call
        r".*torch.distributed.nn.functional.all_gather is deprecated.*",
    ):
        warnings.filterwarnings("ignore", message=message)


@contextmanager
def lightning_errors(context: str) -> Iterator[None]:
    """Lightning's configuration errors as one-line :class:`ConfigError` naming ``context``."""
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    try:
        yield
    except MisconfigurationException as err:
        raise ConfigError(f"{context}: {str(err).splitlines()[0]}") from None


def safety_callbacks(cfg: DictConfig, run_dir: Path, parts: TaskParts) -> list[Any]:
    from lightning.pytorch.callbacks import ModelCheckpoint

    from lstm_nlp.report.history import HISTORY, TrainingHistory
    from lstm_nlp.training.averaged_weights import AveragedWeights
    from lstm_nlp.training.exact_resume import ExactResume
    from lstm_nlp.training.interruption import SaveOnSignal
    from lstm_nlp.training.nonfinite import NonFiniteLoss
    from lstm_nlp.training.periodic_checkpoint import PeriodicCheckpoint
    from lstm_nlp.training.task_stamp import TaskStamp

    last = run_dir / "checkpoints" / "last.ckpt"
    fixed = dict(dirpath=last.parent, auto_insert_metric_name=False, enable_version_counter=False)
    best = ModelCheckpoint(filename="best", monitor=parts.monitor, mode=parts.mode, **fixed)
    # last.ckpt at every validation, improved or not (save_last=True writes it only beside a new
    # best since Lightning 2.5: a resume would replay every epoch since the best one)
    latest = ModelCheckpoint(filename=last.stem, monitor=None, save_top_k=1, **fixed)
    return [
        best,
        latest,
        TaskStamp(cfg.task.name),
        NonFiniteLoss(cfg.nonfinite_loss),
        ExactResume(),
        AveragedWeights(parts.monitor, parts.mode),  # optim=nt_asgd: evaluate the mean weights
        PeriodicCheckpoint(last, cfg.checkpoint_every_n_steps, cfg.checkpoint_every_minutes),
        SaveOnSignal(last),
        TrainingHistory(run_dir / HISTORY),
    ]


def configured_callbacks(cfg: DictConfig, parts: TaskParts, has_logger: bool) -> list[Any]:
    """The ``callbacks`` group's entries, built; ``monitor``/``mode`` left null get the task's."""
    built = []
    for name, node in (cfg.get("callbacks") or {}).items():
        node = OmegaConf.to_container(node, resolve=True)
        for key, value in (("monitor", parts.monitor), ("mode", parts.mode)):
            if key in node and node[key] is None:
                node[key] = value
        if node.get("_target_", "").endswith("LearningRateMonitor") and not has_logger:
            continue  # it needs a logger to write to
        built.append(instantiate_target(node, f"callbacks.{name}"))
    return built


def curve_callbacks(cfg: DictConfig, run_dir: Path) -> list[Any]:
    """The ``agreement`` group's learning curve, when one is chosen."""
    node = cfg.get("agreement")
    if not node:
        return []
    options = CURVES.options(node)
    return [CURVES.get(node.name)(options, cfg, run_dir)]


def trainer_arguments(cfg: DictConfig, parts: TaskParts) -> dict[str, Any]:
    kwargs = OmegaConf.to_container(cfg.trainer, resolve=True)
    if kwargs.get("enable_progress_bar") is None:  # a bar on a terminal, epoch lines in logs
        kwargs["enable_progress_bar"] = sys.stdout.isatty()
    kwargs["precision"] = cpu_precision(kwargs)
    return {**kwargs, **parts.trainer_kwargs}


def cpu_precision(kwargs: Mapping[str, Any]) -> Any:
    """``trainer.precision``, but fp32 (and one line saying so) for bf16 on a CPU without bf16
    matrix instructions (AVX512-BF16 or AMX), where it would be slower than fp32."""
    import torch

    from lstm_nlp.evaluation.precision import bf16_fallback_line, cpu_has_bf16

    precision = kwargs.get("precision", "32-true")
    on_cpu = kwargs.get("accelerator") == "cpu" or (
        kwargs.get("accelerator") in (None, "auto") and not torch.cuda.is_available()
    )
    if not str(precision).startswith("bf16") or not on_cpu or cpu_has_bf16():
        return precision
    print(bf16_fallback_line(f"trainer.precision={precision}", "training"), flush=True)
    return "32-true"


def build_trainer(cfg: DictConfig, run_dir: Path, parts: TaskParts, hparams: Mapping) -> Any:
    """The run's Trainer; its loggers (every one the ``logger`` node chooses) log at the
    completed optimizer steps (:mod:`~lstm_nlp.report.step_axis`)."""
    from lstm_nlp.report.step_axis import follow_steps

    loggers = build_loggers(cfg.get("logger"), run_dir, dict(hparams))
    trainer = new_trainer(cfg, run_dir, parts, loggers)
    follow_steps(trainer.loggers, trainer)
    return trainer


def new_trainer(cfg: DictConfig, run_dir: Path, parts: TaskParts, loggers: list[Any]) -> Any:
    import lightning.pytorch as pl

    from lstm_nlp.training.progress import display_callbacks

    kwargs = trainer_arguments(cfg, parts)
    callbacks = [
        *safety_callbacks(cfg, run_dir, parts),
        *configured_callbacks(cfg, parts, bool(loggers)),
        *curve_callbacks(cfg, run_dir),
        # a bar with tokens/s on a terminal, else progress lines; parameters per module
        *display_callbacks(kwargs, cfg.get("progress_every_seconds")),
    ]
    with lightning_errors("trainer"):
        try:
            return pl.Trainer(
                default_root_dir=str(run_dir),
                callbacks=callbacks,
                logger=loggers or False,
                **kwargs,
            )
        except TypeError as err:  # an unknown +trainer.KEY
            unknown = re.search(r"unexpected keyword argument '(\w+)'", str(err))
            if unknown is None:
                raise  # not a config mistake: a bug to see in full
            raise ConfigError(
                f"trainer.{unknown.group(1)} is not an argument of lightning.pytorch.Trainer"
            ) from None
