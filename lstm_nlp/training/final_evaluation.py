"""The final evaluation of the best checkpoint, logged under its own names.

After training, the best checkpoint (the final weights when no validation ran) is validated and
tested again for ``metrics.json``.  Its validation is no point of the ``val/...`` curves (the
loggers are detached meanwhile): the loggers get it as ``best/val_loss``, ``best/val_ppl``, ...
at the run's last step.  The test is logged as Lightning logs it (``test/...``, at the last step
on the completed-steps axis), with what callbacks add when it ends (the agreement suite's final
scores, table and plots).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lstm_nlp.tasks.base import TaskParts


@contextmanager
def loggers_detached(trainer: Any) -> Iterator[None]:
    """No logger sees what Lightning logs inside the block."""
    loggers = trainer.loggers
    trainer.loggers = []
    try:
        yield
    finally:
        trainer.loggers = loggers


def best_names(metrics: Mapping[str, Any]) -> dict[str, Any]:
    """``val/loss`` -> ``best/val_loss`` (``val/a/b`` -> ``best/val_a/b``)."""
    return {f"best/val_{k[4:]}": v for k, v in metrics.items() if k.startswith("val/")}


def log_best(trainer: Any, metrics: Mapping[str, Any]) -> None:
    """The best checkpoint's validation figures to every logger, at the run's last step."""
    best = {k: float(v) for k, v in best_names(metrics).items()}
    if best and trainer.is_global_zero:
        for logger in trainer.loggers:
            logger.log_metrics(best, step=trainer.global_step)


def evaluate(trainer: Any, parts: TaskParts, best: Path | None, test: bool) -> dict[str, Any]:
    """Validate (and, when ``test``, test) ``best`` (the final weights when None): the figures."""
    ckpt = str(best) if best else None
    run = {"datamodule": parts.datamodule, "ckpt_path": ckpt, "weights_only": True}
    run["verbose"] = False
    metrics: dict[str, Any] = {}
    with loggers_detached(trainer):
        for result in trainer.validate(parts.module, **run):
            metrics.update(result)
    log_best(trainer, metrics)
    if test:
        for result in trainer.test(parts.module, **run):
            metrics.update(result)
    return metrics
