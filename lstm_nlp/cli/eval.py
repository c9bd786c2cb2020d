"""``lstm-nlp-eval``: minimal-pair accuracy of a trained language model (BLiMP-style test sets)."""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.schema import options_from_node

PROG = "lstm-nlp-eval"


def check(cfg: DictConfig, overrides: list[str]) -> None:
    from lstm_nlp.registry import check_components

    options_from_node(cfg, EvalOptions, "", "", skip=("source",))
    check_components(cfg)


COMMAND = Command(PROG, "eval", EvalOptions, groups=("source",), check=check)


def summary_lines(summary: dict, out: Path) -> list[str]:
    from lstm_nlp.evaluation.report import text_table

    cov, overall = summary["coverage"], summary["overall"]
    reasons = ", ".join(f"{r} {n:,}" for r, n in cov["excluded_by_reason"].items())
    read = f"{cov['read']:,} items read, {cov['scored']:,} scored, {cov['excluded']:,} excluded"
    acc = "-" if overall["accuracy"] is None else f"{overall['accuracy']:.3f}"
    ci = f" [{overall['ci95'][0]:.3f}, {overall['ci95'][1]:.3f}]" if overall["ci95"] else ""
    speed = f"{summary['pairs_per_second']:,.0f} pairs/s"
    return [
        f"{PROG}: {read}" + (f" ({reasons})" if reasons else ""),
        text_table(summary),
        f"{PROG}: accuracy {acc}{ci} | {speed} | results in {out}",
    ]


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="eval", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.evaluation import evaluate as ev
    from lstm_nlp.evaluation.report import group_fields
    from lstm_nlp.tasks.language_model import load_language_model
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    with guard(PROG):
        options = options_from_node(cfg, EvalOptions, skip=("source",))
        checkpoint = resolve_checkpoint(options.checkpoint)
        items = ev.read_items(options, OmegaConf.to_container(cfg.source, resolve=True))
        group_fields(items, options.group_by)
        model, tokenizer = load_language_model(checkpoint)
        summary, scores = ev.score_items(options, model, tokenizer, items)
        summary["checkpoint"] = str(checkpoint)
        out = ev.out_dir(options)
        ev.write_outputs(out, summary, items, scores, options)
        print("\n".join(summary_lines(summary, out)), flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
