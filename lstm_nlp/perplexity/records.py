"""The records ``lstm-nlp-ppl`` writes: one per text, the total over a folder, and each
method's settings as used (with its search and statistics)."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from lstm_nlp.perplexity.options import CacheOptions, DynamicOptions
from lstm_nlp.perplexity.search import ppl
from lstm_nlp.perplexity.texts import Text

LN2 = math.log(2)


def counts(text: Text, scored: int, nll: float) -> dict[str, Any]:
    """One text's record: its tokens and words, and ``nll`` (summed over ``scored`` targets) as
    mean loss, perplexity and bits per word."""
    return {
        "file": text.path.name,
        "path": str(text.path),
        "tokens": int(len(text.ids)),
        "words": text.words,
        "oov": text.oov,
        "oov_rate": text.oov_rate,
        "tokens_scored": scored,
        "nll": nll,
        "loss": nll / scored,
        "ppl": ppl(nll, scored),
        "bits_per_word": nll / scored / LN2,
    }


def total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The files together: perplexity over all their scored tokens (token-weighted)."""
    sums = {k: sum(r[k] for r in rows) for k in ("tokens", "words", "oov", "tokens_scored", "nll")}
    scored, nll = sums["tokens_scored"], sums["nll"]
    out = {
        **sums,
        "files": len(rows),
        "oov_rate": sums["oov"] / sums["words"] if sums["words"] else None,
        "loss": nll / scored,
        "ppl": ppl(nll, scored),
        "bits_per_word": nll / scored / LN2,
    }
    for key in ("model_ppl", "dynamic_ppl"):
        if all(key in r for r in rows):  # back to summed nll, weighted by tokens
            log = sum(math.log(r[key]) * r["tokens_scored"] for r in rows)
            out[key] = math.exp(log / scored)
    return out


def method_record(options: CacheOptions | DynamicOptions, records: dict, group: str) -> dict | None:
    """A method's settings as used (None when off), its search and statistics."""
    if not options.on:
        return None
    keep = ("window", "theta", "lambdah") if group == "cache" else ("method", "lr", "lamb")
    out = {k: v for k, v in asdict(options).items() if k in keep}
    if group == "dynamic" and options.method == "rms":
        out["epsilon"] = options.epsilon
        out["statistics"] = records.get("stats")
    if f"{group}_search" in records:
        out["search"] = records[f"{group}_search"]
    return out
