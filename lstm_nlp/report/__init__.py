"""The per-run report: ``RUN_DIR/report.md`` and a self-contained ``RUN_DIR/report.html``.

Config summary, parameter counts, learning curves, agreement accuracy by attractor count and
category, and the final metrics, with PNG plots in ``RUN_DIR/report/``. Readable without a
dashboard server and the same for every ``logger=`` choice: the learning curves come from
:class:`~lstm_nlp.report.history.TrainingHistory`, not from a logger's files.

The runner adds :func:`report_callbacks` to the trainer and calls :func:`write_run_report`
on rank 0 once ``metrics.json`` is written (an interrupted run writes no report).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

HISTORY = Path("report") / "history.json"


def report_callbacks(cfg: Any, run_dir: Path) -> list[Any]:
    """The callbacks the report needs: the training history (``RUN_DIR/report/history.json``)."""
    from lstm_nlp.report.history import TrainingHistory

    return [TrainingHistory(Path(run_dir) / HISTORY)]


def write_run_report(
    run_dir: Path, cfg: Any, metrics: Mapping[str, Any], module: Any
) -> Path | None:
    """Write ``report.md`` and ``report.html``; see :mod:`lstm_nlp.report.write`."""
    from lstm_nlp.report.write import write_run_report as write

    return write(run_dir, cfg, metrics, module)


__all__ = ["report_callbacks", "write_run_report"]
