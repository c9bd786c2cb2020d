"""What a folder holds (its paths, and where its links point), to undo what a failed command
added to it: the new files and folders go, the links it re-pointed point back.

Only names are kept, never contents: a failed command must not have rewritten any file that was
there (the runner writes its own files only once training starts), and this takes back what
loggers and data preparation add before that (``logs/version_N/``, an event file, ``wandb/``'s
``latest-run`` link, ``tokenizer.json`` and ``labels.json`` of a new run).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DirState:
    root: Path
    paths: set[str] = field(default_factory=set)  # relative to root, folders included
    links: dict[str, str] = field(default_factory=dict)  # relative path -> target

    @classmethod
    def take(cls, root: Path) -> DirState:
        state = cls(root)
        for path in walk(root):
            name = str(path.relative_to(root))
            state.paths.add(name)
            if path.is_symlink():
                state.links[name] = os.readlink(path)
        return state

    def undo(self) -> None:
        """Remove what was added under ``root`` since :meth:`take`; re-point moved links."""
        for path in walk(
            self.root, prune=lambda p: str(p.relative_to(self.root)) not in self.paths
        ):
            name = str(path.relative_to(self.root))
            if name not in self.paths:
                remove(path)
            elif name in self.links and os.readlink(path) != self.links[name]:
                path.unlink()
                path.symlink_to(self.links[name])


def walk(root: Path, prune: Callable[[Path], bool] = lambda path: False) -> list[Path]:
    """Every path under ``root`` (links not followed), a folder before what it holds; the
    contents of a folder ``prune`` accepts are left out (the folder itself is listed)."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        for name in [*dirs, *files]:
            found.append(base / name)
        dirs[:] = [d for d in dirs if not prune(base / d)]  # links: os.walk never follows them
    return found


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
