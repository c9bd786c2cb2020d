"""What the run report says, section by section, as :mod:`lstm_nlp.report.document` blocks."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lstm_nlp.report.document import Block, Bullets, Code, Details, Heading, Image, Paragraph, Table

GROUPS = ("task", "data", "encoder", "optim", "trainer", "logger", "agreement")
TRAINER_KEYS = (
    "max_epochs",
    "max_steps",
    "accelerator",
    "devices",
    "num_nodes",
    "strategy",
    "precision",
    "gradient_clip_val",
    "accumulate_grad_batches",
    "val_check_interval",
    "check_val_every_n_epoch",
    "limit_train_batches",
    "limit_val_batches",
)
SKIP_KEYS = {"data": ("cache_dir",)}
HEADLINE = re.compile(r"^(val|test)/[^/]+$|^test/agreement/acc$")
LONG_TABLE = 30


def fmt(value: Any) -> str:
    """A metric as the report prints it: floats to 6 significant digits, the rest as they are."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    return f"{value:.6g}" if math.isfinite(value) else str(value)


def flatten(node: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(node, Mapping):
        if not node:
            return [(prefix, "{}")] if prefix else []
        return [
            pair
            for k, v in node.items()
            for pair in flatten(v, f"{prefix}.{k}" if prefix else str(k))
        ]
    if isinstance(node, (list, tuple)):
        return [(prefix, json.dumps(list(node), default=str))]
    if node is None or isinstance(node, bool):
        return [
            (prefix, json.dumps(node))
        ]  # null, true, false: as they are written on the command line
    return [(prefix, str(node))]


def config_table(config: Mapping[str, Any]) -> Table:
    """One row per config group: its name and its key values (the trainer's main ones)."""
    rows = []
    for group in GROUPS:
        node = config.get(group)
        if not isinstance(node, Mapping):
            if group in config:
                rows.append([group, "null", ""])
            continue
        keep = (
            TRAINER_KEYS
            if group == "trainer"
            else [k for k in node if k not in SKIP_KEYS.get(group, ())]
        )
        pairs = [p for k in keep if k in node and k != "name" for p in flatten(node[k], str(k))]
        rows.append([group, str(node.get("name", "")), ", ".join(f"{k}={v}" for k, v in pairs)])
    return Table(["group", "name", "settings"], rows)


def overview(
    run_dir: Path,
    config: Mapping[str, Any],
    metrics: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    overrides: list[str] | None,
) -> list[Block]:
    node = config.get("task")
    task = node.get("name", "?") if isinstance(node, Mapping) else "?"
    facts = [
        f"run directory: `{run_dir}`",
        f"task: `{task}`, seed {config.get('seed')}",
        f"trained: {metrics.get('epochs', '?')} epochs, {metrics.get('global_step', '?')} steps",
    ]
    if records and records[-1].get("elapsed_s") is not None:
        facts[-1] += f", {records[-1]['elapsed_s']:.1f} s of training"
    if overrides is not None:
        facts.append("command-line overrides: " + (" ".join(f"`{o}`" for o in overrides) or "none"))
    headline = [
        f"`{k}` = {fmt(v)}"
        for k, v in metrics.items()
        if HEADLINE.match(k) and not k.endswith("/loss")
    ]
    return [
        Heading(f"Run report: {run_dir.name}", 1),
        Bullets(facts),
        *([Paragraph("Results: " + ", ".join(headline))] if headline else []),
    ]


def parameters(module: Any) -> list[Block]:
    from lstm_nlp.report.params import parameter_counts

    counts, total, trainable = parameter_counts(module)
    rows = [
        [
            c.name,
            c.kind,
            f"{c.parameters:,}",
            f"{c.trainable:,}",
            f"shares {c.shared:,} counted above (tied)" if c.shared else "",
        ]
        for c in counts
    ]
    rows.append(["total", type(module).__name__, f"{total:,}", f"{trainable:,}", ""])
    return [
        Heading("Parameters"),
        Table(["module", "type", "parameters", "trainable", "note"], rows),
    ]


def history_table(records: Sequence[Mapping[str, Any]]) -> Table:
    """epoch, step, train/loss, val/loss, the other val/NAME metrics, agreement/acc, lr,
    elapsed_s."""
    present = {k for record in records for k in record}
    metrics = sorted(k for k in present if re.match(r"^val/[^/]+$", k) and k != "val/loss")
    keys = [k for k in ("train/loss", "val/loss", *metrics, "agreement/acc") if k in present]
    columns = ["epoch", "step", *keys, "lr", "elapsed_s"]
    elapsed = {"elapsed_s": lambda v: "-" if v is None else f"{v:.1f}"}
    return Table(columns, [[elapsed.get(c, fmt)(r.get(c)) for c in columns] for r in records])


def learning_curves(
    records: Sequence[Mapping[str, Any]], images: Mapping[str, Path]
) -> list[Block]:
    blocks: list[Block] = [Heading("Learning curves")]
    if not records:
        return blocks + [Paragraph("No validation history was recorded.")]
    blocks += [
        Image(images[k], k.replace("_", " "))
        for k in ("learning_curves", "agreement_curve")
        if k in images
    ]
    blocks += [
        Paragraph(
            "`train/loss`: mean training objective since the previous row; `elapsed_s`: "
            "training time so far (across resumed runs)."
        ),
        history_table(records),
    ]
    return blocks


def accuracy_groups(title: str, note: str, summary: dict, images: Sequence[Path]) -> list[Block]:
    from lstm_nlp.evaluation.report import HEADER, rows

    return [
        Heading(title),
        Paragraph(note),
        *[Image(p, p.stem.replace("_", " ")) for p in images],
        Table(HEADER, rows(summary)),
    ]


def final_metrics(metrics: Mapping[str, Any]) -> list[Block]:
    table = Table(["metric", "value"], [[k, fmt(v)] for k, v in sorted(metrics.items())])
    intro = Paragraph(
        "As in `metrics.json`: the best checkpoint (or, without one, the final weights) "
        "validated and tested."
    )
    if len(table.rows) > LONG_TABLE:
        return [Heading("Final metrics"), intro, Details(f"all {len(table.rows)} metrics", [table])]
    return [Heading("Final metrics"), intro, table]


def full_config(yaml_text: str) -> list[Block]:
    return [
        Heading("Full configuration"),
        Details("the whole config, resolved", [Code(yaml_text, "yaml")]),
    ]
