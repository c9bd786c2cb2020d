"""Which checkpoint a re-run of the same command resumes from, and whether this command's model
can take its weights (checked before the trainer starts, so a refusal changes nothing)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.text.checkpoint_file import read_checkpoint


def resume_checkpoint(run_dir: Path, module: Any = None) -> Path | None:
    """The newest readable checkpoint of a run directory; unreadable ones are skipped with a
    warning.  With ``module`` (the model this command built), its weights must fit the model."""
    folder = run_dir / "checkpoints"
    candidates = sorted(
        (p for p in (folder / "last.ckpt", folder / "best.ckpt") if p.is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in candidates:
        try:
            ckpt = read_checkpoint(path)
        except DataError as err:
            warnings.warn(f"lstm-nlp: skipping {err}", stacklevel=2)
            continue
        if module is not None:
            check_weights_fit(module.state_dict(), ckpt["state_dict"], path)
        return path
    return None


def check_weights_fit(mine: Mapping[str, Any], theirs: Any, path: Path) -> None:
    """Every weight the checkpoint and the model share has the model's shape."""
    if not isinstance(theirs, Mapping):
        raise DataError(f"{path}: not an lstm-nlp checkpoint (its state_dict is not a mapping)")
    for key, value in mine.items():
        shape, saved = tuple(getattr(value, "shape", ())), theirs.get(key)
        if saved is not None and tuple(getattr(saved, "shape", ())) != shape:
            raise ConfigError(
                f"{path} was trained with other model settings than this command's (size "
                f"mismatch: {key} is {tuple(saved.shape)} there, {shape} here); use the run's "
                "settings (RUN_DIR/.hydra/overrides.yaml) or another run_dir"
            )
