"""``lstm-nlp-ppl``'s work: read the texts, run the searches asked for, score every text with
the chosen methods, and gather the results (one record per file and the total)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lstm_nlp.perplexity.cache import CacheGrid
from lstm_nlp.perplexity.dynamic import Adapter, GradientStats, gradient_stats
from lstm_nlp.perplexity.options import CacheOptions, DynamicOptions, PplOptions
from lstm_nlp.perplexity.records import counts, method_record, total
from lstm_nlp.perplexity.run_texts import text_for
from lstm_nlp.perplexity.search import ppl, search_cache, search_dynamic
from lstm_nlp.perplexity.stream import score_stream
from lstm_nlp.perplexity.texts import Text, check_length, read_text, text_files


@dataclass
class Setup:
    """How every text is scored, once the searches have chosen."""

    batch_size: int
    bptt: int
    cache: CacheOptions
    dynamic: DynamicOptions
    stats: GradientStats | None = None


def evaluate(options: PplOptions, model: torch.nn.Module, tokenizer: Any, checkpoint: Path) -> dict:
    """Every text of ``options.path`` scored; the statistics and searches asked for done first,
    on their own texts (all texts are read and checked before any work).  ``model`` is a loaded
    :class:`LanguageModel`; its trained weights are in place again when this returns.  With
    ``precision=bf16-mixed`` the products run in bfloat16, the log-probabilities in fp32."""
    from lstm_nlp.evaluation.evaluate import device_of
    from lstm_nlp.evaluation.precision import scoring_precision

    device = device_of(options.device)
    with scoring_precision(options.precision, device):
        return evaluate_texts(options, model.to(device), tokenizer, checkpoint)


def evaluate_texts(
    options: PplOptions, model: torch.nn.Module, tokenizer: Any, checkpoint: Path
) -> dict:
    """:func:`evaluate` on the model's device, in the precision of the moment."""
    start = time.perf_counter()
    torch.set_num_threads(options.threads)
    model.eval()
    setup = Setup(
        options.batch_size or model.options.eval_batch_size,
        options.bptt or model.options.bptt,
        options.cache,
        options.dynamic,
    )
    files = scored_files(options, checkpoint)
    texts = [read_text(path, tokenizer) for path in files]
    if options.batch_size is None:  # the run's default, fewer columns than bptt-long windows
        shortest = min(len(t.ids) for t in texts)
        setup.batch_size = max(1, min(setup.batch_size, shortest // setup.bptt))
    for text in texts:
        check_length(text, setup.batch_size)
    side = side_texts(options, checkpoint, tokenizer, setup.batch_size)
    records: dict[str, Any] = {}
    if "stats" in side:
        setup.stats, records["stats"] = statistics(model, side["stats"], options.dynamic, setup)
    if "cache" in side:
        setup.cache, records["cache_search"] = search_cache(
            model, side["cache"], setup.batch_size, setup.bptt, setup.cache
        )
    if "dynamic" in side:
        setup.dynamic, records["dynamic_search"] = search_dynamic(
            model, side["dynamic"], setup.batch_size, setup.bptt, setup.dynamic, setup.stats
        )
    rows = [score_text(model, text, setup) for text in texts]
    return {
        "checkpoint": str(checkpoint),
        "path": str(options.path) if options.path is not None else str(files[0]),
        "split": options.split,
        "batch_size": setup.batch_size,
        "bptt": setup.bptt,
        "device": options.device,
        "precision": options.precision,
        "cache": method_record(setup.cache, records, "cache"),
        "dynamic": method_record(setup.dynamic, records, "dynamic"),
        "files": rows,
        "total": total(rows),
        "seconds": time.perf_counter() - start,
    }


def scored_files(options: PplOptions, checkpoint: Path) -> list[Path]:
    """``path``'s files, or the run's ``split``."""
    if options.path is not None:
        return text_files(options.path)
    return [text_for(None, checkpoint, options.split, "path", f"split={options.split}")]


def side_texts(
    options: PplOptions, checkpoint: Path, tokenizer: Any, batch_size: int
) -> dict[str, Text]:
    """The texts besides those scored: ``stats`` (rms: the given file or the run's training
    split), ``cache`` and ``dynamic`` (their searches: the given file or the run's validation
    split), each read and checked."""
    cache, dyn = options.cache, options.dynamic
    wanted = {}
    if dyn.method == "rms":
        wanted["stats"] = (dyn.stats_path, "train", "dynamic.stats_path", "dynamic.method=rms")
    if cache.search:
        wanted["cache"] = (cache.valid_path, "valid", "cache.valid_path", "cache.search=true")
    if dyn.search:
        wanted["dynamic"] = (dyn.valid_path, "valid", "dynamic.valid_path", "dynamic.search=true")
    paths = {name: text_for(given, checkpoint, *rest) for name, (given, *rest) in wanted.items()}
    texts = {}
    for name, path in paths.items():
        texts[name] = read_text(path, tokenizer)
        if name == "stats":
            check_length(texts[name], dyn.stats_batch_size, "dynamic.stats_batch_size")
        else:
            check_length(texts[name], batch_size)
    return texts


def statistics(
    model: torch.nn.Module, text: Text, options: DynamicOptions, setup: Setup
) -> tuple[GradientStats, dict[str, Any]]:
    """Krause et al.'s gradient statistics on ``text`` (windows of the command's bptt)."""
    stats = gradient_stats(
        model, text.ids, options.stats_batch_size, setup.bptt, options.stats_batches
    )
    record = {
        "path": str(text.path),
        "batch_size": options.stats_batch_size,
        "bptt": setup.bptt,
        "windows": stats.windows,
        "tokens": stats.tokens,
    }
    return stats, record


def score_text(model: torch.nn.Module, text: Text, setup: Setup) -> dict[str, Any]:
    """One text's record: its counts, and perplexity with the chosen methods (and without)."""
    cache, dyn = setup.cache, setup.dynamic
    grid = CacheGrid(cache.window, [cache.theta], [cache.lambdah]) if cache.on else None
    adapter = (
        Adapter(model, dyn.method, dyn.lr, dyn.lamb, dyn.epsilon, setup.stats) if dyn.on else None
    )
    try:
        scored = score_stream(model, text.ids, setup.batch_size, setup.bptt, grid, adapter)
    finally:
        if adapter is not None:
            adapter.restore()
    row = counts(text, scored.tokens, scored.nll)
    if adapter is not None:
        plain = score_stream(model, text.ids, setup.batch_size, setup.bptt)
        row["model_ppl"] = ppl(plain.model_nll, plain.tokens)
        if grid is not None:
            row["dynamic_ppl"] = ppl(scored.model_nll, scored.tokens)
    elif grid is not None:
        row["model_ppl"] = ppl(scored.model_nll, scored.tokens)
    return row
