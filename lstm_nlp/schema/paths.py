"""What a path option may be, checked before a command writes anything: an output folder or file
that is not empty, not the other kind of thing already, and not one of the command's inputs.

Only what is on disk now is judged (a path that does not exist yet is fine where its nearest
existing parent is a folder), so the checks are cheap and safe to run before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lstm_nlp.errors import ConfigError


def expanded(value: str | os.PathLike) -> Path:
    return Path(value).expanduser()


def check_not_empty(key: str, value: str | None, what: str) -> None:
    """``key=`` (an empty or blank path) would mean the current folder or nothing at all."""
    if value is not None and not str(value).strip():
        raise ConfigError(f"{key} is empty: give {what} (e.g. {key}=out), or leave the default")


def check_parents(key: str, path: Path) -> None:
    """The nearest existing parent of ``path`` must be a folder (``out=FILE/x`` cannot be made)."""
    for parent in path.parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise ConfigError(
                    f"{key}: {str(path)!r} cannot be made: {str(parent)!r} is a file, not a folder"
                )
            return


def check_folder(key: str, value: str | None) -> None:
    """An output or cache folder: not empty, not an existing file, its parents folders."""
    if value is None:
        return
    check_not_empty(key, value, "a folder")
    path = expanded(value)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{key}: {str(path)!r} is a file; {key} must be a folder")
    check_parents(key, path)


def check_file(key: str, value: str | None) -> None:
    """An output file: not empty, not an existing folder, its parents folders."""
    if value is None:
        return
    check_not_empty(key, value, "a file name")
    path = expanded(value)
    if path.is_dir():
        raise ConfigError(f"{key}: {str(path)!r} is a folder; {key} must be a file name")
    check_parents(key, path)


def same_path(a: Path, b: Path) -> bool:
    """Whether two paths name the same place (through links and ``..``; existing or not)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        return False
    return a.resolve() == b.resolve()


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` lies in the existing folder ``folder`` (through links)."""
    try:
        return folder.is_dir() and path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def is_run_directory(path: Path) -> bool:
    """A folder laid out as lstm-nlp-train leaves a run (``checkpoints/`` or ``.hydra/``)."""
    return path.is_dir() and ((path / "checkpoints").is_dir() or (path / ".hydra").is_dir())


def check_not_an_input(key: str, value: str | None, inputs: Mapping[str, Path]) -> None:
    """An output that is one of the command's inputs, or lies in an input run directory, would
    change what the command reads (and the run's record)."""
    if value is None or not str(value).strip():
        return
    out = expanded(value)
    for name, path in inputs.items():
        if same_path(out, path):
            raise ConfigError(
                f"{key}: {str(out)!r} is the command's input {name}; writing there would "
                f"overwrite it: choose another {key}"
            )
    for name, path in inputs.items():
        if is_run_directory(path) and inside(out, path):
            raise ConfigError(
                f"{key}: {str(out)!r} is inside the run directory {str(path)!r} the command "
                f"reads ({name}); writing there would change the run: choose another {key}"
            )
