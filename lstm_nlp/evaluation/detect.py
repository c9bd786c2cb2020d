"""``source=auto`` and ``benchmarks=all``: which source reads a path, and which sets a folder
holds.

Every registered source but ``auto`` is asked (its options class's ``recognises``): first
``suites`` (a folder with lstm-nlp-suites' summary.json is ours whatever its JSONL looks like),
then the specific formats, the general ``pairs`` (any .jsonl/.tsv) last, so BLiMP's folder is
read as BLiMP, not as plain pairs.
"""

from __future__ import annotations

import os
from pathlib import Path

from lstm_nlp.errors import DataError
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

FIRST = ("suites",)  # asked first: recognised by a file only we write
GENERAL = ("pairs",)  # asked last


def detect_source(path: Path) -> str | None:
    """The name of the first source that recognises ``path``, or None."""
    names = [n for n in EVAL_SOURCES.names() if n != "auto"]
    for name in sorted(names, key=lambda n: (n not in FIRST, n in GENERAL, n)):
        schema = EVAL_SOURCES.schema(name)
        if isinstance(schema, type) and issubclass(schema, SourceOptions):
            if schema.recognises(path):
                return name
    return None


def source_for(name: str, path: Path, key: str = "path") -> str:
    """``name``, or for ``auto`` the source that recognises ``path`` (a one-line error naming the
    config ``key`` if none does)."""
    if name != "auto":
        return name
    if not path.exists():
        raise DataError(f"{key}: {str(path)!r} does not exist")
    found = detect_source(path)
    if found is None:
        raise DataError(
            f"{key}: {str(path)!r} is in no format source=auto knows (BLiMP, Marvin & Linzen, "
            "Gulordava, Linzen, Lakretz, SyntaxGym, JSONL/TSV pairs); name it with source=NAME"
        )
    return found


def find_sets(folder: Path) -> list[tuple[str, Path]]:
    """``benchmarks=all``: (source, path) of every set directly under ``folder``, by name."""
    if not folder.is_dir():
        raise DataError(f"path: benchmarks=all needs a folder, got {str(folder)!r}")
    found = []
    for child in sorted(folder.iterdir()):
        name = detect_source(child) if not child.name.startswith(".") else None
        if name is not None:
            found.append((name, child))
    if not found:
        raise DataError(f"path: no test set in a format source=auto knows under {str(folder)!r}")
    return found


def read_auto(options: SourceOptions, path: str | os.PathLike) -> TestSet:
    """Read ``path`` with the source that recognises it."""
    name = source_for("auto", Path(path).expanduser())
    return as_test_set(EVAL_SOURCES.get(name)(EVAL_SOURCES.options({"name": name}), path), name)


def as_test_set(read: TestSet | list, name: str) -> TestSet:
    """A reader's result as a :class:`TestSet` (a plugin's reader may return a plain list)."""
    test_set = read if isinstance(read, TestSet) else TestSet(list(read))
    test_set.name = test_set.name or name
    test_set.info.setdefault("source", name)
    return test_set
