"""Write a generated corpus: ``{split}.txt`` (one sentence per line) beside ``{split}.jsonl``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import write_json, write_text
from lstm_nlp.grammar.generator import SentenceGenerator
from lstm_nlp.grammar.params import GENERATOR_VERSION, GrammarParams, make_params
from lstm_nlp.grammar.sentence import Sentence

PARAMS_FILE = "grammar.json"


def text_lines(sentences: list[Sentence]) -> str:
    return "".join(s.text() + "\n" for s in sentences)


def jsonl_lines(sentences: list[Sentence]) -> str:
    return "".join(json.dumps(s.record(), separators=(",", ":")) + "\n" for s in sentences)


def write_split(folder: Path, split: str, sentences: list[Sentence]) -> tuple[Path, Path]:
    text, annotations = folder / f"{split}.txt", folder / f"{split}.jsonl"
    write_text(text, text_lines(sentences))
    write_text(annotations, jsonl_lines(sentences))
    return text, annotations


def write_corpus(
    folder: str | os.PathLike, params: GrammarParams | None = None, **values: Any
) -> dict[str, tuple[Path, Path]]:
    """Generate train/valid/test into ``folder``; returns ``{split: (txt path, jsonl path)}``.

    Pass a :class:`GrammarParams` or its fields as keywords (``seed=3, train_sentences=500``).
    A ``grammar.json`` beside the splits records the parameters and generator version.
    """
    if params is None:
        params = make_params(**values)
    elif values:
        raise TypeError("write_corpus: pass either params or keyword parameters, not both")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gen = SentenceGenerator(params)
    paths = {
        split: write_split(folder, split, gen.corpus(n, stream=split))
        for split, n in params.split_sizes().items()
    }
    write_json(folder / PARAMS_FILE, {"generator_version": GENERATOR_VERSION, **params.as_dict()})
    return paths
