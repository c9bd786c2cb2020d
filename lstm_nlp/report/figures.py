"""The report's own plots (matplotlib, Agg, on their own canvas as :mod:`lstm_nlp.evaluation.plots`
does).

- ``learning_curves.png``: training and validation loss, and every other ``val/NAME`` metric
  (perplexity on a log scale, accuracy on [0, 1]) against the epoch (or the step when a run
  validates more than once per epoch);
- ``agreement_curve.png``: the minimal-pair suite's accuracy during training, overall and per
  attractor count (``agreement=suite``).

The final accuracy plots by attractor count and category are not redrawn here: they are the
suite's own (``RUN_DIR/agreement/``) or :func:`lstm_nlp.evaluation.plots.plot_accuracy` over a
classifier's test breakdowns (:mod:`lstm_nlp.report.breakdowns`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.atomic import atomic_path

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_METRIC_PANELS = 3
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


def learning_curves(records: Sequence[dict[str, Any]], path: Path) -> Path | None:
    """Loss panel plus one panel per validation metric; None when there is nothing to draw."""
    x, label = x_axis(records)
    names = metric_names(records)
    losses = [k for k in ("train/loss", "val/loss") if series(records, k, x)[0]]
    if not losses and not names:
        return None
    fig, axes = new_figure(1 + len(names))
    for key in losses:
        axes[0].plot(*series(records, key, x), marker="o", label=key)
    axes[0].set_title("loss")
    axes[0].legend(fontsize=8)
    for ax, name in zip(axes[1:], names):
        ax.plot(*series(records, name, x), marker="o", color="tab:green", label=name)
        values = series(records, name, x)[1]
        if name.endswith("/ppl") and values and min(values) > 0 and max(values) / min(values) > 4:
            ax.set_yscale("log")  # perplexity falls by orders of magnitude early on
        elif name.endswith("/acc"):
            ax.set_ylim(0, 1.02)
        ax.set_title(name)
    for ax in axes:
        integer_ticks(ax)
        ax.set_xlabel(label)
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
