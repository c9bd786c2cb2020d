"""``probe_by_position.png``: probe accuracy by word position (left) and by landmark (right), chance
dashed."""

from __future__ import annotations

from pathlib import Path

from lstm_nlp.atomic import atomic_path
from lstm_nlp.insight.probe import LANDMARKS


def plot_probe(results: dict, path: str | Path) -> None:
    """``results``: the ``series`` of ``probe.json``
    (``{"L0/hidden": {"by_position": [...], "by_landmark": {...}}, ...}``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.0, 4.3), layout="constrained")
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, width_ratios=[3, 2])
    names = [n for n in LANDMARKS if any(n in r["by_landmark"] for r in results.values())]
    for i, (series, result) in enumerate(results.items()):
        colour = f"C{i}"
        rows = result["by_position"]
        left.plot(
            [r["position"] for r in rows],
            [r["accuracy"] for r in rows],
            marker="o",
            markersize=3,
            color=colour,
            label=series,
        )
        marks = [
            (k, result["by_landmark"][n]["accuracy"])
            for k, n in enumerate(names)
            if n in result["by_landmark"]
        ]
        right.plot(
            [k for k, _ in marks], [a for _, a in marks], marker="o", color=colour, label=series
        )
    first = next(iter(results.values()))
    left.plot(
        [r["position"] for r in first["by_position"]],
        [r["chance"] for r in first["by_position"]],
        color="grey",
        linestyle="--",
        label="chance (majority)",
    )
    chance = [
        (k, first["by_landmark"][n]["chance"])
        for k, n in enumerate(names)
        if n in first["by_landmark"]
    ]
    right.plot(
        [k for k, _ in chance], [c for _, c in chance], color="grey", linestyle="--", label="chance"
    )
    left.set_xlabel("state after word s (0: after <eos>)")
    left.set_title("subject number, decoded by word position")
    right.set_xticks(
        range(len(names)), [n.replace("_", " ") for n in names], rotation=30, fontsize=8
    )
    right.set_title("... and at landmarks")
    values = [
        r[k] for res in results.values() for r in res["by_position"] for k in ("accuracy", "chance")
    ]
    for ax in (left, right):
        ax.set_ylim(min([0.4, *values]) - 0.03, 1.02)
        ax.set_ylabel("probe test accuracy")
        ax.grid(alpha=0.3)
    left.legend(fontsize=8, loc="lower right")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
