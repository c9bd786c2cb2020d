"""``lstm-nlp-suites``: write minimal-pair suites and prediction files (see
:mod:`lstm_nlp.grammar.suites`)."""

from __future__ import annotations

import time
from typing import Any

import hydra
from omegaconf import DictConfig, ListConfig, OmegaConf

from lstm_nlp.cli.common import guard, run_app
from lstm_nlp.errors import ConfigError

PROG = "lstm-nlp-suites"


def _plain(value: Any) -> Any:
    return (
        OmegaConf.to_container(value, resolve=True)
        if isinstance(value, (DictConfig, ListConfig))
        else value
    )


def options(cfg: DictConfig) -> dict[str, Any]:
    """The keyword arguments of :func:`write_suites`, from the composed config."""
    from lstm_nlp.grammar.params import GrammarParams
    from lstm_nlp.grammar.suites import load_vocabulary

    out = cfg.out
    if not isinstance(out, str) or not out.strip():
        raise ConfigError(f"out must be a folder path, got {out!r}")
    grammar = _plain(cfg.get("grammar")) or {}
    if not isinstance(grammar, dict):
        raise ConfigError(f"grammar must be a mapping of generator parameters, got {grammar!r}")
    known = [
        k
        for k in GrammarParams().as_dict()
        if k not in ("seed", "max_attractors") and not k.endswith("_sentences")
    ]
    for key in grammar:
        if key not in known:
            hint = " (use seed=/max_attractors=)" if key in ("seed", "max_attractors") else ""
            raise ConfigError(
                f"grammar.{key} is not a generator parameter here{hint}; known: {', '.join(known)}"
            )
    vocab = cfg.vocab
    if vocab is not None and (not isinstance(vocab, str) or not vocab.strip()):
        raise ConfigError(
            f"vocab must be null or a path (tokenizer.json, .ckpt or run directory), got {vocab!r}"
        )
    return {
        "folder": out,
        "seed": cfg.seed,
        "n_per_cell": cfg.n_per_cell,
        "max_attractors": cfg.max_attractors,
        "categories": _plain(cfg.categories),
        "prediction_sizes": _plain(cfg.prediction_sizes),
        "grammar": {k: v for k, v in grammar.items() if v is not None},
        "vocabulary": None if vocab is None else load_vocabulary(vocab),
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
        kwargs = options(cfg)
        folder = kwargs.pop("folder")
        summary = write_suites(folder, **kwargs)
        print(report(summary, folder, time.perf_counter() - start), flush=True)


def main() -> None:
    run_app(PROG, _app, "suites")


if __name__ == "__main__":
    main()
