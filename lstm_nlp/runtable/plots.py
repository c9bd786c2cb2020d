"""The runs drawn together (matplotlib, Agg, through :mod:`lstm_nlp.report.figures`).

- :func:`overlaid_curves`: one panel for the loss (training dashed, validation solid) and one per
  validation metric (at most three; perplexity on a log scale when it spans a wide range,
  accuracy on [0, 1]), every run a colour, against the training step;
- :func:`metric_bars`: one bar per run for a metric (a sweep's monitored metric) in the table's
  order, the first (the best, when sorted by it) green and on top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from lstm_nlp.report.figures import new_figure, save
from lstm_nlp.runtable.record import Run
from lstm_nlp.runtable.render import setting

MAX_PANELS = 3
VAL_METRIC = re.compile(r"^val/[^/]+$")
TRAIN_LOSS = ("train/loss", "train/loss_epoch")  # the history's, else the CSV logger's
WIDE = 10.0  # a ppl that spans more than this factor is drawn on a log axis


def _series(records: Sequence[Mapping[str, float]], key: str) -> tuple[list[float], list[float]]:
    points = [(r["step"], r[key]) for r in records if key in r]
    return [p[0] for p in points], [p[1] for p in points]


def panel_metrics(curves: Mapping[str, Sequence[Mapping[str, float]]]) -> list[str]:
    """The validation metrics to draw besides the loss, in first-seen order."""
    names: dict[str, None] = {}
    for records in curves.values():
        for record in records:
            names.update(dict.fromkeys(k for k in record if VAL_METRIC.match(k)))
    names.pop("val/loss", None)
    return list(names)[:MAX_PANELS]


def log_axis(name: str, values: Sequence[float]) -> bool:
    """Whether a perplexity spans so wide a range that a log axis reads better."""
    return (
        name.endswith("/ppl")
        and bool(values)
        and min(values) > 0
        and max(values) / min(values) > WIDE
    )


def overlaid_curves(curves: Mapping[str, Sequence[Mapping[str, float]]], path: Path) -> Path | None:
    """``curves`` (run name → records) drawn into ``path``; None when no run has a curve."""
    names = panel_metrics(curves)
    drawn = {run: records for run, records in curves.items() if records}
    if not drawn:
        return None
    fig, axes = new_figure(1 + len(names), height=4.0, width=5.0)
    colours = [f"C{i % 10}" for i in range(len(drawn))]
    for (run, records), colour in zip(drawn.items(), colours):
        train = next((k for k in TRAIN_LOSS if _series(records, k)[0]), None)
        if train:
            axes[0].plot(
                *_series(records, train), color=colour, linestyle="--", marker="x", linewidth=1
            )
        axes[0].plot(*_series(records, "val/loss"), color=colour, marker=".", label=run)
        for ax, name in zip(axes[1:], names):
            ax.plot(*_series(records, name), color=colour, marker=".", label=run)
    axes[0].set_title("loss (validation solid, training dashed)")
    for ax, name in zip(axes[1:], names):
        if log_axis(name, [v for r in drawn.values() for v in _series(r, name)[1]]):
            ax.set_yscale("log")
        elif name.endswith("/acc"):
            ax.set_ylim(0, 1.02)
        ax.set_title(name)
    for ax in axes:
        ax.set_xlabel("training step")
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)


def run_label(run: Run, labels: Mapping[str, str]) -> str:
    """``NAME  lr=5 hidden_size=200``: the run and its differing settings."""
    values = " ".join(
        f"{label}={setting(run.settings[key])}"
        for key, label in labels.items()
        if key in run.settings
    )
    return f"{run.name}  {values}".strip()


def metric_bars(
    runs: Sequence[Run], metric: str, labels: Mapping[str, str], path: Path
) -> Path | None:
    """One horizontal bar per run that has ``metric`` (in the given order, top to bottom); None
    when none has it."""
    valued = [(run, v) for run in runs if (v := run.metric(metric)) is not None]
    if not valued:
        return None
    fig, (ax,) = new_figure(1, height=1.2 + 0.35 * len(valued), width=7.0)
    colours = ["tab:green"] + ["tab:blue"] * (len(valued) - 1)  # the first: the best
    ax.barh(range(len(valued)), [v for _, v in valued], color=colours)
    ax.set_yticks(range(len(valued)), [run_label(run, labels) for run, _ in valued], fontsize=8)
    ax.invert_yaxis()  # the table's first row on top
    for i, (_, value) in enumerate(valued):
        ax.annotate(
            f"{value:.4g}",
            (value, i),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    if log_axis(metric, [v for _, v in valued]):
        ax.set_xscale("log")
    elif metric.endswith("/acc"):
        ax.set_xlim(0, 1.02)
    skipped = len(runs) - len(valued)
    ax.set_title(metric + (f" ({skipped} run{'s' * (skipped != 1)} without it)" if skipped else ""))
    ax.grid(axis="x", alpha=0.3)
    return save(fig, path)
