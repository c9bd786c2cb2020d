"""The small grid searches on validation text: the cache's theta and lambdah (one pass scores
the whole grid), dynamic evaluation's lr and lamb (one adapted pass per point, the trained
weights put back after each)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import torch

from lstm_nlp.perplexity.cache import CacheGrid
from lstm_nlp.perplexity.dynamic import Adapter, GradientStats
from lstm_nlp.perplexity.options import CacheOptions, DynamicOptions
from lstm_nlp.perplexity.stream import score_stream
from lstm_nlp.perplexity.texts import Text


def ppl(nll: float, tokens: int) -> float:
    return math.exp(nll / tokens) if tokens else float("nan")


def rank(point: dict[str, Any]) -> tuple[bool, float]:
    """Lowest perplexity first; a diverged point (nan) last."""
    return math.isnan(point["ppl"]), point["ppl"]


def search_cache(
    model: torch.nn.Module, valid: Text, batch_size: int, bptt: int, options: CacheOptions
) -> tuple[CacheOptions, dict[str, Any]]:
    """The best (theta, lambdah) of the grids by perplexity of ``valid``, and the record."""
    grid = CacheGrid(options.window, options.theta_grid, options.lambdah_grid)
    scored = score_stream(model, valid.ids, batch_size, bptt, cache=grid)
    points = [
        {"theta": theta, "lambdah": lam, "ppl": ppl(float(scored.cache_nll[i, j]), scored.tokens)}
        for i, theta in enumerate(options.theta_grid)
        for j, lam in enumerate(options.lambdah_grid)
    ]
    best, record = search_record(valid, scored.tokens, scored.model_nll, points)
    return replace(options, theta=best["theta"], lambdah=best["lambdah"]), record


def search_dynamic(
    model: torch.nn.Module,
    valid: Text,
    batch_size: int,
    bptt: int,
    options: DynamicOptions,
    stats: GradientStats | None,
) -> tuple[DynamicOptions, dict[str, Any]]:
    """The best (lr, lamb) of the grids by adapted perplexity of (the start of) ``valid``."""
    ids = valid.ids[: options.search_tokens] if options.search_tokens else valid.ids
    plain = score_stream(model, ids, batch_size, bptt)
    points = []
    for lr in options.lr_grid:
        for lamb in options.lamb_grid:
            adapter = Adapter(model, options.method, lr, lamb, options.epsilon, stats)
            try:
                scored = score_stream(model, ids, batch_size, bptt, adapter=adapter)
            finally:
                adapter.restore()
            points.append({"lr": lr, "lamb": lamb, "ppl": ppl(scored.nll, scored.tokens)})
    best, record = search_record(valid, plain.tokens, plain.nll, points)
    return replace(options, lr=best["lr"], lamb=best["lamb"]), record


def search_record(
    valid: Text, tokens: int, model_nll: float, points: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The grid's best point, and what results.json records of a search."""
    best = min(points, key=rank)
    record = {
        "path": str(valid.path),
        "tokens_scored": tokens,
        "model_ppl": ppl(model_nll, tokens),
        "grid": points,
        "best": best,
    }
    return best, record
