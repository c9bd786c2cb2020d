"""Images and tables for the run's dashboards, whatever logger the run chose.

Scalars go through ``LightningModule.log``/``logger.log_metrics`` as usual; this module
adds what Lightning has no common call for:

- :func:`log_images` — PNG files as images: ``wandb.Image`` in the W&B run (copied
  into its ``media/images/``), ``SummaryWriter.add_image`` in TensorBoard's event file;
- :func:`log_table` — rows of a table: a ``wandb.Table`` in the W&B run, a markdown
  table in TensorBoard's Text tab.

Other loggers (CSV) get nothing extra: the PNGs and tables are files in the run
directory already.  Both functions take ``trainer.loggers`` (or any list of Lightning
loggers), log on rank 0 only, and must be called while the loggers are open, i.e.
before the runner's ``finish_loggers()``.  Example::

    from lstm_nlp.report.dashboards import log_images, log_table

    log_images(trainer.loggers, {"report/learning_curves": run_dir / "learning_curves.png"},
               step=trainer.global_step)
    log_table(trainer.loggers, "agreement/by_category", ["category", "n", "accuracy"],
              [["pp", 40, 0.75], ["obj_rel", 40, 0.6]], step=trainer.global_step)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

Loggers = Iterable[Any]  # lightning.pytorch.loggers.Logger instances


def _rank_zero() -> bool:
    from lightning.fabric.utilities.rank_zero import rank_zero_only

    return getattr(rank_zero_only, "rank", 0) == 0


def _kinds(loggers: Loggers) -> list[tuple[str, Any]]:
    """``("wandb" | "tensorboard" | "other", logger)`` for each logger."""
    from lightning.pytorch.loggers import TensorBoardLogger, WandbLogger

    out = []
    for logger in loggers or ():
        kind = (
            "wandb"
            if isinstance(logger, WandbLogger)
            else "tensorboard"
            if isinstance(logger, TensorBoardLogger)
            else "other"
        )
        out.append((kind, logger))
    return out


@contextmanager
def _open_wandb_run(what: str) -> Iterator[None]:
    """A W&B run already finished (``finish_loggers()`` ran) takes nothing more: a warning, not a
    crash."""
    from wandb.errors import UsageError

    try:
        yield
    except UsageError as err:
        warnings.warn(f"lstm-nlp: {what} not logged to W&B: {err}", stacklevel=3)


def read_png(path: str | Path) -> np.ndarray:
    """The PNG's pixels as a ``uint8`` array, height × width × channels (RGB or RGBA kept)."""
    import numpy as np
    from PIL import Image  # Pillow: a dependency of matplotlib

    with Image.open(path) as image:
        if image.mode not in ("RGB", "RGBA", "L"):
            image = image.convert("RGBA")
        pixels = np.asarray(image, dtype=np.uint8)
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def log_images(loggers: Loggers, images: Mapping[str, str | Path], step: int | None = None) -> None:
    """Log each PNG file ``images[key]`` under ``key`` (e.g. ``"agreement/accuracy_by_category"``).

    W&B: one ``wandb.Image`` per key (the file is copied as it is); TensorBoard: the
    decoded pixels with ``add_image`` (the Images tab); other loggers: nothing.
    """
    if not images or not _rank_zero():
        return
    for kind, logger in _kinds(loggers):
        if kind == "wandb":  # one history row holding every image
            import wandb

            with _open_wandb_run(", ".join(images)):
                logger.log_metrics(
                    {key: wandb.Image(str(path)) for key, path in images.items()}, step=step
                )
        elif kind == "tensorboard":
            for key, path in images.items():
                logger.experiment.add_image(
                    key, read_png(path), global_step=step or 0, dataformats="HWC"
                )
            logger.experiment.flush()


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-style markdown table (what TensorBoard's Text tab renders)."""

    def cell(value: Any) -> str:
        text = f"{value:.4g}" if isinstance(value, float) else "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def log_table(
    loggers: Loggers,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    step: int | None = None,
) -> None:
    """Log a table (``rows`` of values in the order of ``columns``) under ``key``.

    W&B: a ``wandb.Table``; TensorBoard: the markdown of :func:`markdown_table` with
    ``add_text``; other loggers: nothing.
    """
    if not _rank_zero():
        return
    columns, rows = [str(c) for c in columns], [list(r) for r in rows]
    for kind, logger in _kinds(loggers):
        if kind == "wandb":
            with _open_wandb_run(key):
                logger.log_table(key=key, columns=columns, data=rows, step=step)
        elif kind == "tensorboard":
            logger.experiment.add_text(key, markdown_table(columns, rows), global_step=step or 0)
            logger.experiment.flush()
