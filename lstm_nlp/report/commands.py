"""The report's "Commands" section: every command that trained in the run directory, from
``RUN_DIR/commands.jsonl`` (one JSON object a line, written when a command's training starts:
``time``, ``host``, ``pid``, ``overrides``, ``resume``, ``resumed_from``, ``changed``
``{key: [old, new]}``, ``forced`` keys)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.report.document import Block, Heading, Paragraph, Table

COMMANDS = "commands.jsonl"  # in the run directory


def read_commands(run_dir: Path) -> list[dict[str, Any]]:
    """The objects of ``commands.jsonl``, in order ([] without one; unreadable lines skipped)."""
    try:
        lines = (Path(run_dir) / COMMANDS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found


def shown(value: Any) -> str:
    """A setting as the command line writes it."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


def changes(entry: Mapping[str, Any]) -> str:
    """``key old → new`` for each changed setting, ``(forced)`` after those only
    ``resume=force`` let through; ``-`` for none."""
    forced = set(entry.get("forced") or ())
    changed = entry.get("changed") or {}
    parts = []
    for key, pair in changed.items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        mark = " (forced)" if key in forced else ""
        parts.append(f"`{key}` {shown(old)} → {shown(new)}{mark}")
    return "; ".join(parts) or "-"


def command_rows(entries: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    return [
        [
            str(e.get("time", "?")),
            str(e.get("host", "?")),
            f"`{e['resumed_from']}`" if e.get("resumed_from") else "new run",
            " ".join(f"`{o}`" for o in e.get("overrides") or []) or "none",
            changes(e),
        ]
        for e in entries
    ]


def commands_section(run_dir: Path) -> list[Block]:
    """A table of the commands that trained the run (nothing without ``commands.jsonl``)."""
    entries = read_commands(run_dir)
    if not entries:
        return []
    note = (
        "Every command that trained in this run directory (`commands.jsonl`); changed "
        "settings as old → new against the command before, `(forced)` where only "
        "`resume=force` let the change through."
    )
    header = ["time", "host", "resumed from", "overrides", "changed settings"]
    return [Heading("Commands"), Paragraph(note), Table(header, command_rows(entries))]
