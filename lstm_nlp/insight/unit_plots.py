"""The pictures of ``mode=units``.

* ``units_cell_by_condition.png``: the cell value of the top units (biggest accuracy drop when
  ablated) after every word of the sentence, averaged over the items of each condition.  The items
  are those of one construction (``plot_category``) with no attractor (conditions sg, pl) or with
  ``plot_attractors`` (sg_pl, pl_sg) that share one layout (subject and verb at the same word
  positions), so position ``s`` is the same kind of word in every item, as in Lakretz et al. (2019);
* ``units_ablation.png``: every ablated unit's accuracy drop, largest first, the median marked and
  the units with a significant drop dotted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_nlp.atomic import atomic_path
from lstm_nlp.insight.agreement_items import AgreementItem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STYLE = {
    "sg": ("tab:blue", "-"),
    "pl": ("tab:red", "-"),
    "sg_pl": ("tab:blue", "--"),
    "pl_sg": ("tab:red", "--"),
}
LABELS = {
    "sg": "singular",
    "pl": "plural",
    "sg_pl": "singular subject, plural attractor",
    "pl_sg": "plural subject, singular attractor",
}


def condition_order(condition: str) -> tuple[int, str]:
    return (list(STYLE).index(condition) if condition in STYLE else len(STYLE), condition)


def style_of(condition: str) -> tuple[tuple[str, str], str]:
    """Colour and line style, and the legend's words, of a condition (``sg_pl_sg`` too: the
    numbers of the subject and of the nouns after it, as a test set may name them)."""
    if condition in STYLE:
        return STYLE[condition], LABELS[condition]
    subject, *others = condition.split("_")
    words = {"sg": "singular", "pl": "plural"}
    label = f"{words.get(subject, subject)} subject, then " + ", ".join(
        words.get(n, n) for n in others
    )
    return ("tab:blue" if subject == "sg" else "tab:red", ":"), label


def aligned_items(
    items: Sequence[AgreementItem], category: str | None, attractors: int
) -> list[AgreementItem]:
    """Items of ``category`` with 0 or ``attractors`` attractors that share one layout (subject and
    verb positions): the layout with the most conditions, then the most items."""

    def wanted(it: AgreementItem, cat: str | None) -> bool:
        return it.attractors in (0, attractors) and (cat is None or it.category == cat)

    pool = (
        [it for it in items if wanted(it, category)]
        or [it for it in items if wanted(it, None)]
        or list(items)
    )
    layout = lambda it: (it.category, it.subject, it.target)  # noqa: E731
    counts = Counter(layout(it) for it in pool)
    conditions = {key: {it.condition for it in pool if layout(it) == key} for key in counts}
    best = max(counts, key=lambda key: (len(conditions[key]), counts[key]))
    group = [it for it in pool if layout(it) == best]
    return sorted(
        group, key=lambda it: it.attractor is None
    )  # an item with an attractor first: the example


def landmarks(item: AgreementItem) -> list[tuple[int, str]]:
    """State indices to mark, with their names: after the subject, after the attractor, the one that
    predicts the verb (names at the same index are joined)."""
    marks: dict[int, list[str]] = {}
    for where, name in (
        (None if item.subject is None else item.subject + 1, "subject"),
        (None if item.attractor is None else item.attractor + 1, "attractor"),
        (item.target, "predicts verb"),
    ):
        if where is not None:
            marks.setdefault(where, []).append(name)
    return [(where, " / ".join(names)) for where, names in marks.items()]


def _canvas(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_cells_by_condition(
    cells: dict[str, object],
    group: Sequence[AgreementItem],
    units: Sequence[dict],
    path: str | Path,
) -> None:
    """``cells[name]``: ``(steps, items)`` cell values of unit ``name`` for the ``group`` items."""
    import numpy as np

    first = group[0]
    steps = first.target + 2  # <eos>, the words up to the verb, the verb
    ticks = ["<eos>", *first.words[: first.target + 1]]
    fig = _canvas(max(7.0, 0.55 * steps + 3), 2.6 * len(units) + 0.8)
    axes = fig.subplots(len(units), 1, squeeze=False)[:, 0]
    for ax, unit in zip(axes, units):
        values = np.asarray(cells[unit["name"]], dtype=float)[:steps]
        for cond in sorted({it.condition for it in group}, key=condition_order):
            mask = np.array([it.condition == cond for it in group])
            if mask.any():
                (colour, line), label = style_of(cond)
                ax.plot(
                    range(steps),
                    values[:, mask].mean(axis=1),
                    color=colour,
                    linestyle=line,
                    marker="o",
                    markersize=3,
                    label=f"{label} (n={int(mask.sum())})",
                )
        for where, name in landmarks(first):
            ax.axvline(where, color="grey", linestyle=":", linewidth=1)
            ax.annotate(
                name,
                (where, 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                ha="center",
                va="bottom",
                color="grey",
            )
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_ylabel(f"cell of {unit['name']}", fontsize=9)
        ax.set_title(
            f"unit {unit['name']}: accuracy drop {unit['drop']:+.3f} when ablated, "
            f"AUC(cell) {unit['auc_cell']:.2f}",
            fontsize=9,
            pad=12,
        )
        ax.set_xticks(range(steps), ticks, fontsize=8, rotation=30)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=2, fontsize=8)
    axes[-1].set_xlabel(
        f"state after each word: mean over {len(group)} {first.category} items with one layout "
        "(the words of one example)",
        fontsize=8,
    )
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)


def plot_drops(
    records: Sequence[dict],
    median: float,
    strong: Sequence[str],
    path: str | Path,
    label_top: int = 6,
) -> None:
    """Every ablated unit's accuracy drop, largest first; the median as a line, the ``strong`` units
    dotted."""
    drops = [r["drop"] for r in records]
    fig = _canvas(min(12.0, max(7.0, 0.02 * len(drops) + 6)), 4.2)
    ax = fig.add_subplot()
    ax.bar(
        range(len(drops)),
        drops,
        color=[f"C{r['layer']}" for r in records],
        width=1.0 if len(drops) > 60 else 0.8,
    )
    ax.axhline(
        median, color="black", linestyle="--", linewidth=1, label=f"median drop {median:+.4f}"
    )
    marked = [(i, r["drop"]) for i, r in enumerate(records) if r["name"] in set(strong)]
    if marked:
        ax.scatter(
            [i for i, _ in marked],
            [d for _, d in marked],
            s=10,
            color="black",
            zorder=3,
            label="significant drop (sign test)",
        )
    top = max(drops) if drops else 0.0
    for k, record in enumerate(
        records[:label_top]
    ):  # labels stacked to the right of the tallest bars
        ax.annotate(
            f"{record['name']} {record['drop']:+.3f}",
            xy=(k, record["drop"]),
            xytext=(0.12 * len(drops) + 2, top * (1 - 0.13 * k)),
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "grey", "linewidth": 0.5},
        )
    for layer in sorted({r["layer"] for r in records}):
        ax.bar([0], [0], color=f"C{layer}", label=f"layer {layer}")
    ax.set_xlabel(f"{len(drops)} ablated units, sorted by drop")
    ax.set_ylabel("agreement accuracy drop")
    ax.set_title("ablating one unit at a time")
    ax.legend(fontsize=8, loc="upper right")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
