"""Accuracy groups of a run, in the shape of :func:`lstm_nlp.evaluation.report.summarize`'s summary.

Two sources:

- the minimal-pair suite's final scores, ``RUN_DIR/agreement/results.json`` (``agreement=suite``);
- a classifier's test breakdowns in ``metrics.json`` (``test/acc/KEY/VALUE`` with its size
  ``test/n/KEY/VALUE``: attractors, number, construction, ...), turned into the same shape
  (correct = accuracy x n, Wilson intervals) so the evaluation package's tables and plots serve
  both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.evaluation.report import wilson


def natural(value: str) -> tuple:
    """``2`` before ``10``, numbers before words."""
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def suite_summary(run_dir: Path) -> dict | None:
    """The agreement suite's final ``results.json`` (None when the run has none or it is
    unreadable)."""
    try:
        summary = json.loads(
            (Path(run_dir) / "agreement" / "results.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    return (
        summary
        if isinstance(summary, dict) and "overall" in summary and "groups" in summary
        else None
    )


def group_stats(accuracy: float, n: float) -> dict[str, Any]:
    n = int(round(n))
    correct = int(round(accuracy * n))
    ci = wilson(correct, n)
    return {
        "n": n,
        "correct": correct,
        "accuracy": accuracy,
        "ci95": list(ci) if ci else None,
        "excluded": 0,
    }


def metrics_summary(metrics: Mapping[str, Any], split: str = "test") -> dict | None:
    """``{"overall", "groups"}`` from ``SPLIT/acc/KEY/VALUE`` and ``SPLIT/n/KEY/VALUE`` (None
    without any)."""
    pattern = re.compile(rf"^{re.escape(split)}/acc/([^/]+)/(.+)$")
    groups: dict[str, dict[str, Any]] = {}
    for name, value in metrics.items():
        match = pattern.match(name)
        size = metrics.get(f"{split}/n/{match.group(1)}/{match.group(2)}") if match else None
        if match and isinstance(value, (int, float)) and isinstance(size, (int, float)):
            groups.setdefault(match.group(1), {})[match.group(2)] = group_stats(float(value), size)
    if not groups:
        return None
    groups = {
        key: dict(sorted(values.items(), key=lambda kv: natural(kv[0])))
        for key, values in groups.items()
    }
    first = next(iter(groups.values()))
    total = sum(s["n"] for s in first.values())
    overall = metrics.get(f"{split}/acc")
    overall = (
        group_stats(float(overall), total)
        if isinstance(overall, (int, float))
        else group_stats(sum(s["correct"] for s in first.values()) / max(total, 1), total)
    )
    return {"overall": overall, "groups": groups}


def only(summary: dict, group: str) -> dict:
    """The summary with one group (what :func:`lstm_nlp.evaluation.plots.plot_accuracy` should
    draw)."""
    return {**summary, "groups": {group: summary["groups"][group]}}
