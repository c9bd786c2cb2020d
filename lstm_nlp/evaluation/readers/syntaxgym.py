"""``source=syntaxgym``: SyntaxGym test suites (Hu et al. 2020), a suite JSON file or a folder.

A folder means every ``*.json`` file in it, sorted by name (the suites of the paper's
repository, ``test_suites/json``).  Each item of each suite is a
:class:`~lstm_nlp.evaluation.syntaxgym.suite.GymItem` whose metadata groups the results by
``suite`` and ``circuit``; the suites themselves (their predictions) are in
``TestSet.info["suites"]``, by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES
from lstm_nlp.schema import option

if TYPE_CHECKING:
    from lstm_nlp.evaluation.syntaxgym.suite import Suite

SNIFF_BYTES = 8192  # recognises(): how much of each file's start is read


@EVAL_SOURCES.component("syntaxgym", "lstm_nlp.evaluation.readers.syntaxgym:read")
@dataclass
class SyntaxGymOptions(SourceOptions):
    """``source=syntaxgym``: SyntaxGym suite JSON files (meta, region_meta, predictions, items);
    a folder means each .json file in it."""

    protocol: ClassVar[str] = "syntaxgym"
    group_by: ClassVar[tuple[str, ...]] = ("suite", "circuit")
    benchmark: ClassVar[str] = "syntaxgym"

    suites: list[str] = option(
        [], help="only the suites of these names (their meta.name); empty: every suite"
    )

    @classmethod
    def recognises(cls, path: Path) -> bool:
        """A .json file, or a folder of them, whose start names ``region_meta``."""
        path = Path(path)
        files = suite_files(path) if path.is_dir() else [path]
        return bool(files) and all(p.suffix == ".json" and _sniff(p) for p in files)


def read(options: SyntaxGymOptions, path: str | os.PathLike) -> TestSet:
    """Every item of the suite file, or of each suite file of the folder, in file order."""
    from lstm_nlp.evaluation.syntaxgym.suite import read_suite

    path = Path(path).expanduser()
    if path.is_dir():
        files = suite_files(path)
        if not files:
            raise DataError(f"syntaxgym: folder {str(path)!r} has no .json files")
    elif path.is_file():
        files = [path]
    else:
        raise DataError(f"syntaxgym: {str(path)!r} does not exist")
    suites: dict[str, Suite] = {}
    for file in files:
        suite = read_suite(file)
        if suite.name in suites:
            raise DataError(
                f"{file}: suite {suite.name!r} is also in {suites[suite.name].path} "
                "(meta.name must differ between the files)"
            )
        suites[suite.name] = suite
    suites = _chosen(suites, options.suites, path)
    items = [item for suite in suites.values() for item in suite.items]
    return TestSet(items=items, name="syntaxgym", info={"suites": suites})


def suite_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".json")


def _chosen(suites: dict[str, Suite], names: list[str], path: Path) -> dict[str, Suite]:
    unknown = [n for n in names if n not in suites]
    if unknown:
        raise ConfigError(
            f"source.suites: no suite {unknown[0]!r} in {path} (suites: {', '.join(suites)})"
        )
    return {n: s for n, s in suites.items() if not names or n in names}


def _sniff(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return b'"region_meta"' in f.read(SNIFF_BYTES)
    except OSError:
        return False
