"""The report's own plots (matplotlib, Agg, on their own canvas as :mod:`lstm_nlp.evaluation.plots`
does).

- ``learning_curves.png``: the training loss per logged step (the history's ``steps``) and the
  validation loss, and every other ``val/NAME`` metric (perplexity on a log scale, with the
  training perplexity beside it; accuracy on [0, 1]) against the optimiser step, the ends of
  epochs marked;
- ``agreement_curve.png``: the minimal-pair suite's accuracy during training, overall and per
  attractor count (``agreement=suite``).

The final accuracy plots by attractor count and category are not redrawn here: they are the
suite's own (``RUN_DIR/agreement/``) or :func:`lstm_nlp.evaluation.plots.plot_accuracy` over a
classifier's test breakdowns (:mod:`lstm_nlp.report.breakdowns`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.atomic import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_METRIC_PANELS = 3
FEW_POINTS = 100  # a curve with at most this many points shows them
MAX_EPOCH_MARKS = 50  # more epochs than this: no marks (they would fill the panel)
TOP_LEVEL = re.compile(r"^val/[^/]+$")
ATTRACTORS = re.compile(r"^agreement/acc/attractors/(\d+)$")


def x_axis(records: Sequence[dict[str, Any]]) -> tuple[str, str]:
    """(record key, axis label): the epoch, unless some epoch has several validations."""
    validated = [r["epoch"] for r in records if any(k.startswith("val/") for k in r)]
    return (
        ("epoch", "epoch") if len(validated) == len(set(validated)) else ("step", "training step")
    )


def series(records: Sequence[dict[str, Any]], key: str, x: str) -> tuple[list, list]:
    points = [(r[x], r[key]) for r in records if r.get(key) is not None]
    return [p[0] for p in points], [p[1] for p in points]


def metric_names(records: Sequence[dict[str, Any]]) -> list[str]:
    """The validation metrics to draw besides the loss, in first-seen order."""
    names: list[str] = []
    for record in records:
        names += [k for k in record if TOP_LEVEL.match(k) and k != "val/loss" and k not in names]
    return names[:MAX_METRIC_PANELS]


def new_figure(panels: int, height: float = 3.6, width: float = 4.6) -> tuple[Figure, list[Axes]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * panels, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, [fig.add_subplot(1, panels, i + 1) for i in range(panels)]


def save(fig: Figure, path: Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return path


def integer_ticks(ax: Axes) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def step_series(
    records: Sequence[dict[str, Any]], steps: Sequence[dict[str, Any]], key: str
) -> tuple[list, list]:
    """``key`` against the step: from the logged steps when they hold it, else the records."""
    xs, ys = series(steps, key, "step")
    return (xs, ys) if xs else series(records, key, "step")


def exp_all(values: Sequence[float]) -> list[float]:
    return [math.exp(v) if v < 700 else math.inf for v in values]


def epoch_ends(records: Sequence[dict[str, Any]]) -> list[int]:
    """The last recorded step of each epoch but the last (where a new epoch starts)."""
    last: dict[int, int] = {}
    for record in records:
        last[record["epoch"]] = max(record["step"], last.get(record["epoch"], 0))
    ends = [last[e] for e in sorted(last)][:-1]
    return ends if len(ends) <= MAX_EPOCH_MARKS else []


def metric_panel(
    ax: Axes, records: Sequence[dict[str, Any]], steps: Sequence[dict[str, Any]], name: str
) -> None:
    """``name`` against the step: perplexity on a log axis with the training perplexity,
    accuracy on [0, 1]."""
    ax.plot(*series(records, name, "step"), marker="o", color="tab:orange", label=name)
    ax.set_title(name)
    if name.endswith("/ppl"):
        xs, losses = step_series(records, steps, "train/loss")
        if xs:
            ax.plot(xs, exp_all(losses), color="tab:blue", linewidth=1, label="exp(train/loss)")
        ax.set_yscale("log")  # perplexity falls by orders of magnitude early on
        ax.set_title("perplexity (log scale)")
        ax.legend(fontsize=8)
    elif name.endswith("/acc"):
        ax.set_ylim(0, 1.02)


def learning_curves(
    records: Sequence[dict[str, Any]], path: Path, steps: Sequence[dict[str, Any]] = ()
) -> Path | None:
    """Loss panel plus one panel per validation metric, against the optimiser step; None when
    there is nothing to draw."""
    names = metric_names(records)
    train = step_series(records, steps, "train/loss")
    val = series(records, "val/loss", "step")
    if not train[0] and not val[0] and not names:
        return None
    fig, axes = new_figure(1 + len(names))
    if train[0]:
        dots = "." if len(train[0]) <= FEW_POINTS else None
        axes[0].plot(*train, linewidth=1, marker=dots, label="train/loss")
    if val[0]:
        axes[0].plot(*val, marker="o", label="val/loss")
    axes[0].set_title("loss")
    if axes[0].lines:
        axes[0].legend(fontsize=8)
    for ax, name in zip(axes[1:], names):
        metric_panel(ax, records, steps, name)
    for ax in axes:
        for end in epoch_ends(records):
            ax.axvline(end, color="grey", linewidth=0.6, linestyle=":")
        integer_ticks(ax)
        ax.set_xlabel(
            "optimiser step (dotted: epoch ends)" if epoch_ends(records) else "optimiser step"
        )
        ax.grid(alpha=0.3)
    return save(fig, path)


def agreement_curve(records: Sequence[dict[str, Any]], path: Path) -> Path | None:
    """Suite accuracy during training, overall and per attractor count; None without
    ``agreement/acc``."""
    x, label = x_axis(records)
    if not series(records, "agreement/acc", x)[0]:
        return None
    counts = sorted({int(m.group(1)) for r in records for k in r if (m := ATTRACTORS.match(k))})
    fig, (ax,) = new_figure(1, height=4.0, width=6.0)
    ax.plot(
        *series(records, "agreement/acc", x),
        marker="o",
        linewidth=2.5,
        color="black",
        label="overall",
    )
    for k in counts:
        ax.plot(
            *series(records, f"agreement/acc/attractors/{k}", x),
            marker=".",
            linewidth=1,
            label=f"{k} attractor{'s' if k != 1 else ''}",
        )
    ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance")
    ax.set_ylim(0, 1.02)
    integer_ticks(ax)
    ax.set_xlabel(label)
    ax.set_ylabel("minimal-pair accuracy")
    ax.set_title("agreement suite during training")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)
