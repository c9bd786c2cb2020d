"""``lstm-nlp-eval``'s work: read a test set, score it with a language model, write the results."""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.evaluation.pairs import SUFFIXES, PairItem
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.registry import EVAL_SOURCES


def read_text(path: Path, key: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{key}: cannot read {str(path)!r} ({e.strerror or e})") from None
    try:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{path}:{line}: bytes that are not UTF-8 (save the file as UTF-8)"
        ) from None


def scoring_options(options: EvalOptions) -> ScoringOptions:
    """The scorer's share of the command's options, the warm-up file read into its text."""
    values = {f.name: getattr(options, f.name) for f in fields(ScoringOptions)}
    if options.warmup_file is not None:
        values["warmup_text"] = read_text(Path(options.warmup_file).expanduser(), "warmup_file")
    return ScoringOptions(**values)


def read_items(options: EvalOptions, source: dict) -> list[PairItem]:
    """The test set, read by the chosen source (``source=NAME``)."""
    return EVAL_SOURCES.get(source["name"])(EVAL_SOURCES.options(source), options.pairs)


def device_of(name: str) -> Any:
    import torch

    try:
        device = torch.device(str(name))
    except RuntimeError:
        raise ConfigError(f"device must be cpu, cuda or cuda:N, got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device={name}: no CUDA device is available here (use device=cpu)")
    return device


def out_dir(options: EvalOptions) -> Path:
    if options.out:
        return Path(options.out).expanduser()
    pairs = Path(options.pairs).expanduser().resolve()
    return Path("eval_out") / (pairs.stem if pairs.suffix in SUFFIXES else pairs.name)


def score_items(options: EvalOptions, model: Any, tokenizer: Any, items: list) -> tuple[dict, list]:
    """Accuracy overall and per group, coverage and speed; every item's scores."""
    import torch

    from lstm_nlp.evaluation.report import summarize
    from lstm_nlp.evaluation.scoring import PairScorer

    scoring = scoring_options(options)
    torch.set_num_threads(options.threads)
    start = time.perf_counter()
    scores = PairScorer(model.to(device_of(options.device)), tokenizer, scoring).score(items)
    seconds = time.perf_counter() - start
    summary = summarize(items, scores, options.group_by)
    used = {f.name: getattr(scoring, f.name) for f in fields(ScoringOptions)}
    used.pop("warmup_text")
    used["warmup"] = options.warmup_file or ("warmup_text" if options.warmup_text else None)
    rate = summary["coverage"]["scored"] / max(seconds, 1e-9)
    summary.update(
        pairs=str(options.pairs),
        options=used,
        group_by=options.group_by,
        seconds=round(seconds, 3),
        pairs_per_second=round(rate, 1),
    )
    return summary, scores


def write_outputs(
    out: Path, summary: dict, items: list, scores: list, options: EvalOptions
) -> None:
    from lstm_nlp.evaluation.plots import plot_accuracy
    from lstm_nlp.evaluation.report import write_results

    write_results(out, summary, items, scores)
    if options.plot:
        plot_accuracy(summary, out / "accuracy.png", options.group_by)
