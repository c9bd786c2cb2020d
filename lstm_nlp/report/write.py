"""``RUN_DIR/report.md`` and ``RUN_DIR/report.html`` at the end of a run, plots in
``RUN_DIR/report/``.

Called by the runner on rank 0 after ``metrics.json`` is written. Nothing here may cost the run
its results: a plot that fails is left out with a one-line warning, and a report that cannot be
written at all is one warning line too (the metrics and checkpoints are already on disk).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import write_text
from lstm_nlp.report import content
from lstm_nlp.report.document import Block, Heading

SUITE_PLOTS = ("accuracy_by_attractors.png", "accuracy_by_category.png")


def warn(message: str) -> None:
    print(f"lstm-nlp: warning: {message}", file=sys.stderr, flush=True)


def first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def attempt(what: str, draw: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``draw(*args)``, or None with a warning when it fails."""
    try:
        return draw(*args, **kwargs)
    except Exception as err:  # a plot must never cost the run its report
        warn(
            f"the run report's {what} plot failed ({first_line(err)}); the report goes on "
            "without it"
        )
        return None


def plain_config(cfg: Any) -> tuple[dict, str]:
    """The config as plain data and as YAML, resolved where it can be."""
    from omegaconf import OmegaConf

    cfg = cfg if OmegaConf.is_config(cfg) else OmegaConf.create(dict(cfg or {}))
    try:
        return OmegaConf.to_container(cfg, resolve=True), OmegaConf.to_yaml(cfg, resolve=True)
    except (
        Exception
    ):  # an interpolation that cannot be resolved outside the run: show it as written
        return OmegaConf.to_container(cfg, resolve=False), OmegaConf.to_yaml(cfg)


def read_overrides(run_dir: Path) -> list[str] | None:
    import yaml

    try:
        overrides = yaml.safe_load(
            (run_dir / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")
        )
    except (OSError, yaml.YAMLError):
        return None
    return [str(o) for o in overrides] if isinstance(overrides, list) else None


def accuracy_sections(run_dir: Path, out: Path, metrics: Mapping[str, Any]) -> list[Block]:
    """The suite's final scores (its own plots) and a classifier's test breakdowns (plotted
    here)."""
    from lstm_nlp.evaluation.plots import plot_accuracy
    from lstm_nlp.report.breakdowns import metrics_summary, only, suite_summary

    blocks: list[Block] = []
    suite = suite_summary(run_dir)
    if suite is not None:
        plots = [
            run_dir / "agreement" / name
            for name in SUITE_PLOTS
            if (run_dir / "agreement" / name).is_file()
        ]
        blocks += content.accuracy_groups(
            "Agreement suite (best checkpoint)",
            "Minimal pairs scored by the language model: the pair counts as correct when the "
            "grammatical sentence is more probable. Details in `agreement/results.md`.",
            suite,
            plots,
        )
    breakdown = metrics_summary(metrics)
    if breakdown is not None:
        plots = []
        for group in breakdown["groups"]:
            path = out / f"accuracy_by_{group}.png"
            if attempt(
                f"accuracy by {group}",
                plot_accuracy,
                only(breakdown, group),
                path,
                group_by=[group],
            ):
                plots.append(path)
        blocks += content.accuracy_groups(
            "Test accuracy by group",
            "The classifier's test accuracy per metadata value (`test/acc/KEY/VALUE` "
            "in `metrics.json`), 95% Wilson intervals.",
            breakdown,
            plots,
        )
    return blocks


def build(run_dir: Path, cfg: Any, metrics: Mapping[str, Any], module: Any) -> list[Block]:
    from lstm_nlp.report import figures
    from lstm_nlp.report.commands import commands_section
    from lstm_nlp.report.history import HISTORY, load_history

    out = run_dir / "report"
    records = load_history(run_dir / HISTORY)
    steps = load_history(run_dir / HISTORY, "steps")
    config, yaml_text = plain_config(cfg)
    images = {}
    for name, draw, kwargs in (
        ("learning_curves", figures.learning_curves, {"steps": steps}),
        ("agreement_curve", figures.agreement_curve, {}),
    ):
        path = attempt(name.replace("_", " "), draw, records, out / f"{name}.png", **kwargs)
        if path:
            images[name] = path
    return [
        *content.overview(run_dir, config, metrics, records, read_overrides(run_dir)),
        *commands_section(run_dir),
        Heading("Configuration"),
        content.config_table(config),
        *content.parameters(module),
        *content.learning_curves(records, images),
        *accuracy_sections(run_dir, out, metrics),
        *content.final_metrics(metrics),
        *content.full_config(yaml_text),
    ]


def write_run_report(
    run_dir: Path, cfg: Any, metrics: Mapping[str, Any], module: Any
) -> Path | None:
    """Write the report; its Markdown path, or None (with a warning) when it could not be
    written."""
    from lstm_nlp.report import html, markdown

    start, run_dir = time.perf_counter(), Path(run_dir)
    try:
        blocks = build(run_dir, cfg, metrics, module)
        write_text(run_dir / "report.md", markdown.render(blocks, run_dir))
        title = f"{content.run_title(run_dir)}: lstm-nlp run report"
        write_text(run_dir / "report.html", html.render(blocks, title))
    except Exception as err:  # the run's metrics.json and checkpoints are already written
        warn(
            f"the run report could not be written ({first_line(err)}); metrics.json and the "
            "checkpoints are kept"
        )
        return None
    print(
        f"lstm-nlp: run report {run_dir / 'report.md'} and report.html "
        f"({time.perf_counter() - start:.2f} s)",
        flush=True,
    )
    return run_dir / "report.md"
