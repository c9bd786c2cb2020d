"""``lstm-nlp-ppl``'s results as a table (printed, and in ``results.md``) and as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLUMNS = (  # (header, key, format)
    ("tokens", "tokens", "{:,}"),
    ("scored", "tokens_scored", "{:,}"),
    ("OOV", "oov_rate", "{:.2%}"),
    ("ppl", "ppl", "{:.2f}"),
    ("bits/word", "bits_per_word", "{:.3f}"),
    ("model alone", "model_ppl", "{:.2f}"),
    ("dynamic alone", "dynamic_ppl", "{:.2f}"),
)


def cell(value: Any, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def table(results: dict[str, Any]) -> str:
    """One row per file, and the total for more than one (a Markdown table)."""
    files = results["files"]
    columns = [c for c in COLUMNS if c[1] in files[0]]
    rows = [(r["file"], r) for r in files]
    if len(files) > 1:
        rows.append(("total", results["total"]))
    lines = [
        "| file | " + " | ".join(c[0] for c in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, row in rows:
        lines.append(f"| {name} | " + " | ".join(cell(row.get(k), f) for _, k, f in columns) + " |")
    return "\n".join(lines)


def settings(results: dict[str, Any]) -> list[str]:
    """What was used: windows, the cache's and dynamic evaluation's settings, the searches."""
    lines = [f"batch_size {results['batch_size']}, bptt {results['bptt']}"]
    cache, dyn = results["cache"], results["dynamic"]
    if cache:
        lines.append(
            f"cache: window {cache['window']}, theta {cache['theta']:g}, "
            f"lambdah {cache['lambdah']:g}" + searched(cache)
        )
    if dyn:
        line = f"dynamic ({dyn['method']}): lr {dyn['lr']:g}, lamb {dyn['lamb']:g}"
        if dyn.get("statistics"):
            st = dyn["statistics"]
            line += f", epsilon {dyn['epsilon']:g}; RMS gradients of {st['tokens']:,} tokens of "
            line += f"{st['path']} ({st['windows']:,} windows of {st['batch_size']}x{st['bptt']})"
        lines.append(line + searched(dyn))
    return lines


def searched(method: dict[str, Any]) -> str:
    search = method.get("search")
    if not search:
        return ""
    worse = search["best"]["ppl"] >= search["model_ppl"]
    return (
        f" (chosen on {search['path']}: {len(search['grid'])} settings, ppl "
        f"{search['model_ppl']:.2f} -> {search['best']['ppl']:.2f}"
        + ("; no setting beat the model alone there)" if worse else ")")
    )


def search_tables(results: dict[str, Any]) -> list[str]:
    """Every point of each search (for ``results.md``)."""
    out = []
    for group, keys in (("cache", ("theta", "lambdah")), ("dynamic", ("lr", "lamb"))):
        search = (results[group] or {}).get("search")
        if not search:
            continue
        out += [
            "",
            f"{group} search on {search['path']} ({search['tokens_scored']:,} tokens scored; "
            f"the model alone: {search['model_ppl']:.2f})",
            "",
            f"| {keys[0]} | {keys[1]} | ppl |",
            "|---:|---:|---:|",
        ]
        out += [f"| {p[keys[0]]:g} | {p[keys[1]]:g} | {p['ppl']:.2f} |" for p in search["grid"]]
    return out


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# Perplexity of {results['path']}",
        "",
        f"checkpoint: {results['checkpoint']}",
        "",
        *settings(results),
        "",
        table(results),
        *search_tables(results),
    ]
    return "\n".join(lines) + "\n"


def write_results(out: Path, results: dict[str, Any]) -> None:
    from lstm_nlp.atomic import write_json, write_text

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    write_text(out / "results.md", markdown(results))
