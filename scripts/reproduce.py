"""The published and measured perplexities of a preset run (scripts/reproduce.sh calls this).

    python scripts/reproduce.py published NAME
    python scripts/reproduce.py compare NAME RUN_DIR [--seconds S]

``published`` prints the published figures of experiment preset NAME (from
scripts/published.yaml, the one place they are written); ``compare`` prints them beside the
run's ``metrics.json`` and writes ``RUN_DIR/reproduction.json`` (preset, corpus, published and
measured perplexities, wall time, machine).  Exit status 2 with one line when the run has no
metrics.json or NAME is not a preset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PUBLISHED = HERE / "published.yaml"
PRESETS = HERE.parent / "conf" / "experiment"
PROG = "reproduce"


class Failure(Exception):
    """One line for the user, exit status 2."""


def published(name: str) -> dict:
    """The entry of ``name`` in published.yaml ({} when it has none)."""
    if not (PRESETS / f"{name}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in PRESETS.glob("*.yaml")))
        raise Failure(f"{name} is not an experiment preset (conf/experiment: {known})")
    table = yaml.safe_load(PUBLISHED.read_text(encoding="utf-8")) or {}
    return dict(table.get(name) or {})


def ppl(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "n/a"


def describe(name: str, entry: dict) -> list[str]:
    if not entry:
        return [f"{PROG}: {name}: no published figure (scripts/published.yaml has no entry)"]
    lines = [
        f"{PROG}: {name}: published valid {ppl(entry.get('valid'))}, test "
        f"{ppl(entry.get('test'))} on {entry.get('corpus', '?')}; "
        f"source: {entry.get('source', '?')}"
    ]
    if entry.get("note"):
        lines.append(f"{PROG}: note: {entry['note']}")
    return lines


def machine(run_dir: Path) -> str:
    """Host, CPU model and, for a GPU run, the GPU's name (nvidia-smi)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [platform.node(), f"{cpu}, {os.cpu_count()} cores"]
    config = run_dir / ".hydra" / "config.yaml"
    cfg = yaml.safe_load(config.read_text()) if config.is_file() else {}
    accelerator = str((cfg.get("trainer") or {}).get("accelerator", "?"))
    threads = cfg.get("threads")
    if accelerator in ("gpu", "cuda", "auto"):
        try:
            gpus = subprocess.run(
                ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=20,
                check=True,
            ).stdout.split("\n")
            parts.append(f"GPU {gpus[0].strip()}" if gpus[0].strip() else "no GPU")
        except (OSError, subprocess.SubprocessError):
            parts.append("no GPU found")
    parts.append(f"accelerator={accelerator}, threads={threads}")
    return "; ".join(parts)


def compare(name: str, run_dir: Path, seconds: float | None) -> dict:
    entry = published(name)
    metrics_file = run_dir / "metrics.json"
    if not metrics_file.is_file():
        raise Failure(f"{metrics_file} does not exist: the run did not finish")
    metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
    measured = {"valid": metrics.get("val/ppl"), "test": metrics.get("test/ppl")}
    result = {
        "preset": name,
        "run_dir": str(run_dir),
        "published": {k: entry.get(k) for k in ("corpus", "valid", "test", "source", "note")},
        "measured": {
            **measured,
            "corpus": metrics.get("data/corpus"),
            "epochs": metrics.get("epochs"),
            "global_step": metrics.get("global_step"),
        },
        "wall_seconds": seconds,
        "machine": machine(run_dir),
    }
    gap = ""
    pub, got = entry.get("test"), measured["test"]
    if isinstance(pub, (int, float)) and isinstance(got, (int, float)):
        gap = f" ({100 * (got - pub) / pub:+.1f}% vs published)"
        result["test_gap_percent"] = round(100 * (got - pub) / pub, 2)
    print("\n".join(describe(name, entry)))
    wall = f", wall time {format_seconds(seconds)}" if seconds is not None else ""
    print(
        f"{PROG}: {name}: measured  valid {ppl(measured['valid'])}, test {ppl(got)}{gap} on "
        f"{metrics.get('data/corpus', '?')} after {metrics.get('epochs', '?')} epochs, "
        f"{metrics.get('global_step', '?')} steps{wall}"
    )
    print(f"{PROG}: machine: {result['machine']}")
    (run_dir / "reproduction.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m {secs:02d}s" if hours else f"{minutes}m {secs:02d}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reproduce.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("published").add_argument("name")
    cmp = sub.add_parser("compare")
    cmp.add_argument("name")
    cmp.add_argument("run_dir", type=Path)
    cmp.add_argument("--seconds", type=float, default=None, help="the run's wall time")
    args = parser.parse_args(argv)
    try:
        if args.command == "published":
            print("\n".join(describe(args.name, published(args.name))))
        else:
            compare(args.name, args.run_dir, args.seconds)
    except Failure as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
