"""``lstm-nlp-eval``'s work: read a test set with its source, score it with its protocol, write
the results beside the published numbers."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.detect import as_test_set, source_for
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.evaluation.pairs import SUFFIXES, PairItem, decoded_lines
from lstm_nlp.evaluation.protocols import Protocol, protocol_named
from lstm_nlp.evaluation.scoring import ScoringOptions
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.registry import EVAL_SOURCES

OVERRIDABLE = ("score", "state", "final_eos", "suffix", "lowercase", "split_punctuation", "oov")


@dataclass
class Evaluated:
    """One set's result: what was read, how it was scored, the scores and the summary."""

    source: str
    test_set: TestSet
    protocol: Protocol
    scoring: ScoringOptions  # the protocol's options with the command line's on top
    scores: list
    summary: dict


def scoring_options(options: EvalOptions, protocol: Protocol) -> ScoringOptions:
    """The protocol's scoring options, overridden by those given on the command line, the
    warm-up file read into its text."""
    values = {name: getattr(protocol, name) for name in OVERRIDABLE}
    values.update({k: getattr(options, k) for k in OVERRIDABLE if getattr(options, k) is not None})
    warmup = options.warmup_text
    if options.warmup_file is not None:
        path = Path(options.warmup_file).expanduser()
        warmup = "\n".join(decoded_lines(path, "warm-up text for state=warmup"))
    if warmup is None and values["state"] == "warmup":
        warmup = protocol.warmup_text
    return ScoringOptions(**values, warmup_text=warmup, batch_size=options.batch_size)


def read_set(source: dict, path: Path, key: str = "path") -> tuple[str, TestSet]:
    """The chosen source (``auto``: the one that recognises ``path``, given as config ``key``)
    and the set it reads."""
    name = source_for(str(source["name"]), path, key)
    node = source if name == source["name"] else {"name": name}
    read = EVAL_SOURCES.get(name)(EVAL_SOURCES.options(node), path)
    return name, as_test_set(read, name)


def default_protocol(source: str) -> str:
    schema = EVAL_SOURCES.schema(source)
    return getattr(schema, "protocol", "plain")


def default_groups(source: str, items: list) -> list[str]:
    """The source's own groups, those its items have."""
    present = {key for item in items for key in item.meta}
    groups = getattr(EVAL_SOURCES.schema(source), "group_by", ())
    return [g for g in groups if all(f in present for f in g.split("+"))]


def device_of(name: str) -> Any:
    import torch

    try:
        device = torch.device(str(name))
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise ConfigError(f"device must be cpu, cuda or cuda:N, got {name!r}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device={name}: no CUDA device is available here (use device=cpu)")
    return device


def out_dir(options: EvalOptions) -> Path:
    if options.out:
        return Path(options.out).expanduser()
    path = Path(options.path).expanduser().resolve()
    return Path("eval_out") / (path.stem if path.suffix in SUFFIXES + (".json",) else path.name)


def score_set(
    test_set: TestSet, protocol: Protocol, scoring: ScoringOptions, model: Any, tokenizer: Any
) -> list:
    """Every item's score, by the protocol's method."""
    if protocol.method == "stream":
        from lstm_nlp.evaluation.stream_scoring import StreamScorer

        return StreamScorer(model, tokenizer, scoring).score(test_set)
    if protocol.method == "regions":
        from lstm_nlp.evaluation.region_scoring import score_regions

        return score_regions(test_set, scoring, model, tokenizer)
    if test_set.items and not isinstance(test_set.items[0], PairItem):
        raise ConfigError(
            f"protocol={protocol.name} scores minimal pairs; this set's items are "
            f"{type(test_set.items[0]).__name__} (use protocol={test_set.name or 'syntaxgym'})"
        )
    from lstm_nlp.evaluation.scoring import PairScorer

    return PairScorer(model, tokenizer, scoring).score(test_set.items)


def evaluate_set(
    options: EvalOptions, source: dict, path: Path, model: Any, tokenizer: Any
) -> Evaluated:
    """Read, score and summarise one set."""
    import torch

    from lstm_nlp.evaluation.literature import add_literature
    from lstm_nlp.evaluation.precision import scoring_precision
    from lstm_nlp.evaluation.report import summarize

    name, test_set = read_set(source, path)
    protocol = protocol_named(options.protocol or default_protocol(name))
    scoring = scoring_options(options, protocol)
    torch.set_num_threads(options.threads)
    device = device_of(options.device)
    start = time.perf_counter()
    with scoring_precision(options.precision, device):
        scores = score_set(test_set, protocol, scoring, model.to(device), tokenizer)
    seconds = time.perf_counter() - start
    groups = default_groups(name, test_set.items) + list(options.group_by)
    summary = summarize(test_set.items, scores, list(dict.fromkeys(groups)))
    used = {f.name: getattr(scoring, f.name) for f in fields(ScoringOptions)}
    if options.warmup_file is not None:
        used["warmup_text"] = f"(the text of {options.warmup_file})"
    summary.update(
        path=str(path),
        source=name,
        benchmark=test_set.name,
        protocol={"name": protocol.name, "method": protocol.method, "paper": protocol.paper},
        options=used,
        precision=options.precision,
        seconds=round(seconds, 3),
        items_per_second=round(summary["coverage"]["scored"] / max(seconds, 1e-9), 1),
    )
    add_literature(summary, test_set, scores)
    return Evaluated(name, test_set, protocol, scoring, scores, summary)


def write_outputs(
    out: Path, summary: dict, items: list, scores: list, options: EvalOptions
) -> None:
    from lstm_nlp.evaluation.plots import plot_accuracy
    from lstm_nlp.evaluation.report import write_results

    write_results(out, summary, items, scores)
    if options.plot:
        plot_accuracy(summary, out / "accuracy.png", [*options.group_by, *summary["groups"]])
