"""Accuracy overall and per group, with 95% Wilson intervals and coverage; written as JSON and
markdown.

Groups: ``file`` when the items carry one (pairs read from a folder) and
``attractors`` when they carry that field, always; plus every ``group_by``
entry.  An entry is a metadata field (``category``) or several joined with
``+`` (``category+attractors``: one row per combination, values joined by
`` / ``).  Group values are written as JSON text (``2``, ``true``, ``agreement``);
an item without the field is in ``(missing)``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_nlp.atomic import write_json, write_text
from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.pairs import PairItem

if TYPE_CHECKING:
    from lstm_nlp.evaluation.scoring import ItemScore

Z95 = 1.959963984540054
DEFAULT_GROUPS = ("file", "attractors")
MISSING = "(missing)"
TOP_OOV = 50


def wilson(correct: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion ``correct / n`` (None when ``n == 0``)."""
    if n == 0:
        return None
    p, z2 = correct / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if correct == 0 else max(0.0, min(p, centre - half))  # exact at the extremes: the
    high = 1.0 if correct == n else min(1.0, max(p, centre + half))  # interval always holds p
    return low, high


def group_fields(items: Sequence[PairItem], group_by: Sequence[str] = ()) -> list[str]:
    """The groups to report: the defaults present in the items, then ``group_by`` (checked)."""
    present = {key for item in items for key in item.meta}
    groups = [g for g in DEFAULT_GROUPS if g in present]
    for spec in group_by:
        unknown = [f for f in spec.split("+") if f not in present]
        if unknown or not spec:
            fields = ", ".join(sorted(present)) or "none"
            raise ConfigError(
                f"group_by: no item has a field {unknown[0] if unknown else spec!r} "
                f"(metadata fields: {fields})"
            )
        if spec not in groups:
            groups.append(spec)
    return groups


def summarize(
    items: Sequence[PairItem], scores: Sequence[ItemScore], group_by: Sequence[str] = ()
) -> dict:
    """``{"overall": stats, "groups": {group: {value: stats}}, "coverage": ...}``; stats as
    :func:`stats`."""
    groups: dict[str, dict[str, Any]] = {}
    for spec in group_fields(items, group_by):
        keys = [group_value(item, spec) for item in items]
        values = sorted(set(keys), key=_natural)
        groups[spec] = {v: stats([s for s, key in zip(scores, keys) if key == v]) for v in values}
    return {"overall": stats(scores), "groups": groups, "coverage": coverage(scores)}


def stats(scores: Sequence[ItemScore]) -> dict[str, Any]:
    """Items scored (``n``), correct, accuracy and its 95% interval, items excluded."""
    scored = [s for s in scores if s.excluded is None]
    n, correct = len(scored), sum(bool(s.correct) for s in scored)
    ci = wilson(correct, n)
    return {
        "n": n,
        "correct": correct,
        "accuracy": correct / n if n else None,
        "ci95": list(ci) if ci else None,
        "excluded": len(scores) - n,
    }


def coverage(scores: Sequence[ItemScore]) -> dict[str, Any]:
    reasons = Counter(s.excluded for s in scores if s.excluded is not None)
    oov = Counter(w for s in scores for w in s.oov)
    return {
        "read": len(scores),
        "scored": len(scores) - sum(reasons.values()),
        "excluded": sum(reasons.values()),
        "excluded_by_reason": {r: reasons[r] for r in sorted(reasons)},
        "oov_types": len(oov),
        "oov_words": dict(oov.most_common(TOP_OOV)),
    }


