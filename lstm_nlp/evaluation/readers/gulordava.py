"""``source=gulordava``: Gulordava et al. 2018's "colorless green" agreement set, as their
repository (facebookresearch/colorlessgreenRNNs, ``data/agreement/LANG/``) has it.

A folder with ``generated.text``, ``generated.gold`` and optionally ``generated.eval``
(:mod:`~lstm_nlp.evaluation.readers.stream`), or the ``.gold`` file itself.  Each gold line
has 12 tab-separated columns: the pattern, the construction id, the sentence id (0: the
original treebank sentence, above 0: its nonce variants), the target index in the text line,
the target's POS and morphology, the correct form, the wrong form, the lemma, the cue's index
and POS, and a context column (English: the original sentence up to its target; Italian: the
construction's POS sequence), kept by no item.

In a nonce sentence the word at the target index is the nonce sentence's own verb, and the
two forms tested are another verb's (as the published files have it), so the word is checked
against the correct form for original sentences only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.readers.lines import existing, integer
from lstm_nlp.evaluation.readers.stream import (
    StreamFiles,
    check_eval,
    gold_rows,
    looks_like_gold,
    target_item,
    text_words,
)
from lstm_nlp.evaluation.testset import SourceOptions, TestSet
from lstm_nlp.registry import EVAL_SOURCES

NAME = "generated"
COLUMNS = (
    "pattern, construction id, sentence id, target index, target POS, morphology, "
    "correct form, wrong form, lemma, cue index, cue POS, context"
)
N_COLUMNS = 12


@EVAL_SOURCES.component("gulordava", "lstm_nlp.evaluation.readers.gulordava:read")
@dataclass
class GulordavaOptions(SourceOptions):
    """``source=gulordava``: Gulordava et al. 2018's generated.text/.gold(/.eval) files (a
    folder, or the .gold file); original sentences and their nonce variants."""

    protocol: ClassVar[str] = "gulordava"
    group_by: ClassVar[tuple[str, ...]] = ("type", "pattern", "type+pattern")
    benchmark: ClassVar[str] = "gulordava"

    @classmethod
    def recognises(cls, path: Path) -> bool:
        if path.is_dir():
            return (path / f"{NAME}.gold").is_file() and (path / f"{NAME}.text").is_file()
        return looks_like_gold(path, N_COLUMNS)


def read(options: GulordavaOptions, path: str | os.PathLike) -> TestSet:
    """Every target of the set: prefix pairs over the set's text, in file order."""
    resolved = existing(path, "gulordava")
    files = StreamFiles.of(
        resolved / f"{NAME}.gold" if resolved.is_dir() else resolved, "gulordava"
    )
    text = text_words(files.text)
    rows = gold_rows(files, N_COLUMNS, COLUMNS, len(text))
    items = [_item(row, text[k], f"{files.gold}:{k + 1}", k) for k, row in enumerate(rows)]
    check_eval(files, [len((item.prefix or "").split()) for item in items])
    return TestSet(items, text=text, name="gulordava")


def _item(row: list[str], words: list[str], source: str, line: int) -> PairItem:
    pattern, construction, sentence, target, pos, morphology, good, bad, lemma, cue, cue_pos, _ = (
        row
    )
    sentence_id = integer(sentence, source, "sentence id", minimum=0)
    meta = {
        "pattern": pattern,
        "construction_id": integer(construction, source, "construction id", minimum=0),
        "sentence_id": sentence_id,
        "type": "original" if sentence_id == 0 else "nonce",
        "target_pos": pos,
        "morphology": morphology,
        "lemma": lemma,
        "cue_index": integer(cue, source, "cue index", minimum=0),
        "cue_pos": cue_pos,
    }
    index = integer(target, source, "target index", minimum=0)
    return target_item(
        words, index, (good, bad), source, line=line, meta=meta, check_word=sentence_id == 0
    )
