"""The Hydra callback that writes a sweep's summary (:mod:`.summary`) into its folder.

Registered for ``lstm-nlp-train`` in ``conf/hydra/callbacks/sweep_summary.yaml``.  In a ``-m``
sweep (the basic sweeper, Optuna, any launcher) it writes the summary when the sweep ends, and,
where jobs run in this process, after each job as well: a sweep stopped by a failing member still
leaves the summary of the members so far.  A single run writes none.  A summary that cannot be
written is one line on stderr: the sweep's own result stands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

PREFIX = "lstm-nlp"


def sweep_dir(config: DictConfig) -> Path | None:
    """``hydra.sweep.dir`` of a multirun's config (None in a single run)."""
    mode = OmegaConf.select(config, "hydra.mode", default=None)
    if str(getattr(mode, "name", mode)) != "MULTIRUN":
        return None
    folder = OmegaConf.select(config, "hydra.sweep.dir", default=None)
    return Path(str(folder)) if folder else None


class SweepSummary(Callback):
    """Writes ``summary.{md,json,png}`` into ``hydra.sweep.dir``."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    def on_job_end(self, config: DictConfig, job_return: Any = None, **kwargs: Any) -> None:
        self.write(config, final=False)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        self.write(config, final=True)

    def write(self, config: DictConfig, final: bool) -> None:
        """Write the summary; a failure is one line on stderr."""
        folder = sweep_dir(config) if self.enabled else None
        if folder is None or not folder.is_dir():
            return
        from lstm_nlp.runtable.summary import write_summary

        optimized = OmegaConf.select(config, "optimized_metric", default=None)
        direction = OmegaConf.select(config, "hydra.sweeper.direction", default=None)
        try:
            summary = write_summary(
                folder, optimized, direction if isinstance(direction, str) else None
            )
        except Exception as err:  # the summary is a courtesy: the sweep is done
            print(f"{PREFIX}: sweep summary not written in {folder}: {err}", file=sys.stderr)
            return
        if final:
            print(f"{PREFIX}: sweep summary {summary.files[0]} ({len(summary.table.runs)} runs)")
