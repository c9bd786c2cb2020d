"""``lstm-nlp-inspect mode=probe``: ``OUT/probe.json`` and ``OUT/probe_by_position.png``.

``probe.json``::

    {"format": "lstm-nlp-probe", "checkpoint": ..., "items": {...},
     "split": {"by": "sentence", "seed": 0, "test_fraction": 0.3, "train_items": ...,
               "test_items": ...},
     "l2": 0.001, "min_items": 20, "landmarks": {"subject": "state after the subject noun", ...},
     "series": {"L0/hidden": {"by_position": [{"position": 0, "accuracy": 0.52, "chance": 0.5,
                                               "train": 1150, "test": 500}, ...],
                              "by_landmark": {"subject": {"accuracy": ..., "chance": ..., ...},
                                              ...}}, ...}}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from lstm_nlp.insight.options import InspectOptions
from lstm_nlp.insight.states import Inspectable

if TYPE_CHECKING:
    from lstm_nlp.insight.agreement_items import AgreementItem

LANDMARK_TEXT = {
    "start": "state after the leading <eos>",
    "before_subject": "state after the word before the subject noun",
    "subject": "state after the subject noun",
    "attractor": "state after the attractor (items with one)",
    "verb": "state after the prefix, which predicts the verb",
    "after_verb": "state after the verb",
    "end": "state after the last word",
}


def probe_all(
    insp: Inspectable,
    items: Sequence[AgreementItem],
    states: list[str],
    train: Sequence[int],
    test: Sequence[int],
    l2: float,
    min_items: int,
    batch_size: int,
) -> dict:
    from lstm_nlp.insight.probe import probe_series
    from lstm_nlp.insight.states import read_states
    from lstm_nlp.insight.units import state_sequences

    features = read_states(
        insp, state_sequences(insp, items), names=tuple(states), batch_size=batch_size
    )
    series = {}
    for layer, per_state in enumerate(features):
        for state in states:
            by_position, by_landmark = probe_series(
                per_state[state].cpu(), items, train, test, l2, min_items
            )
            series[f"L{layer}/{state}"] = {"by_position": by_position, "by_landmark": by_landmark}
    return series


def summary_lines(summary: dict) -> list[str]:
    lines = [
        f"lstm-nlp-inspect: probe on {summary['split']['train_items']} train / "
        f"{summary['split']['test_items']} test items (split by sentence); accuracy at landmarks "
        "(chance in brackets):"
    ]
    for name, result in summary["series"].items():
        marks = ", ".join(
            f"{k} {v['accuracy']:.2f} ({v['chance']:.2f})" for k, v in result["by_landmark"].items()
        )
        lines.append(f"  {name}: {marks}")
    lines.append(f"lstm-nlp-inspect: -> {summary['out']}/probe.json, probe_by_position.png")
    return lines


def run(
    options: InspectOptions, insp: Inspectable, logger: dict | None, source: dict | None = None
) -> list[str]:
    from lstm_nlp.atomic import write_json
    from lstm_nlp.insight.images_to_loggers import send_images
    from lstm_nlp.insight.items_to_inspect import load_items
    from lstm_nlp.insight.probe import split_by_sentence
    from lstm_nlp.insight.probe_plot import plot_probe

    out = options.out_dir()
    items, origin = load_items(
        vocabulary=insp.vocabulary(),
        checkpoint=insp.checkpoint,
        **options.suite_arguments(source or {"name": "auto"}),
    )
    train, test = split_by_sentence(items, options.test_fraction, options.seed)
    states, l2, min_items = options.probe_states, options.l2, options.min_items
    series = probe_all(insp, items, states, train, test, l2, min_items, options.batch_size)
    summary = {
        "format": "lstm-nlp-probe",
        "checkpoint": str(insp.checkpoint),
        "items": origin,
        "split": {
            "by": "sentence",
            "seed": options.seed,
            "test_fraction": options.test_fraction,
            "train_items": len(train),
            "test_items": len(test),
        },
        "l2": options.l2,
        "min_items": options.min_items,
        "landmarks": LANDMARK_TEXT,
        "series": series,
        "out": str(out),
    }
    write_json(out / "probe.json", summary)
    plot_probe(series, out / "probe_by_position.png")
    logged = send_images(
        logger,
        out,
        {"inspect/probe_by_position": out / "probe_by_position.png"},
        {"mode": "probe", "checkpoint": str(insp.checkpoint)},
    )
    return summary_lines(summary) + (
        [f"lstm-nlp-inspect: images also logged to {logged}"] if logged else []
    )
