"""Evaluation sources of our own formats (``lstm-nlp-eval source=NAME path=PATH``), and
``source=auto``.

A source is registered on ``EVAL_SOURCES`` with its options dataclass (a
:class:`~lstm_nlp.evaluation.testset.SourceOptions`) and a reader ``read(options, path) ->
TestSet`` (a plain ``list[PairItem]`` is accepted too).  The readers of the field's published
sets, each in its native format, are in :mod:`lstm_nlp.evaluation.readers`; plugins add sources
for other formats the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.evaluation.pairs import SUFFIXES, read_pairs
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

SUITES_SUMMARY = "summary.json"  # what lstm-nlp-suites writes beside its files


@EVAL_SOURCES.component("pairs", "lstm_nlp.evaluation.sources:read_pair_files")
@dataclass
class PairFilesOptions(SourceOptions):
    """``source=pairs``: minimal pairs in JSONL (BLiMP's sentence_good/sentence_bad, or
    prefix/good/bad) or TSV with a header row; a folder means each .jsonl/.tsv file in it."""

    protocol = "plain"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        return path.suffix in SUFFIXES or (
            path.is_dir() and any(p.suffix in SUFFIXES for p in path.iterdir())
        )


def read_pair_files(options: PairFilesOptions, path: str | os.PathLike) -> TestSet:
    return TestSet(read_pairs(path), name="pairs")


@EVAL_SOURCES.component("suites", "lstm_nlp.evaluation.sources:read_suites")
@dataclass
class SuitesOptions(SourceOptions):
    """``source=suites``: a folder written by lstm-nlp-suites (one JSONL of minimal pairs per
    category, and summary.json); accuracy per category and per number of attractors."""

    protocol = "plain"

    group_by = ("category", "category+attractors")

    @classmethod
    def recognises(cls, path: Path) -> bool:
        return path.is_dir() and (path / SUITES_SUMMARY).is_file()


def read_suites(options: SuitesOptions, path: str | os.PathLike) -> TestSet:
    return TestSet(read_pairs(path), name="suites")


@EVAL_SOURCES.component("auto", "lstm_nlp.evaluation.detect:read_auto")
@dataclass
class AutoOptions(SourceOptions):
    """``source=auto``: recognise the set's format by its files (each source's own test)."""
