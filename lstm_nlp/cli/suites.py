"""``lstm-nlp-suites``: write minimal-pair suites and prediction files (see
:mod:`lstm_nlp.grammar.suites`)."""

from __future__ import annotations

import time
from typing import Any

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.grammar.suites_options import SuitesOptions
from lstm_nlp.schema import options_from_node

PROG = "lstm-nlp-suites"


COMMAND = Command(PROG, "suites", SuitesOptions, folders=("out",), inputs=("vocab",))


def write_arguments(options: SuitesOptions) -> dict[str, Any]:
    """The keyword arguments of :func:`write_suites`."""
    from lstm_nlp.text.vocabulary import load_vocabulary

    return {
        "seed": options.seed,
        "n_per_cell": options.n_per_cell,
        "max_attractors": options.max_attractors,
        "categories": options.categories,
        "prediction_sizes": options.prediction_sizes,
        "grammar": options.corpus_parameters(),
        "vocabulary": None if options.vocab is None else load_vocabulary(options.vocab),
    }


def report(summary: dict, folder: str, seconds: float) -> str:
    lines = [f"{'category':<22}{'attractors':>11}{'pairs':>8}{'dropped':>9}"]
    for name, cat in summary["categories"].items():
        ks = cat["attractors"]
        span = f"{ks[0]}-{ks[-1]}" if len(ks) > 1 else str(ks[0])
        lines.append(
            f"{name:<22}{span:>11}{cat['pairs']:>8}{sum(cat['dropped_by_vocab'].values()):>9}"
        )
    for task, rep in (summary["prediction"] or {}).items():
        splits = ", ".join(f"{s} {r['lines']}" for s, r in rep["splits"].items())
        dropped = sum(r["dropped_by_vocab"] for r in rep["splits"].values())
        short = [s for s, r in rep["splits"].items() if r["lines"] < r["wanted"]]
        lines.append(
            f"{task}: {splits} lines; dropped {dropped}"
            + (f"; SHORT: {', '.join(short)}" if short else "")
        )
    if summary["incomplete"]:
        cells = ", ".join(
            f"{c['category']}/{c['attractors']}/{c['condition']}"
            + (f"/{c['gender']}" if c["gender"] else "")
            + f" {c['got']}/{c['wanted']}"
            for c in summary["incomplete"][:8]
        )
        more = len(summary["incomplete"]) - 8
        lines.append(
            f"incomplete cells ({len(summary['incomplete'])}): {cells}"
            + (f", ... {more} more" if more > 0 else "")
        )
    if summary["vocabulary"]:
        lines.append(
            f"vocabulary: {summary['vocabulary']['size']} words; commonest missing: "
            + (", ".join(list(summary["oov_words"])[:8]) or "none")
        )
    lines.append(
        f"{PROG}: {summary['pairs']} pairs in {len(summary['categories'])} categories, seed "
        f"{summary['seed']}, {seconds:.1f} s -> {folder}"
    )
    return "\n".join(lines)


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="suites", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.grammar.suites import write_suites

    with guard(PROG):
        start = time.perf_counter()
        options = options_from_node(cfg, SuitesOptions)
        summary = write_suites(options.out, **write_arguments(options))
        print(report(summary, options.out, time.perf_counter() - start), flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