def group_value(item: PairItem, spec: str) -> str:
    return " / ".join(_as_text(item.meta.get(f, MISSING)) for f in spec.split("+"))


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _natural(key: str) -> list:
    """Sort ``2`` before ``10`` and text alphabetically."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", key)
        if part
    ]


# -- writing --------------------------------------------------------------------------------
def write_results(
    out: Path, summary: dict, items: Sequence[PairItem], scores: Sequence[ItemScore]
) -> None:
    """``results.json``, ``results.md`` and ``items.jsonl`` in ``out``."""
    write_json(out / "results.json", summary)
    write_text(out / "results.md", markdown(summary))
    lines = [
        json.dumps(item_record(item, score), ensure_ascii=False)
        for item, score in zip(items, scores)
    ]
    write_text(out / "items.jsonl", "".join(line + "\n" for line in lines))


def item_record(item: Any, score: Any) -> dict[str, Any]:
    """One line of ``items.jsonl``: the item as read, then its scores (``score_good``,
    ``score_bad``, ``correct``, ... for a pair; ``predictions`` and ``regions`` for a SyntaxGym
    item)."""
    if not isinstance(item, PairItem):  # a SyntaxGym item: its conditions' sentences
        text = {"conditions": {n: c.sentence for n, c in item.conditions.items()}}
        result = {
            "correct": score.correct,
            "predictions": score.predictions,
            "regions": {c: {str(r): v for r, v in rs.items()} for c, rs in score.regions.items()},
            "oov": score.oov,
        }
        return {"source": item.source, **text, **item.meta, **result}
    text = (
        {"sentence_good": item.good, "sentence_bad": item.bad}
        if item.prefix is None
        else {"prefix": item.prefix, "good": item.good, "bad": item.bad}
    )
    result = {
        "score_good": score.good,
        "score_bad": score.bad,
        "correct": score.correct,
        "excluded": score.excluded,
        "compared": score.compared,
        "oov": score.oov,
        "tokens_good": score.good_tokens,
        "tokens_bad": score.bad_tokens,
    }
    return {"source": item.source, **text, **item.meta, **result}


def _fmt(s: dict) -> list[str]:
    acc = "-" if s["accuracy"] is None else f"{s['accuracy']:.3f}"
    ci = "-" if s["ci95"] is None else f"[{s['ci95'][0]:.3f}, {s['ci95'][1]:.3f}]"
    published = s.get("published")
    cell = f"{published['value']:.3f}" if published else ""
    return [str(s["n"]), acc, ci, str(s["excluded"]), cell]


def rows(summary: dict) -> list[list[str]]:
    """Table rows: group, value, n, accuracy, 95% CI, excluded, published LSTM accuracy."""
    out = [["overall", "", *_fmt(summary["overall"])]]
    for group, values in summary["groups"].items():
        out += [[group, value, *_fmt(s)] for value, s in values.items()]
    return out


HEADER = ["group", "value", "n", "accuracy", "95% CI", "excluded", "published LSTM"]


def markdown(summary: dict) -> str:
    cov = summary["coverage"]
    lines = ["# Accuracy", ""]
    for key in ("checkpoint", "path", "source"):
        if key in summary:
            lines.append(f"- {key}: `{summary[key]}`")
    if "protocol" in summary:
        lines.append(f"- protocol: {summary['protocol']['name']} ({summary['protocol']['paper']})")
    if "options" in summary:
        lines.append("- options: " + ", ".join(f"{k}={v}" for k, v in summary["options"].items()))
    reasons = ", ".join(f"{r} {n}" for r, n in cov["excluded_by_reason"].items()) or "none"
    lines += [
        f"- items: {cov['read']} read, {cov['scored']} scored, {cov['excluded']} excluded "
        f"({reasons})",
        "",
    ]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows(summary)
    ]
    lines += citations(summary)
    lines += extra_sections(summary)
    if cov["oov_words"]:
        lines += [
            "",
            "Words outside the vocabulary (count): "
            + ", ".join(f"`{w}` ({n})" for w, n in cov["oov_words"].items()),
        ]
    return "\n".join(lines) + "\n"


def text_table(summary: dict, max_rows: int = 40) -> str:
    """A plain aligned table for the terminal (long groups cut to ``max_rows`` rows)."""
    body = rows(summary)
    cut = len(body) - max_rows
    body = body[:max_rows]
    widths = [max(len(r[i]) for r in [HEADER, *body]) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [HEADER, *body]
    ]
    if cut > 0:
        lines.append(f"... {cut} more rows in results.md")
    return "\n".join(lines)


def citations(summary: dict) -> list[str]:
    """The published column's sources, one line each."""
    found = [summary["overall"].get("published")] + [
        stats.get("published") for values in summary["groups"].values() for stats in values.values()
    ]
    seen = dict.fromkeys((p["model"], p["citation"]) for p in found if p)
    if not seen:
        return []
    return ["", "Published LSTM figures:"] + [f"- {model}: {cite}" for model, cite in seen]


def extra_sections(summary: dict) -> list[str]:
    """Contamination and vocabulary coverage, when measured."""
    lines = []
    cont = summary.get("contamination")
    if cont:
        if cont.get("share") is None:
            lines += ["", f"Contamination: not measured ({cont.get('why', 'no training corpus')})"]
        else:
            lines += [
                "",
                f"Contamination: {cont['contaminated']} of {cont['sentences']} sentences "
                f"({cont['share']:.1%}) share an {cont['n']}-gram with the training corpus "
                f"({cont['corpus_words']:,} words).",
            ]
    vocab = summary.get("vocabulary")
    if vocab and vocab.get("token_share") is not None:
        lines += [
            "",
            f"Vocabulary coverage: {vocab['token_share']:.1%} of word tokens, "
            f"{vocab['type_share']:.1%} of word types.",
        ]
    return lines
