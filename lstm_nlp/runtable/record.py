"""One run folder read into a :class:`Run`: its settings, final metrics, steps, times and status.

- settings: ``RUN_DIR/.hydra/config.yaml`` flattened to dotted keys (``encoder.hidden_size``);
- metrics: ``RUN_DIR/metrics.json`` as written (flat keys: ``val/ppl``, ``test/acc``, ...);
- steps: ``global_step`` of ``metrics.json``, else the last step of the curves;
- times: from the first command of ``commands.jsonl`` (else the oldest of the run's files) to
  ``metrics.json`` (a running run: now; else the newest checkpoint); the training seconds the run
  counted itself (``report/history.json``) when it has them.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.runtable.commands import read_commands
from lstm_nlp.runtable.curves import HISTORY
from lstm_nlp.runtable.status import checkpoints, run_status

CONFIG = Path(".hydra") / "config.yaml"
METRICS = "metrics.json"


@dataclass
class Run:
    """What the runs table shows of one run."""

    path: Path
    name: str  # the path relative to the listed folder
    status: str
    settings: dict[str, Any] = field(default_factory=dict)  # dotted key -> value
    metrics: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None
    started: datetime.datetime | None = None
    ended: datetime.datetime | None = None
    train_s: float | None = None  # training seconds the run counted itself
    commands: int = 0  # lines of commands.jsonl
    host: str | None = None  # of the last command

    @property
    def wall_s(self) -> float | None:
        """Seconds from the first command to the run's last result (None when unknown)."""
        if self.started is None or self.ended is None:
            return None
        return max(0.0, (self.ended - self.started).total_seconds())

    def metric(self, key: str) -> float | None:
        """``metrics[key]`` as a finite float, else None."""
        try:
            value = float(self.metrics[key])
        except (KeyError, TypeError, ValueError):
            return None
        return value if math.isfinite(value) else None


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings → ``{"a.b.c": value}``; lists and scalars are values."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def read_settings(run_dir: Path) -> dict[str, Any]:
    """The run's composed config, flattened ({} without a readable one)."""
    import yaml

    try:
        tree = yaml.safe_load((run_dir / CONFIG).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return flatten(tree) if isinstance(tree, Mapping) else {}


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from a file ({} when it is missing, unreadable or not an object)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def file_time(path: Path) -> datetime.datetime | None:
    """The modification time of ``path`` in local time (None when it is missing)."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return datetime.datetime.fromtimestamp(stamp).astimezone()


def end_time(run_dir: Path, status: str) -> datetime.datetime | None:
    """When the run last produced something: now (running), ``metrics.json`` (finished), else
    its newest checkpoint."""
    if status == "running":
        return datetime.datetime.now().astimezone()
    if status == "finished":
        return file_time(run_dir / METRICS)
    times = [t for t in map(file_time, checkpoints(run_dir)) if t is not None]
    return max(times, default=None)


def start_time(run_dir: Path, first_command: datetime.datetime | None) -> datetime.datetime | None:
    """The first command's time, else the oldest of the run's record files."""
    if first_command is not None:
        return first_command if first_command.tzinfo else first_command.astimezone()
    times = [file_time(run_dir / name) for name in (CONFIG, Path(".hydra") / "overrides.yaml")]
    return min((t for t in times if t is not None), default=None)


def read_run(run_dir: Path, root: Path) -> Run:
    """Read the run in ``run_dir``; ``name`` is its path relative to ``root`` (its own folder
    name when it is ``root``)."""
    run_dir, root = Path(run_dir), Path(root)
    name = run_dir.resolve().name if run_dir == root else run_dir.relative_to(root).as_posix()
    status = run_status(run_dir)
    metrics = read_json(run_dir / METRICS)
    commands = read_commands(run_dir)
    history = read_json(run_dir / HISTORY)
    steps = metrics.get("global_step")
    if not isinstance(steps, int):
        records = history.get("records")
        last = records[-1] if isinstance(records, list) and records else {}
        steps = last.get("step") if isinstance(last, dict) else None
    train_s = history.get("elapsed_s")
    return Run(
        path=run_dir,
        name=name,
        status=status,
        settings=read_settings(run_dir),
        metrics=metrics,
        steps=steps if isinstance(steps, int) else None,
        started=start_time(run_dir, commands[0].time if commands else None),
        ended=end_time(run_dir, status),
        train_s=float(train_s) if isinstance(train_s, (int, float)) else None,
        commands=len(commands),
        host=commands[-1].host if commands else None,
    )
