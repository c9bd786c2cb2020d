"""What ``mode=units`` writes: ``units.json``, ``units.csv`` and the summary lines it prints.

``units.json``::

    {"format": "lstm-nlp-units", "checkpoint": ..., "items": {where the pairs came from, counts},
     "statistic": "...", "rank_by": "cell",
     "baseline": {"accuracy": 0.79, "sg": ..., "pl": ..., "sg_pl": ..., "pl_sg": ...},
     "ablated": 400, "units_total": 400, "selection": "all" | "top K + random sample of M (seed S)",
     "median_drop": 0.0006, "median_over": "all ablated units" | "the random sample",
     "above_median": ["L1:37", ...],          # ablation lowers accuracy more than the median
                                              # unit's, biggest first
     "significant": ["L1:37", ...],           # of those, a significant drop: sign test on the
                                              # flipped items, p < 0.05 / units ablated
     "ablations": [{"name": "L1:37", "layer": 1, "unit": 37, "rank": 1, "auc_cell": ...,
                    "auc_hidden": ..., "t_cell": ..., "t_hidden": ..., "separation": ...,
                    "selected": "all|top|random", "accuracy": ..., "drop": ...,
                    "lost": 12, "gained": 3, "p_value": 0.018,  # items flipped
                    "by_condition": {"sg_pl": {"accuracy": ..., "drop": ...}, ...}}, ...],
     "ranking": [{"name": ..., "rank": ..., "auc_cell": ..., ...}, ...],   # every unit, best
                                                                            # separating first
     "timing": {"states_and_ranking_s": ..., "prepare_s": ..., "ablations_s": ...,
                "per_ablation_s": ...}}

``units.csv``: one row per unit in ranking order, the ablation columns empty for units not ablated.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from lstm_nlp.atomic import write_json, write_text
from lstm_nlp.insight.ranking import UnitScore
from lstm_nlp.insight.units import ordered_conditions

STATISTIC = (
    "auc: P(activation at the verb position of a plural-subject item > that of a "
    "singular-subject item), ties 1/2 (Mann-Whitney U / (n_pl n_sg)); separation = |2 auc - 1|; "
    "t: Welch's t (pl - sg)"
)


def conditions_of(baseline: dict) -> list[str]:
    """The conditions a baseline's accuracies are broken down by."""
    return ordered_conditions(k for k in baseline if k not in ("accuracy", "correct"))


def columns(conditions: list[str]) -> list[str]:
    """The CSV's columns: one ``drop_<condition>`` per condition of the items."""
    return [*HEAD, *[f"drop_{c}" for c in conditions], *TAIL]


HEAD = [
    "rank",
    "name",
    "layer",
    "unit",
    "auc_cell",
    "auc_hidden",
    "t_cell",
    "t_hidden",
    "separation",
    "selected",
    "accuracy",
    "drop",
]
TAIL = [
    "lost",
    "gained",
    "p_value",
    "above_median",
    "significant",
]


def csv_text(ranking: list[UnitScore], result: dict) -> str:
    ablations = {r["name"]: r for r in result["records"]}
    named, strong = set(result["above_median"]), set(result["significant"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = columns(conditions_of(result["baseline"]))
    writer.writerow(names)
    for unit in ranking:
        row = unit.to_dict()
        record = ablations.get(unit.name)
        if record:
            row.update(
                {
                    k: record[k]
                    for k in ("selected", "accuracy", "drop", "lost", "gained", "p_value")
                }
            )
            row.update(
                above_median=str(unit.name in named).lower(),
                significant=str(unit.name in strong).lower(),
            )
            row.update({f"drop_{c}": v["drop"] for c, v in record["by_condition"].items()})
        writer.writerow([_cell(row.get(c)) for c in names])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def write_unit_files(out: Path, summary: dict, ranking: list[UnitScore], result: dict) -> None:
    write_json(out / "units.json", summary)
    write_text(out / "units.csv", csv_text(ranking, result))


def summary_lines(summary: dict, top: int = 10) -> list[str]:
    base = summary["baseline"]
    conditions = conditions_of(base)
    conds = ", ".join(f"{c} {base[c]:.3f}" for c in conditions)
    lines = [
        f"lstm-nlp-inspect: {summary['items']['used']} agreement pairs; accuracy "
        f"{base['accuracy']:.3f} ({conds})",
        f"best-separating units ({summary['rank_by']} at the verb): "
        + ", ".join(
            f"{u['name']} auc {u['auc_' + summary['rank_by']]:.2f}" for u in summary["ranking"][:5]
        ),
        f"{'unit':<8}{'rank':>6}{'auc cell':>10}{'drop':>9}"
        + "".join(f"{c:>9}" for c in conditions)
        + f"{'lost':>6}{'gained':>7}{'p':>9}",
    ]
    for r in summary["ablations"][:top]:
        per = "".join(
            f"{r['by_condition'][c]['drop']:>+9.3f}" if c in r["by_condition"] else f"{'-':>9}"
            for c in conditions
        )
        lines.append(
            f"{r['name']:<8}{r['rank']:>6}{r['auc_cell']:>10.2f}{r['drop']:>+9.3f}{per}"
            f"{r['lost']:>6}{r['gained']:>7}{r['p_value']:>9.1e}"
        )
    named = summary["above_median"]
    shown = ", ".join(named[:15]) + (f", ... ({len(named)} in all)" if len(named) > 15 else "")
    t = summary["timing"]
    lines += [
        f"lstm-nlp-inspect: median drop {summary['median_drop']:+.4f} over "
        f"{summary['median_over']}; units whose ablation lowers accuracy more: {shown or 'none'}",
        f"lstm-nlp-inspect: of those, significant (sign test on flipped items, Bonferroni): "
        f"{', '.join(summary['significant']) or 'none'}",
        f"lstm-nlp-inspect: ablated {summary['ablated']} of {summary['units_total']} units in "
        f"{t['ablations_s']:.1f} s ({t['per_ablation_s'] * 1000:.0f} ms each) -> {summary['out']}",
    ]
    return lines
