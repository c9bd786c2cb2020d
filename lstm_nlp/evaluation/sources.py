"""Evaluation sources (``lstm-nlp-eval source=NAME pairs=PATH``): readers of test sets.

A source is registered with its options dataclass and a reader ``read(options, path) ->
list[PairItem]`` that turns a file or folder in its own format into minimal pairs (each with its
metadata fields to group results by).  Plugins add sources for other formats the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lstm_nlp.evaluation.pairs import PairItem, read_pairs
from lstm_nlp.registry import EVAL_SOURCES
from lstm_nlp.schema import Options


@EVAL_SOURCES.component("pairs", "lstm_nlp.evaluation.sources:read_pair_files")
@dataclass
class PairFilesOptions(Options):
    """``source=pairs``: minimal pairs in JSONL (BLiMP's sentence_good/sentence_bad, or
    prefix/good/bad) or TSV with a header row; a folder means each .jsonl/.tsv file in it."""


def read_pair_files(options: PairFilesOptions, path: str | os.PathLike) -> list[PairItem]:
    return read_pairs(path)
