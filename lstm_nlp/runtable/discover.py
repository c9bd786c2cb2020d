"""Which folders under a folder are runs.

A run folder holds at least one of :data:`MARKERS` (what ``lstm-nlp-train`` writes into its
``run_dir``).  A run's own subfolders (``logs/``, ``checkpoints/``, ...) are not searched, nor are
hidden folders (``.hydra/``, ``.submitit/``); a sweep's parent folder, which holds only
``multirun.yaml`` and its members, is searched and is not a run itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

MARKERS = ("metrics.json", ".hydra/config.yaml", "checkpoints", "commands.jsonl")
NUMBER = re.compile(r"(\d+)")


def is_run_dir(path: Path) -> bool:
    """Whether ``path`` holds one of :data:`MARKERS`."""
    return any((path / marker).exists() for marker in MARKERS)


def natural_key(text: str) -> tuple:
    """Sort key that puts ``2`` before ``10`` (sweep members are numbered)."""
    return tuple(int(p) if p.isdigit() else p for p in NUMBER.split(text))


def find_runs(root: Path, members_only: bool = False) -> list[Path]:
    """The run folders under ``root`` in natural order of their paths: ``[root]`` when ``root``
    is a run itself, unless ``members_only`` (a sweep's folder: only the runs below it).
    Symbolic links to folders are not followed."""
    root = Path(root)
    if is_run_dir(root) and not members_only:
        return [root]
    found: list[Path] = []
    for folder, subfolders, _ in os.walk(root):
        here = Path(folder)
        if here != root and is_run_dir(here):
            found.append(here)
            subfolders.clear()  # a run's logs/, checkpoints/, ... are not runs
            continue
        subfolders[:] = [s for s in subfolders if not s.startswith(".")]
    return sorted(found, key=lambda p: natural_key(p.relative_to(root).as_posix()))
