"""``lstm-nlp-ppl``: perplexity of any text under a trained language model, optionally with
the neural cache pointer and dynamic evaluation."""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.perplexity.options import PplOptions
from lstm_nlp.schema import options_from_node

PROG = "lstm-nlp-ppl"


COMMAND = Command(
    PROG,
    "ppl",
    PplOptions,
    folders=("out",),
    inputs=("checkpoint", "path", "cache.valid_path", "dynamic.valid_path", "dynamic.stats_path"),
)


def summary_lines(results: dict, out: Path | None) -> list[str]:
    from lstm_nlp.perplexity.report import settings, table

    total = results["total"]
    speed = total["tokens_scored"] / max(results["seconds"], 1e-9)
    where = f" | results in {out}" if out is not None else ""
    return [
        f"{PROG}: {results['path']} with {results['checkpoint']}; " + "; ".join(settings(results)),
        table(results),
        f"{PROG}: perplexity {total['ppl']:.2f} ({total['bits_per_word']:.3f} bits per word, "
        f"{total['tokens_scored']:,} tokens scored) | {speed:,.0f} tokens/s{where}",
    ]


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="ppl", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.perplexity.report import write_results
    from lstm_nlp.perplexity.run import evaluate
    from lstm_nlp.tasks.checked_load import load_checked_language_model
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    with guard(PROG):
        options = options_from_node(cfg, PplOptions)
        checkpoint = resolve_checkpoint(options.checkpoint)
        model, tokenizer = load_checked_language_model(checkpoint)
        results = evaluate(options, model, tokenizer, checkpoint)
        out = Path(options.out).expanduser() if options.out else None
        if out is not None:
            write_results(out, results)
        print("\n".join(summary_lines(results, out)), flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
