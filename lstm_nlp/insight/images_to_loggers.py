"""The pictures of ``lstm-nlp-inspect`` into a TensorBoard event file or a W&B run under ``out``.

``logger=tensorboard``: ``OUT/tensorboard/events.out.tfevents.*`` (Images tab), written by the
same Lightning ``TensorBoardLogger`` as training uses.  ``logger=wandb``: a W&B run in
``OUT/wandb/``, offline unless ``logger.wandb.mode=online`` (or ``WANDB_MODE``) says otherwise,
as in training (:func:`lstm_nlp.report.loggers.build_logger`); each image is a
``wandb.Image``, logged with :func:`lstm_nlp.report.dashboards.log_images`, the call training
uses for its plots.  The options are the training command's ``logger`` group's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError

LOGGERS = ("tensorboard", "wandb")


def check_logger(cfg: Mapping[str, Any] | None) -> dict | None:
    """The ``logger=`` group's node as a dict: tensorboard or wandb, or None."""
    if not cfg:
        return None
    settings = {k: v for k, v in dict(cfg).items()}
    if settings.get("name") not in LOGGERS:
        raise ConfigError(
            f"logger={settings.get('name')} cannot show images; use logger=tensorboard or "
            "logger=wandb"
        )
    return settings


def send_images(
    settings: Mapping[str, Any] | None,
    out: Path,
    images: Mapping[str, Path],
    hparams: Mapping[str, Any] | None = None,
) -> Path | None:
    """Log ``images`` (tag -> PNG) with the logger ``settings`` name; returns the folder it wrote
    (None: no logger)."""
    if not settings or not images:
        return None
    from lstm_nlp.report.dashboards import log_images
    from lstm_nlp.report.loggers import build_logger, finish_loggers

    name = settings["name"]
    logger = build_logger(dict(settings), Path(out), dict(hparams or {}))
    try:
        log_images([logger], {tag: Path(path) for tag, path in images.items()}, step=0)
    finally:
        logger.finalize("success")
        finish_loggers()
    return Path(out) / ("tensorboard" if name == "tensorboard" else "wandb")
