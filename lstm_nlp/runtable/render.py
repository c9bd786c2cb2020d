"""The runs table as text (aligned columns), Markdown/HTML blocks and JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from lstm_nlp.report.document import Table
from lstm_nlp.runtable.record import Run
from lstm_nlp.runtable.table import RunsTable

MISSING = "-"
MAX_WIDTH = 40  # of a cell in the text table


def number(value: Any) -> str:
    """A metric for the eye: 4 significant digits, whole numbers from 10,000 on."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return MISSING if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if 1e4 <= abs(value) < 1e9:
        return f"{value:.0f}"
    return f"{value:.4g}"


def setting(value: Any) -> str:
    """A setting's value as written on a command line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def duration(seconds: float | None) -> str:
    """``42s``, ``12m05s``, ``3h04m`` (``-`` when unknown)."""
    if seconds is None:
        return MISSING
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def header(table: RunsTable) -> list[str]:
    return [
        "run",
        "status",
        *(table.labels[k] for k in table.settings),
        *table.metrics,
        "steps",
        "wall",
    ]


def row(table: RunsTable, run: Run) -> list[str]:
    absent = object()
    settings = [run.settings.get(k, absent) for k in table.settings]
    return [
        run.name,
        run.status,
        *(MISSING if v is absent else setting(v) for v in settings),
        *(number(run.metrics.get(m)) for m in table.metrics),
        MISSING if run.steps is None else str(run.steps),
        duration(run.wall_s),
    ]


def rows(table: RunsTable) -> list[list[str]]:
    return [row(table, run) for run in table.runs]


def clip(cell: str, width: int = MAX_WIDTH) -> str:
    """At most ``width`` characters, keeping the end (a path's most telling part)."""
    return cell if len(cell) <= width else "…" + cell[-(width - 1) :]


def text(table: RunsTable) -> str:
    """Aligned columns (numbers to the right, long values clipped), one line per run."""
    lines = [[clip(c) for c in line] for line in [header(table), *rows(table)]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    left = 2 + len(table.settings)  # run, status and settings read left to right
    return "\n".join(
        "  ".join(
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))
        ).rstrip()
        for line in lines
    )


def block(table: RunsTable) -> Table:
    """The table as a report block (Markdown and HTML)."""
    return Table(header=header(table), rows=rows(table))


def _plain(value: Any) -> Any:
    """JSON-safe: a non-finite float becomes its name (``"inf"``, ``"nan"``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def run_json(table: RunsTable, run: Run) -> dict[str, Any]:
    return _plain(
        {
            "run": run.name,
            "path": str(run.path),
            "status": run.status,
            "settings": {k: run.settings[k] for k in table.settings if k in run.settings},
            "metrics": run.metrics,
            "global_step": run.steps,
            "wall_s": None if run.wall_s is None else round(run.wall_s, 3),
            "train_s": run.train_s,
            "started": run.started.isoformat(timespec="seconds") if run.started else None,
            "ended": run.ended.isoformat(timespec="seconds") if run.ended else None,
            "commands": run.commands,
            "host": run.host,
        }
    )


def table_json(table: RunsTable) -> dict[str, Any]:
    """Everything the table shows, and each run's full ``metrics.json``."""
    return {
        "sort": table.sort,
        "descending": table.descending,
        "settings": {table.labels[k]: k for k in table.settings},
        "metrics": table.metrics,
        "runs": [run_json(table, run) for run in table.runs],
    }
