"""A run's history of commands: ``RUN_DIR/commands.jsonl``, one JSON line per command that trained
in the run folder (time, host, pid, overrides, changed settings; written by
:mod:`lstm_nlp.training.run_record`).

Older runs have no such file, and a line may be cut short by a crash: what cannot be read is left
out, never an error.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.report.commands import read_commands as read_entries


@dataclass
class Command:
    """One line of ``commands.jsonl``."""

    time: datetime.datetime | None
    host: str | None = None
    overrides: list[str] = field(default_factory=list)
    changed: dict[str, Any] = field(default_factory=dict)


def parse_time(text: Any) -> datetime.datetime | None:
    """An ISO 8601 time (with its offset), or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def read_commands(run_dir: Path) -> list[Command]:
    """The readable lines of ``RUN_DIR/commands.jsonl``, oldest first ([] without the file)."""
    return [as_command(entry) for entry in read_entries(run_dir)]


def as_command(entry: dict[str, Any]) -> Command:
    """One line's fields, each kept only when it has the type it should."""
    overrides, changed, host = entry.get("overrides"), entry.get("changed"), entry.get("host")
    return Command(
        time=parse_time(entry.get("time")),
        host=host if isinstance(host, str) else None,
        overrides=[str(o) for o in overrides] if isinstance(overrides, list) else [],
        changed=changed if isinstance(changed, dict) else {},
    )
