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
VAL = re.compile(r"^val/[^/]+$")
BEST_VAL = re.compile(r"^best/val_([^/]+)$")
EARLIER = "earlier/"  # metrics.json: figures measured before training continued
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


def run_title(run_dir: Path) -> str:
    """The run's name: its folder's (a sweep member's, named by its overrides, with the sweep's)."""
    run_dir = Path(run_dir)
    if (run_dir.parent / "multirun.yaml").is_file():
        return f"{run_dir.name} (sweep {run_dir.parent.name})"
    return run_dir.name


def validation_keys(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The final validation figures by their history name: ``val/NAME`` (and ``best/val_NAME``,
    the best checkpoint's re-evaluation, as ``val/NAME``)."""
    found = {}
    for key, value in metrics.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if VAL.match(key):
            found[key] = float(value)
        elif (best := BEST_VAL.match(key)) is not None:
            found[f"val/{best.group(1)}"] = float(value)
    return found


def reproduces(record: Mapping[str, Any], final: Mapping[str, float]) -> bool:
    """Whether ``record`` holds every one of the ``final`` figures (to 1e-4, relatively)."""
    return all(
        record.get(k) is not None and math.isclose(record[k], v, rel_tol=1e-4)
        for k, v in final.items()
    )


def best_record(
    records: Sequence[Mapping[str, Any]], metrics: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The validation whose figures the final (best checkpoint's) ones reproduce; without such
    a match the one with the lowest ``val/loss``; None without validations."""
    validated = [r for r in records if any(VAL.match(k) and r[k] is not None for k in r)]
    final = validation_keys(metrics)
    same = [r for r in validated if final and reproduces(r, final)]
    if same:
        return same[0]
    with_loss = [r for r in validated if r.get("val/loss") is not None]
    return min(with_loss, key=lambda r: r["val/loss"]) if with_loss else None


def best_fact(records: Sequence[Mapping[str, Any]], metrics: Mapping[str, Any]) -> list[str]:
    """``best: epoch 1, step 60 (val/loss 4.52, val/ppl 92.0)``, or nothing."""
    best = best_record(records, metrics)
    if best is None:
        return []
    figures = ", ".join(f"`{k}` {fmt(v)}" for k, v in best.items() if VAL.match(k))
    return [f"best: epoch {best['epoch']}, step {best['step']} ({figures})"]


def overview(
    run_dir: Path,
    config: Mapping[str, Any],
    metrics: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    overrides: list[str] | None,
) -> list[Block]:
    from lstm_nlp.report.provenance import provenance_facts

    node = config.get("task")
    task = node.get("name", "?") if isinstance(node, Mapping) else "?"
    facts = [
        f"run directory: `{run_dir}`",
        f"task: `{task}`, seed {config.get('seed')}",
        f"trained: {metrics.get('epochs', '?')} epochs, {metrics.get('global_step', '?')} steps",
    ]
    if records and records[-1].get("elapsed_s") is not None:
        facts[-1] += f", {records[-1]['elapsed_s']:.1f} s of training"
    facts += best_fact(records, metrics)
    if overrides is not None:
        facts.append("command-line overrides: " + (" ".join(f"`{o}`" for o in overrides) or "none"))
    headline = [
        f"`{k}` = {fmt(v)}"
        for k, v in metrics.items()
        if HEADLINE.match(k) and not k.endswith("/loss")
    ]
    return [
        Heading(run_title(run_dir), 1),
        Paragraph("lstm-nlp run report"),
        Bullets(facts + provenance_facts()),
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
    current = {k: v for k, v in metrics.items() if not k.startswith(EARLIER)}
    table = Table(["metric", "value"], [[k, fmt(v)] for k, v in sorted(current.items())])
    intro = Paragraph(
        "As in `metrics.json`: the best checkpoint (or, without one, the final weights) "
        "validated and tested."
    )
    if len(table.rows) > LONG_TABLE:
        blocks = [
            Heading("Final metrics"),
            intro,
            Details(f"all {len(table.rows)} metrics", [table]),
        ]
    else:
        blocks = [Heading("Final metrics"), intro, table]
    return blocks + earlier_metrics(metrics)


def earlier_metrics(metrics: Mapping[str, Any]) -> list[Block]:
    """The ``earlier/KEY`` figures of ``metrics.json``: measured at ``earlier/global_step``,
    before training continued (this command did not measure them again)."""
    step = metrics.get(f"{EARLIER}global_step")
    earlier = {
        k.removeprefix(EARLIER): v
        for k, v in metrics.items()
        if k.startswith(EARLIER) and k != f"{EARLIER}global_step"
    }
    if not earlier:
        return []
    note = Paragraph(
        f"Measured at step {fmt(step)}, before training continued: they describe the weights "
        "of that step, not the ones above (`earlier/KEY` in `metrics.json`; the commands since "
        "did not measure them again)."
    )
    rows = [[k, fmt(v)] for k, v in sorted(earlier.items())]
    return [
        Heading("Measured before training continued"),
        note,
        Table(["metric", f"value at step {fmt(step)}"], rows),
    ]


def full_config(yaml_text: str) -> list[Block]:
    return [
        Heading("Full configuration"),
        Details("the whole config, resolved", [Code(yaml_text, "yaml")]),
    ]
