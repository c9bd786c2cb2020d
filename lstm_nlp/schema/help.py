"""``--help`` text from the options dataclasses: each option with its default, what it accepts
and its one-line help, so the help can never disagree with what the command checks."""

from __future__ import annotations

import inspect
import json
import shutil
import textwrap
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from lstm_nlp.schema.rules import describe, help_of, rule_of
from lstm_nlp.schema.validate import MISSING_VALUE, default_of, type_hints


@dataclass(frozen=True)
class OptionRow:
    key: str
    default: str
    allowed: str
    help: str


def shown(value: Any) -> str:
    """A default as it is typed on the command line."""
    if isinstance(value, str):
        return "required" if value == MISSING_VALUE else (value or '""')
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return json.dumps(value).replace('"', "").replace(", ", ",")
    return repr(value)


def option_rows(schema: type, prefix: str = "") -> list[OptionRow]:
    """One row per option of ``schema`` (nested option groups flattened as ``group.key``)."""
    rows, hints = [], type_hints(schema)
    own = inspect.get_annotations(schema)  # the class's own options first, then inherited ones
    for f in sorted(fields(schema), key=lambda f: f.name not in own):
        tp = hints[f.name]
        if is_dataclass(tp):
            rows += option_rows(tp, f"{prefix}{f.name}.")
            continue
        allowed = describe(tp, rule_of(f))
        rows.append(OptionRow(prefix + f.name, shown(default_of(f)), allowed, help_of(f)))
    return rows


OBVIOUS = ("true or false", "a string", "null or a string", "null or true or false")


def format_rows(rows: list[OptionRow], width: int | None = None) -> str:
    """``key=default  help [allowed]``, the help wrapped under its own column (what a value may be
    is left out where the default says it: true/false, any text)."""
    width = width or min(shutil.get_terminal_size((100, 20)).columns, 120)
    if not rows:
        return "  (no options)"
    heads = [f"{r.key}={r.default}" for r in rows]
    column = min(max(len(h) for h in heads), 34) + 4
    lines = []
    for head, r in zip(heads, rows):
        allowed = "" if r.allowed in OBVIOUS else f"[{r.allowed}]"
        text = " ".join(part for part in (r.help, allowed) if part)
        wrapped = textwrap.wrap(text, max(width - column, 30)) or [""]
        if len(head) + 4 > column:  # too wide: the help starts on the next line
            lines.append(f"  {head}")
            lines += [" " * column + part for part in wrapped]
        else:
            lines.append(f"  {head:<{column - 4}}  {wrapped[0]}")
            lines += [" " * column + part for part in wrapped[1:]]
    return "\n".join(lines)
