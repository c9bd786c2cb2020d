"""The gates heatmap of one layer: tokens (rows) x the shown units (columns), one panel per
quantity.

Six panels (forget, input, output gates; candidate; cell; hidden), each with its own colour bar:
the gates run 0..1 (viridis), the candidate and the hidden state -1..1 and the cell -m..m with
``m = max |cell|`` (blue-white-red).  Drawn on its own Agg canvas (pyplot is never touched).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_nlp.atomic import atomic_path

if TYPE_CHECKING:
    import numpy as np

PANELS = (
    ("forget", "forget gate f"),
    ("input", "input gate i"),
    ("output", "output gate o"),
    ("candidate", "candidate C~"),
    ("cell", "cell C"),
    ("hidden", "hidden h"),
)
GATES = ("forget", "input", "output")


def colour_scale(name: str, values: np.ndarray) -> tuple[str, float, float]:
    """``(colormap, vmin, vmax)`` of a quantity."""
    if name in GATES:
        return "viridis", 0.0, 1.0
    if name == "cell":
        top = max(1e-6, float(abs(values).max()))
        return "RdBu_r", -top, top
    return "RdBu_r", -1.0, 1.0


def plot_layer(layer: dict, tokens: Sequence[str], path: str | Path, title: str) -> None:
    """Draw one layer of a ``gates.json`` record (see :mod:`lstm_nlp.insight.gates`) into
    ``path``."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    units = list(layer["shown"])
    width = min(30.0, max(9.0, 3 * (0.28 * len(units) + 1.6)))
    height = min(24.0, max(5.0, 2 * (0.26 * len(tokens) + 1.2)))
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 3)
    for ax, (name, label) in zip(axes.flat, PANELS):
        values = np.asarray(layer[name], dtype=float)[:, units]
        cmap, vmin, vmax = colour_scale(name, values)
        image = ax.imshow(
            values, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest"
        )
        ax.set_title(label, fontsize=10)
        ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
        ax.set_xticks(range(len(units)), [str(u) for u in units], fontsize=7, rotation=90)
        ax.set_xlabel("unit", fontsize=8)
        fig.colorbar(image, ax=ax, shrink=0.9)
    fig.suptitle(title, fontsize=11)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
