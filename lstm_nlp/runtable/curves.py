"""A run's learning curves: one record per logged step, ``{"step": 70, "val/loss": 0.77, ...}``.

Read from ``RUN_DIR/report/history.json`` (what the run report draws, written whatever the
logger; :mod:`lstm_nlp.report.history`), else from a CSV logger's
``RUN_DIR/logs/version_*/metrics.csv`` (the versions of a resumed run in order, rows of the same
step merged).  A run with neither has no curves.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from lstm_nlp.runtable.discover import natural_key

HISTORY = Path("report") / "history.json"
CSV_GLOB = "logs/version_*/metrics.csv"


def read_curves(run_dir: Path) -> list[dict[str, float]]:
    """The run's records sorted by step ([] when it logged none)."""
    return history_records(run_dir / HISTORY) or csv_records(run_dir)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean(record: dict[str, Any]) -> dict[str, float]:
    numbers = {str(k): _number(v) for k, v in record.items()}
    return {k: v for k, v in numbers.items() if v is not None}


def history_records(path: Path) -> list[dict[str, float]]:
    """The records of a ``history.json`` that have a step."""
    try:
        records = json.loads(path.read_text(encoding="utf-8")).get("records", [])
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(records, list):
        return []
    cleaned = [_clean(r) for r in records if isinstance(r, dict)]
    return sorted((r for r in cleaned if "step" in r), key=lambda r: r["step"])


def csv_records(run_dir: Path) -> list[dict[str, float]]:
    """The rows of every ``logs/version_*/metrics.csv``, merged by step."""
    by_step: dict[float, dict[str, float]] = {}
    files = sorted(run_dir.glob(CSV_GLOB), key=lambda p: natural_key(p.parent.name))
    for path in files:
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        for row in rows:
            record = _clean(row)
            if "step" in record:
                by_step.setdefault(record["step"], {}).update(record)
    return [by_step[step] for step in sorted(by_step)]
