"""The ``text`` data source (``data=text data.path=DIR``), and the vocabulary options every
source shares.

A data source is registered with its options dataclass and a function
``source(options, cache_dir) -> CorpusFiles``; ``cache_dir`` is where it may keep what it makes
(the run's ``cache_dir``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import DATA_SOURCES
from lstm_nlp.schema import Options, option
from lstm_nlp.text.corpus import CorpusFiles, find_splits

ENCODING_ERRORS = ("strict", "replace", "ignore")


@dataclass
class VocabularyOptions(Options):
    """How the training split becomes a vocabulary, and how its bytes are read."""

    min_freq: int = option(1, ge=1, help="training words seen fewer times become <unk>")
    max_size: int | None = option(
        None, ge=4, help="cap on the vocabulary size, the three specials included; null: none"
    )
    lowercase: bool = option(False, help="lowercase every word first")
    encoding_errors: str = option(
        "strict", choices=ENCODING_ERRORS, help="undecodable bytes: an error, U+FFFD, or dropped"
    )


@DATA_SOURCES.component("text", "lstm_nlp.text.sources:text_folder")
@dataclass
class TextDataOptions(VocabularyOptions):
    """``data=text``: a corpus folder in the PTB/WikiText layout: train.txt valid.txt test.txt
    (or ptb.{train,valid,test}.txt, wiki.{train,valid,test}.tokens); one <eos> per line."""

    path: str = option("???", help="the corpus folder")


def text_folder(options: TextDataOptions, cache_dir: Path | None = None) -> CorpusFiles:
    path = options.path
    if not path or path == "???":
        raise ConfigError(
            "data.path is required with data=text: the folder holding train.txt, valid.txt, "
            "test.txt"
        )
    root = Path(str(path)).expanduser().resolve()
    splits = find_splits(root)
    annotations = {s: root / f"{s}.jsonl" for s in splits if (root / f"{s}.jsonl").is_file()}
    return CorpusFiles(root=root, splits=splits, annotations=annotations, name=root.name)


def vocabulary_settings(options: object) -> dict:
    """The :class:`VocabularyOptions` among a data source's options, as keyword arguments of
    :func:`lstm_nlp.text.prepare.prepare_corpus` (a plugin's source without them: the defaults)."""
    names = [f.name for f in fields(VocabularyOptions)]
    if isinstance(options, dict):
        return {k: options[k] for k in names if k in options}
    return {k: getattr(options, k) for k in names if hasattr(options, k)}
