"""``lstm-nlp-runs DIR --html OUT.html``: one self-contained page with the runs table and their
learning curves overlaid (the plot embedded as a ``data:`` URI by :mod:`lstm_nlp.report.html`,
so the page opens anywhere on its own)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from lstm_nlp.atomic import write_text
from lstm_nlp.report.document import Block, Heading, Image, Paragraph
from lstm_nlp.report.html import render
from lstm_nlp.runtable.curves import read_curves
from lstm_nlp.runtable.plots import overlaid_curves, run_label
from lstm_nlp.runtable.render import block
from lstm_nlp.runtable.table import RunsTable


def page_blocks(table: RunsTable, title: str, curves_png: Path | None) -> list[Block]:
    order = f"sorted by `{table.sort}`" + (" (descending)" if table.descending else "")
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(f"{len(table.runs)} runs" + (f", {order}" if table.sort else "") + "."),
        block(table),
        Heading("Learning curves", 2),
    ]
    if curves_png is None:
        blocks.append(Paragraph("No run has logged curves (`report/history.json` or a CSV log)."))
    else:
        blocks.append(Image(curves_png, "learning curves of the runs, overlaid"))
    return blocks


def write_html(table: RunsTable, out: Path, title: str) -> Path:
    """Write the page to ``out`` (atomically) and return it."""
    curves = {run_label(run, table.labels): read_curves(run.path) for run in table.runs}
    with tempfile.TemporaryDirectory() as tmp:
        png = overlaid_curves(curves, Path(tmp) / "curves.png")
        write_text(out, render(page_blocks(table, title, png), title))
    return Path(out)
