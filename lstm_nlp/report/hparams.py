"""The run's settings and final figures for the loggers' hyper-parameter views.

- :func:`run_config` — the whole composed config, as nested as it is composed, with ``run_dir``
  the run's own folder (a sweep member's, not the sweep's): what every logger gets as its
  hyper-parameters (W&B's config, ``hparams.yaml`` of TensorBoard and CSV) when training starts;
- :func:`log_hparams` — at the end, TensorBoard's HPARAMS tab: the config flattened to dotted
  keys, with the final figures as its metrics (``hp/best_val_loss``, ``hp/test_ppl``, ...), so
  the tab compares the members of a sweep (``tensorboard --logdir SWEEP``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

Scalar = int | float | str | bool


def run_config(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """The composed config, resolved, with ``run_dir`` the run's own folder."""
    config = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(config, dict)
    return {**config, "run_dir": str(run_dir)}


def log_config(loggers: Iterable[Any], config: Mapping[str, Any]) -> None:
    """Each logger's hyper-parameters: the composed config (written to ``hparams.yaml`` by
    TensorBoard and CSV when training starts, W&B's config)."""
    for logger in loggers:
        logger.log_hyperparams(dict(config))


def flat(config: Mapping[str, Any], prefix: str = "") -> dict[str, Scalar]:
    """``{"encoder.hidden_size": 16, ...}``: every leaf under its dotted key; lists and null as
    text (what TensorBoard's HPARAMS tab can show)."""
    out: dict[str, Scalar] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flat(value, f"{name}."))
        elif isinstance(value, (bool, int, float, str)):
            out[name] = value
        else:
            out[name] = "null" if value is None else str(value)
    return out


def hp_metrics(final: Mapping[str, Any]) -> dict[str, float]:
    """The final figures as HPARAMS metrics: ``val/loss`` (the best checkpoint's) as
    ``hp/best_val_loss``, ``test/ppl`` as ``hp/test_ppl``; finite numbers, at most two levels
    deep (``test/agreement/acc``, not each of its groups)."""
    out = {}
    for key, value in final.items():
        split, _, rest = key.partition("/")
        if split not in ("val", "test") or rest.count("/") > 1:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):
                best = "best_" if split == "val" else ""
                out[f"hp/{best}{split}_{rest.replace('/', '_')}"] = float(value)
    return out


def log_hparams(
    loggers: Iterable[Any], config: Mapping[str, Any], final: Mapping[str, Any], step: int
) -> None:
    """TensorBoard's HPARAMS entry of this run: ``flat(config)`` with :func:`hp_metrics` (also
    written as scalars at ``step``, where the tab reads them)."""
    from lightning.pytorch.loggers import TensorBoardLogger
    from torch.utils.tensorboard.summary import hparams

    metrics = hp_metrics(final)
    for logger in loggers:
        if not isinstance(logger, TensorBoardLogger):
            continue
        writer = logger.experiment
        events = writer._get_file_writer()  # reopened after fit closed it, as Lightning does
        _, start, end = hparams(flat(config), metrics)
        for summary in (start, end):  # no experiment: TensorBoard makes it from every run's
            events.add_summary(summary)
        for key, value in metrics.items():
            writer.add_scalar(key, value, global_step=step)
        writer.flush()
