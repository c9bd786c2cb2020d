"""``accuracy.png``: accuracy per group with 95% Wilson error bars (matplotlib, Agg, imported
lazily).

Which group: ``attractors`` when the items have it (a line over the attractor
count), else the first ``group_by`` entry, else ``file``, else one overall bar.
The figure is drawn on its own Agg canvas: pyplot and the process-wide backend
are left alone, so plotting from a training callback changes nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lstm_nlp.atomic import atomic_path


def plot_group(summary: dict, group_by: Sequence[str] = ()) -> str | None:
    """The group the plot shows (None: overall only)."""
    groups = summary["groups"]
    for name in ("attractors", *group_by, "file"):
        if name in groups:
            return name
    return None


def plot_accuracy(summary: dict, path: str | Path, group_by: Sequence[str] = ()) -> str | None:
    """Draw the plot into ``path`` (PNG); returns the group shown."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    group = plot_group(summary, group_by)
    values = summary["groups"][group] if group else {"overall": summary["overall"]}
    labels = [k for k, s in values.items() if s["n"]]
    if not labels:
        labels = list(values)
    acc = [values[k]["accuracy"] or 0.0 for k in labels]
    low = [
        max(0.0, a - values[k]["ci95"][0]) if values[k]["ci95"] else 0.0
        for a, k in zip(acc, labels)
    ]
    high = [
        max(0.0, values[k]["ci95"][1] - a) if values[k]["ci95"] else 0.0
        for a, k in zip(acc, labels)
    ]
    width = max(5.0, 0.4 * len(labels) + 2)
    # side by side only while the longest label fits its slot (~0.07 inch a character at size 8)
    upright = len(labels) <= 12 and max(len(str(k)) for k in labels) * 0.07 <= (width - 1.0) / len(
        labels
    )
    fig = Figure(figsize=(width, 4.0), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = range(len(labels))
    if group == "attractors":
        ax.errorbar(x, acc, yerr=[low, high], marker="o", capsize=4)
    else:
        ax.bar(x, acc, yerr=[low, high], capsize=3, color="tab:blue", alpha=0.8)
    ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="chance")
    ax.set_xticks(
        list(x),
        [f"{k}\n(n={values[k]['n']})" if upright else f"{k} (n={values[k]['n']})" for k in labels],
        rotation=0 if upright else 90,
        fontsize=8,
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("accuracy (95% Wilson CI)")
    ax.set_xlabel(group or "")
    ax.set_title(f"minimal pairs: accuracy by {group}" if group else "minimal pairs: accuracy")
    ax.legend(loc="lower right", fontsize=8)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    return group
