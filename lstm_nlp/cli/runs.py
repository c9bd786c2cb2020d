"""``lstm-nlp-runs DIR``: the runs under a folder (a sweep's members too) as one table.

Plain argparse (a folder and flags, no config to compose): ``--help`` and the listing import
neither torch nor Lightning; matplotlib only for ``--html``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lstm_nlp.cli.errors import OneLineParser, fail
from lstm_nlp.errors import ConfigError

PROG = "lstm-nlp-runs"

EPILOG = """\
examples:
  lstm-nlp-runs runs                        # every run under runs/, sweeps' members too
  lstm-nlp-runs runs/sweep --sort val/ppl   # best perplexity first
  lstm-nlp-runs runs --sort val/acc --desc  # highest accuracy first
  lstm-nlp-runs runs --json > runs.json
  lstm-nlp-runs runs/sweep --html runs.html # the table and the learning curves overlaid

A run folder holds metrics.json, .hydra/config.yaml, checkpoints/ or commands.jsonl.  Columns:
the settings that differ between the runs (shortest unambiguous name: lr for optim.lr), the final
metrics of metrics.json, steps (global_step), wall time (first command to the last result) and
status: running (its .run.lock is held), finished (metrics.json, no newer checkpoint),
interrupted (a checkpoint, no metrics.json: the same command resumes it), failed (neither).
Exit codes: 0 done, 2 usage error (no such folder, no runs in it, an unknown metric)."""


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog=PROG,
        description="List the runs under a folder: the settings that differ, final metrics, "
        "steps, wall time and status, sortable by a metric.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "dir", metavar="DIR", help="a run folder, a sweep's folder or any folder of runs"
    )
    p.add_argument("--sort", metavar="METRIC", help="a metrics.json key (val/ppl, test/acc, ...)")
    p.add_argument("--desc", action="store_true", help="with --sort: highest first")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON instead of the table")
    out.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument(
        "--html", metavar="OUT.html", help="also write one self-contained page with learning curves"
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return list_runs(parser().parse_args(argv))
    except BrokenPipeError:  # `lstm-nlp-runs DIR | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def list_runs(args: argparse.Namespace) -> int:
    """The command's work: find, read, tabulate, print (and write the page)."""
    from lstm_nlp.runtable.discover import MARKERS, find_runs
    from lstm_nlp.runtable.record import read_run
    from lstm_nlp.runtable.render import block, table_json, text
    from lstm_nlp.runtable.table import build_table

    root = Path(args.dir)
    if not root.is_dir():
        fail(PROG, f"{args.dir}: no such folder")
    runs = [read_run(path, root) for path in find_runs(root)]
    if not runs:
        fail(PROG, f"{args.dir}: no runs in it (a run folder holds one of {', '.join(MARKERS)})")
    try:
        table = build_table(runs, sort=args.sort, descending=args.desc)
    except ConfigError as err:
        fail(PROG, err)
    if args.html:
        from lstm_nlp.runtable.html import write_html

        try:
            page = write_html(table, Path(args.html), f"Runs in {root.resolve().name}")
        except OSError as err:
            fail(PROG, f"--html {args.html}: {err.strerror or err}")
        print(f"{PROG}: wrote {page}", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(table_json(table), indent=2), flush=True)
    elif args.markdown:
        from lstm_nlp.report.markdown import table as markdown_table

        print("\n".join(markdown_table(block(table))), flush=True)
    else:
        print(text(table), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
