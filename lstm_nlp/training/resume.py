"""Which checkpoint a re-run of the same command resumes from."""

from __future__ import annotations

import warnings
from pathlib import Path

from lstm_nlp.errors import DataError
from lstm_nlp.text.checkpoint_file import read_checkpoint


def resume_checkpoint(run_dir: Path) -> Path | None:
    """The newest readable checkpoint of a run directory; unreadable ones are skipped with a
    warning."""
    folder = run_dir / "checkpoints"
    candidates = sorted(
        (p for p in (folder / "last.ckpt", folder / "best.ckpt") if p.is_file()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in candidates:
        try:
            read_checkpoint(path)
            return path
        except DataError as err:
            warnings.warn(f"lstm-nlp: skipping {err}", stacklevel=2)
    return None
