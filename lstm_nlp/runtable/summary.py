"""A sweep's summary in its folder: ``summary.md``, ``summary.json`` and ``summary.png``.

The runs table (:mod:`.table`) of every run under the sweep's folder, sorted by the monitored
metric: ``optimized_metric`` when the sweep sets one (``hparams_search=...``), else ``val/loss``,
else ``val/ppl``, else the first metric a run has; best first (lowest, unless the sweeper says
``direction: maximize`` or the metric is an accuracy).  ``summary.png`` draws that metric per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.atomic import write_json, write_text
from lstm_nlp.report.document import Block, Heading, Image, Paragraph
from lstm_nlp.report.markdown import render
from lstm_nlp.runtable.discover import find_runs
from lstm_nlp.runtable.plots import metric_bars
from lstm_nlp.runtable.record import Run, read_run
from lstm_nlp.runtable.render import block, number, setting, table_json
from lstm_nlp.runtable.status import STATUSES
from lstm_nlp.runtable.table import RunsTable, build_table, higher_is_better, metric_names

PREFERRED = ("val/loss", "val/ppl")


@dataclass
class Summary:
    table: RunsTable
    metric: str | None
    maximize: bool
    files: list[Path]


def monitored_metric(runs: Sequence[Run], optimized: str | None) -> str | None:
    """``optimized`` when a run has it, else the first of :data:`PREFERRED` a run has, else the
    first metric found (None when no run has one)."""
    known = metric_names(runs, include_deep=True)
    for key in (optimized, *PREFERRED):
        if key and key in known:
            return key
    return known[0] if known else None


def maximizing(metric: str | None, direction: str | None) -> bool:
    """The sweeper's ``direction`` when it names one, else whether the metric goes up."""
    if isinstance(direction, str) and direction.lower() in ("maximize", "minimize"):
        return direction.lower() == "maximize"
    return metric is not None and higher_is_better(metric)


def headline(table: RunsTable, metric: str | None, maximize: bool) -> str:
    """``N runs (2 finished, 1 failed), sorted by `val/loss`, lowest first; best: `0` (lr=5),
    val/loss 0.77.``"""
    counts = [(s, sum(r.status == s for r in table.runs)) for s in STATUSES]
    parts = ", ".join(f"{n} {s}" for s, n in counts if n)
    line = f"{len(table.runs)} runs" + (f" ({parts})" if parts else "")
    if metric is None:
        return line + "; no run has metrics yet."
    line += f", sorted by `{metric}`, {'highest' if maximize else 'lowest'} first"
    best = next((r for r in table.runs if r.metric(metric) is not None), None)
    if best is None:
        return line + "."
    settings = ", ".join(
        f"{table.labels[k]}={setting(best.settings[k])}"
        for k in table.settings
        if k in best.settings
    )
    named = f"`{best.name}`" + (f" ({settings})" if settings else "")
    return line + f"; best: {named}, {metric} {number(best.metric(metric))}."


def write_summary(
    sweep_dir: Path, optimized: str | None = None, direction: str | None = None
) -> Summary:
    """Write the summary files into ``sweep_dir``; a folder without runs gets an empty table."""
    sweep_dir = Path(sweep_dir)
    runs = [read_run(path, sweep_dir) for path in find_runs(sweep_dir, members_only=True)]
    metric = monitored_metric(runs, optimized)
    maximize = maximizing(metric, direction)
    table = build_table(runs, sort=metric, descending=maximize)
    png = (
        metric_bars(table.runs, metric, table.labels, sweep_dir / "summary.png") if metric else None
    )
    blocks: list[Block] = [
        Heading(f"Sweep summary: {sweep_dir.resolve().name}", 1),
        Paragraph(headline(table, metric, maximize)),
        block(table),
    ]
    if png is not None:
        blocks.append(Image(png, f"{metric} per run"))
    write_text(sweep_dir / "summary.md", render(blocks, sweep_dir))
    data = {"sweep_dir": str(sweep_dir), "metric": metric, "maximize": maximize}
    best = next((r.name for r in table.runs if metric and r.metric(metric) is not None), None)
    write_json(sweep_dir / "summary.json", {**data, "best": best, **table_json(table)})
    files = [sweep_dir / "summary.md", sweep_dir / "summary.json"] + ([png] if png else [])
    return Summary(table=table, metric=metric, maximize=maximize, files=files)
