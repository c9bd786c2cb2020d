"""``lstm-nlp-inspect mode=units``: rank, ablate, name the units that matter; files in OUT (see
unit_report)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_nlp.errors import ConfigError
from lstm_nlp.insight.options import InspectOptions
from lstm_nlp.insight.states import Inspectable

if TYPE_CHECKING:
    from lstm_nlp.insight.agreement_items import AgreementItem

PROG = "lstm-nlp-inspect"


def progress_printer(start: float) -> Callable[[int, int], None]:
    """Print about ten progress lines over the ablations (to stderr)."""

    def report(done: int, total: int) -> None:
        if done == total or done % max(1, total // 10) == 0:
            print(
                f"{PROG}: ablated {done}/{total} units ({time.perf_counter() - start:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    return report


def cell_traces(
    insp: Inspectable, group: Sequence[AgreementItem], units: list[dict], batch_size: int
) -> dict:
    """``{name: (steps, items)}`` cell values of each unit over the ``group`` items' sentences."""
    from lstm_nlp.insight.states import read_states
    from lstm_nlp.insight.units import state_sequences

    states = read_states(insp, state_sequences(insp, group), names=("cell",), batch_size=batch_size)
    return {u["name"]: states[u["layer"]]["cell"][:, :, u["unit"]].cpu() for u in units}


def write_plots(
    insp: Inspectable,
    items: Sequence[AgreementItem],
    result: dict,
    plots: dict,
    out: Path,
    batch_size: int,
) -> dict:
    from lstm_nlp.insight.unit_plots import aligned_items, plot_cells_by_condition, plot_drops

    paths = {
        "inspect/units_ablation": out / "units_ablation.png",
        "inspect/units_cell_by_condition": out / "units_cell_by_condition.png",
    }
    plot_drops(
        result["records"],
        result["median_drop"],
        result["significant"],
        paths["inspect/units_ablation"],
    )
    top = result["records"][: plots["units"]]
    group = aligned_items(items, plots["category"], plots["attractors"])
    plot_cells_by_condition(
        cell_traces(insp, group, top, batch_size),
        group,
        top,
        paths["inspect/units_cell_by_condition"],
    )
    return paths


def run(
    options: InspectOptions, insp: Inspectable, logger: dict | None, source: dict | None = None
) -> list[str]:
    from lstm_nlp.insight.images_to_loggers import send_images
    from lstm_nlp.insight.items_to_inspect import load_items
    from lstm_nlp.insight.states import lstm_weights
    from lstm_nlp.insight.unit_report import STATISTIC, summary_lines, write_unit_files
    from lstm_nlp.insight.units import rank, run_ablations, select_units

    out = options.out_dir()
    lstm_weights(insp.encoder)  # before anything: mode=units needs nn.LSTM's weights
    items, origin = load_items(
        vocabulary=insp.vocabulary(),
        checkpoint=insp.checkpoint,
        **options.suite_arguments(source or {"name": "auto"}),
    )
    categories = sorted({it.category for it in items})
    if options.plot_category is not None and options.plot_category not in categories:
        raise ConfigError(  # before minutes of ablations
            f"plot_category={options.plot_category} has no items; categories here: "
            f"{', '.join(categories)}"
        )
    start = time.perf_counter()
    ranking = rank(insp, items, options.rank_by, options.batch_size)
    ranked = time.perf_counter() - start
    selection = select_units(ranking, options.max_units, options.ablate_top, options.seed)
    result = run_ablations(
        insp, items, selection, options.batch_size, progress_printer(time.perf_counter())
    )
    sampled = len(selection.median_over) < len(selection.units)
    top = len(selection.units) - len(selection.median_over)
    summary = {
        "format": "lstm-nlp-units",
        "checkpoint": str(insp.checkpoint),
        "items": origin,
        "statistic": STATISTIC,
        "rank_by": options.rank_by,
        "baseline": result["baseline"],
        "ablated": len(selection.units),
        "units_total": len(ranking),
        "selection": (
            f"top {top} + random sample of {len(selection.median_over)} (seed {options.seed})"
            if sampled
            else "all"
        ),
        "median_drop": result["median_drop"],
        "median_over": "the random sample" if sampled else "all ablated units",
        "above_median": result["above_median"],
        "significant": result["significant"],
        "ablations": result["records"],
        "ranking": [u.to_dict() for u in ranking],
        "timing": {"states_and_ranking_s": round(ranked, 3), **result["timing"]},
        "out": str(out),
    }
    write_unit_files(out, summary, ranking, result)
    plots = {
        "category": options.plot_category or ("pp" if "pp" in categories else None),
        "attractors": options.plot_attractors,
        "units": options.plot_units,
    }
    images = write_plots(insp, items, result, plots, out, options.batch_size)
    logged = send_images(logger, out, images, {"mode": "units", "checkpoint": str(insp.checkpoint)})
    return summary_lines(summary) + ([f"{PROG}: images also logged to {logged}"] if logged else [])
