"""The runs table: which settings differ, which metrics to show, in which order.

- settings: the dotted keys whose values are not the same in every run that has a config (a key
  some runs lack differs too); ``run_dir`` is left out (the run column names the folder).  Each is
  labelled by its shortest tail no other key of the runs' configs has: ``lr`` for ``optim.lr``,
  but ``task.dropout`` (there is an ``encoder.dropout``); a group's choice ``logger.name`` reads
  ``logger``;
- metrics: every ``PART/NAME`` key of ``metrics.json`` (``val/...``, ``best/...``, ``test/...``,
  then the others) except the data statistics (``data/...``) and figures kept from before a
  re-run (``earlier/...``); deeper breakdowns (``test/acc/attractors/2``) only when sorted by;
- order: by a metric (``None`` last), else by the runs' paths.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.runtable.record import Run

IGNORED_SETTINGS = {"run_dir"}
TOP_METRIC = re.compile(r"^[^/]+/[^/]+$")
NOT_METRICS = ("data/", "earlier/")
PART_ORDER = {"val": 0, "best": 1, "test": 2}  # metric columns: validation first, then the rest
HIGHER_IS_BETTER = re.compile(r"(acc|accuracy|f1|precision|recall|auc|score)($|[/_])")


@dataclass
class RunsTable:
    runs: list[Run]  # in table order
    settings: list[str]  # dotted keys that differ
    labels: dict[str, str]  # dotted key -> column label
    metrics: list[str]  # metric columns
    sort: str | None = None
    descending: bool = False


def comparable(value: Any) -> str:
    """A value as a string that compares equal exactly when the values do."""
    return json.dumps(value, sort_keys=True, default=str)


def differing_settings(runs: Sequence[Run]) -> list[str]:
    """The dotted keys whose value is not the same in all runs that have settings, in the config's
    order."""
    configured = [r.settings for r in runs if r.settings]
    keys: dict[str, None] = {}
    for settings in configured:
        keys.update(dict.fromkeys(settings))
    missing = object()
    return [
        key
        for key in keys
        if key not in IGNORED_SETTINGS
        and len({comparable(s.get(key, missing)) for s in configured}) > 1
    ]


def _parts(key: str) -> list[str]:
    parts = key.split(".")
    return parts[:-1] if len(parts) > 1 and parts[-1] == "name" else parts


def short_labels(keys: Sequence[str], among: Sequence[str] = ()) -> dict[str, str]:
    """Each key's shortest tail of dotted parts that no other key of ``keys`` or ``among`` (all
    the keys of the runs' configs) shares: ``data.seed`` stays whole beside a root ``seed``."""
    universe = list(dict.fromkeys([*keys, *among]))
    labels = {}
    for key in keys:
        parts = _parts(key)
        others = [_parts(k) for k in universe if k != key]
        size = next(
            (n for n in range(1, len(parts)) if all(o[-n:] != parts[-n:] for o in others)),
            len(parts),
        )
        labels[key] = ".".join(parts[-size:])
    return labels


def metric_names(runs: Sequence[Run], include_deep: bool = False) -> list[str]:
    """The metric keys of the runs' ``metrics.json`` (``PART/NAME`` only unless ``include_deep``):
    ``val/...``, ``best/...``, ``test/...``, then the others, each part alphabetically."""
    names: dict[str, None] = {}
    for run in runs:
        for key, value in run.metrics.items():
            if "/" not in key or key.startswith(NOT_METRICS):
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if include_deep or TOP_METRIC.match(key):
                names[key] = None
    return sorted(names, key=lambda k: (PART_ORDER.get(k.split("/")[0], len(PART_ORDER)), k))


def higher_is_better(metric: str) -> bool:
    """Accuracy-like metrics go up; losses and perplexities go down."""
    return bool(HIGHER_IS_BETTER.search(metric.rsplit("/", 1)[-1]))


def check_sort_key(runs: Sequence[Run], key: str) -> None:
    """Refuse a metric no run has, naming those there are (and the closest one)."""
    known = metric_names(runs, include_deep=True) + ["global_step"]
    if key in known:
        return
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"--sort {key}: no run has this metric (they have: {', '.join(known)}){hint}")


def sort_runs(runs: Sequence[Run], key: str | None, descending: bool = False) -> list[Run]:
    """By ``key`` (runs without a finite value last, in path order), else as given."""
    if key is None:
        return list(runs)
    valued = [(value, run) for run in runs if (value := run.metric(key)) is not None]
    valued.sort(key=lambda pair: pair[0], reverse=descending)  # stable: ties keep path order
    return [run for _, run in valued] + [run for run in runs if run.metric(key) is None]


def build_table(
    runs: Sequence[Run], sort: str | None = None, descending: bool = False
) -> RunsTable:
    """The table of ``runs``; ``sort`` names a metric (checked: :class:`ConfigError` when no run
    has it)."""
    if sort is not None:
        check_sort_key(runs, sort)
    settings = differing_settings(runs)
    every_key = [k for run in runs for k in run.settings]
    metrics = metric_names(runs)
    if sort is not None and sort not in metrics and sort != "global_step":
        metrics.append(sort)
    return RunsTable(
        runs=sort_runs(runs, sort, descending),
        settings=settings,
        labels=short_labels(settings, every_key),
        metrics=metrics,
        sort=sort,
        descending=descending,
    )
