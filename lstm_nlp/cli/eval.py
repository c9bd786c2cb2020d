"""``lstm-nlp-eval``: a trained language model on the field's syntax test sets, each in its
native format and scored with its paper's protocol, beside the published numbers."""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.schema import options_from_node

PROG = "lstm-nlp-eval"


COMMAND = Command(
    PROG,
    "eval",
    EvalOptions,
    groups=("source",),
    required=("source",),
    folders=("out",),
    inputs=("checkpoint", "path", "warmup_file"),
)


def summary_lines(summary: dict, out: Path) -> list[str]:
    from lstm_nlp.evaluation.report import text_table

    cov, overall = summary["coverage"], summary["overall"]
    reasons = ", ".join(f"{r} {n:,}" for r, n in cov["excluded_by_reason"].items())
    read = f"{cov['read']:,} items read, {cov['scored']:,} scored, {cov['excluded']:,} excluded"
    acc = "-" if overall["accuracy"] is None else f"{overall['accuracy']:.3f}"
    ci = f" [{overall['ci95'][0]:.3f}, {overall['ci95'][1]:.3f}]" if overall["ci95"] else ""
    speed = f"{summary['items_per_second']:,.0f} items/s"
    head = f"{PROG}: {summary['path']}: source={summary['source']}, "
    head += f"protocol={summary['protocol']['name']}; {read}" + (f" ({reasons})" if reasons else "")
    return [
        head,
        text_table(summary),
        f"{PROG}: accuracy {acc}{ci} | {speed} | results in {out}",
    ]


def evaluate_all(options: EvalOptions, source: dict, checkpoint: Path) -> None:
    """Every set asked for: each scored, checked against the corpus, written; one table for
    ``benchmarks=all``."""
    from lstm_nlp.evaluation import evaluate as ev
    from lstm_nlp.evaluation.combined import write_combined
    from lstm_nlp.evaluation.corpus_checks import add_corpus_checks, sentences_of
    from lstm_nlp.evaluation.detect import find_sets
    from lstm_nlp.tasks.checked_load import load_checked_language_model

    path = Path(options.path).expanduser()
    every = options.benchmarks == "all"
    sets = find_sets(path) if every else [(str(source["name"]), path)]
    model, tokenizer = load_checked_language_model(checkpoint)
    results = [
        ev.evaluate_set(options, source if not every else {"name": name}, p, model, tokenizer)
        for name, p in sets
    ]
    if options.contamination:
        sentences = [sentences_of(r.test_set, r.scoring) for r in results]
        add_corpus_checks([r.summary for r in results], sentences, checkpoint, tokenizer)
    base = ev.out_dir(options)
    for (_, p), r in zip(sets, results):
        r.summary["checkpoint"] = str(checkpoint)
        out = base / p.name if every else base
        ev.write_outputs(out, r.summary, r.test_set.items, r.scores, options)
        print("\n".join(summary_lines(r.summary, out)), flush=True)
    if every:
        table = write_combined(
            base, {p.name: r.summary for (_, p), r in zip(sets, results)}, str(checkpoint)
        )
        print(f"{PROG}: every set\n{table}\n{PROG}: the table is in {base / 'results.md'}")


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="eval", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    with guard(PROG):
        options = options_from_node(cfg, EvalOptions, skip=("source",))
        checkpoint = resolve_checkpoint(options.checkpoint)
        evaluate_all(options, OmegaConf.to_container(cfg.source, resolve=True), checkpoint)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
