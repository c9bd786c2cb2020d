"""A diverged run, said as such: which step, which figure, which value.

A perplexity is *diverged* when it is not finite (``exp`` of a loss above ~88.7 overflows in
fp32; a nan loss) or when it is more than :data:`TIMES_UNIFORM` times that of guessing uniformly
among the vocabulary's words (an untrained model is near 1 time).  The run's validations (the
run report's history) are searched for the first such value; the final figures (the best
checkpoint's) are checked too.  ``metrics.json`` keeps its figures as they are and gets
``diverged/step``, ``diverged/metric`` and ``diverged/value``; the console gets one line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

TIMES_UNIFORM = 10.0


def is_diverged(value: Any, vocab_size: int | None) -> bool:
    """Whether a perplexity (a number, ``None`` or ``"inf"``/``"nan"`` for a non-finite one) is
    diverged."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return True
    return not math.isfinite(number) or bool(vocab_size and number > TIMES_UNIFORM * vocab_size)


def first_diverged(
    records: Iterable[Mapping[str, Any]], final: Mapping[str, Any], vocab_size: int | None
) -> dict[str, Any] | None:
    """``{"diverged/step", "diverged/metric", "diverged/value"}`` of the first diverged
    perplexity among the validations ``records`` (``{"step": ..., "val/ppl": ...}``, ``None`` for a
    non-finite value), else among the ``final`` figures (at ``final["global_step"]``); None."""
    found = [
        (record.get("step"), key, value)
        for record in records
        for key, value in record.items()
        if key.endswith("/ppl") and is_diverged(value, vocab_size)
    ]
    found += [
        (final.get("global_step"), key, value)
        for key, value in final.items()
        if key.endswith("/ppl") and "/" not in key[:-4] and is_diverged(value, vocab_size)
    ]
    if not found:
        return None
    step, key, value = found[0]
    return {"diverged/step": step, "diverged/metric": key, "diverged/value": shown(value)}


def shown(value: Any) -> float | str:
    """A finite value as it is; ``"inf"``/``"nan"`` (JSON holds no infinity) otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "inf"  # the history keeps a non-finite value as null
    return number if math.isfinite(number) else str(number)


def diverged_line(info: Mapping[str, Any], vocab_size: int | None) -> str:
    """``diverged at step 20: val/ppl 4.023e+24 ...``, for the console."""
    value = info["diverged/value"]
    text = f"{value:.4g}" if isinstance(value, float) else value
    bound = (
        f" (over {TIMES_UNIFORM:g} times a uniform guess among {vocab_size:,} words)"
        if vocab_size and isinstance(value, float)
        else ""
    )
    return (
        f"diverged at step {info['diverged/step']}: {info['diverged/metric']} {text}{bound}; "
        "lower optim.lr or clip gradients (trainer.gradient_clip_val)"
    )
