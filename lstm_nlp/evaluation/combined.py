"""``benchmarks=all``: one table for every set evaluated (``OUT/results.md``/``results.json``);
each set's own results are in ``OUT/<set>/``."""

from __future__ import annotations

from pathlib import Path

from lstm_nlp.atomic import write_json, write_text

HEADER = ["set", "source", "group", "value", "n", "accuracy", "published LSTM", "excluded"]
TOP_GROUPS = 2  # a set's first own groups (category, condition, ...; not file) go in the table


def combined_rows(summaries: dict[str, dict]) -> list[list[str]]:
    """Per set: the overall row (SyntaxGym: the SG score), then its own first groups."""
    rows = []
    for name, s in summaries.items():
        rows.append(_row(name, s["source"], "overall", "", s["overall"]))
        for group in [g for g in s["groups"] if g != "file"][:TOP_GROUPS]:
            for value, stats in s["groups"][group].items():
                rows.append(_row(name, s["source"], group, value, stats))
    return rows


def _row(name: str, source: str, group: str, value: str, stats: dict) -> list[str]:
    acc = "-" if stats["accuracy"] is None else f"{stats['accuracy']:.3f}"
    published = stats.get("published")
    cell = f"{published['value']:.3f}" if published else ""
    return [name, source, group, value, str(stats["n"]), acc, cell, str(stats["excluded"])]


def write_combined(out: Path, summaries: dict[str, dict], checkpoint: str) -> str:
    """Write the table; return it as aligned text for the terminal."""
    rows = combined_rows(summaries)
    write_json(out / "results.json", {"checkpoint": checkpoint, "sets": summaries})
    lines = ["# Accuracy on every set", "", f"- checkpoint: `{checkpoint}`", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    lines += ["", "Each set's groups, sources of the published figures, coverage and"]
    lines += ["contamination: `<set>/results.md`."]
    write_text(out / "results.md", "\n".join(lines) + "\n")
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [HEADER, *rows]
    )
