"""The ``grammar`` data source (``data=grammar``, the default): generate once into the cache,
then reuse.

The corpus lives in ``<cache_dir>/grammar/<digest>/``, where the digest covers the generator
parameters (:class:`~lstm_nlp.grammar.params.GrammarParams`) and ``GENERATOR_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.atomic import atomic_dir
from lstm_nlp.errors import DataError
from lstm_nlp.grammar.params import GrammarParams, params_of
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.registry import DATA_SOURCES
from lstm_nlp.text.cache_lock import entry_lock
from lstm_nlp.text.corpus import SPLITS, CorpusFiles
from lstm_nlp.text.sources import VocabularyOptions


@DATA_SOURCES.component("grammar", "lstm_nlp.grammar.source:grammar_corpus")
@dataclass
class GrammarDataOptions(VocabularyOptions, GrammarParams):
    """``data=grammar``: English-like sentences generated from a grammar with number and gender
    agreement (lstm_nlp/grammar), generated once into the cache; any change below makes a new
    corpus in its own cache folder."""


def corpus_folder(options: GrammarParams, cache_dir: Path | None = None) -> Path:
    """Where the corpus for ``options`` lives (whether or not it exists yet)."""
    return default_cache_dir(cache_dir) / "grammar" / params_of(options).digest()


def grammar_corpus(options: GrammarDataOptions, cache_dir: Path | None = None) -> CorpusFiles:
    params = params_of(options)
    root = corpus_folder(params, cache_dir)
    if not _complete(root):
        with entry_lock(root):  # concurrent runs (DDP ranks, sweep jobs): generated once
            if not _complete(root):
                _generate(root, params)
    if not _complete(root):  # a cached folder that lost files: atomic_dir keeps it as it is
        raise DataError(
            f"{root}: generated corpus is incomplete; delete this folder to regenerate it"
        )
    return CorpusFiles(
        root=root,
        splits={s: root / f"{s}.txt" for s in SPLITS},
        annotations={s: root / f"{s}.jsonl" for s in SPLITS},
        name="grammar",
    )


def _generate(root: Path, params: GrammarParams) -> None:
    from lstm_nlp.grammar.writer import write_corpus  # the generator: only to write

    with atomic_dir(root) as tmp:
        write_corpus(tmp, params)


def _complete(root: Path) -> bool:
    return all((root / f"{s}{ext}").is_file() for s in SPLITS for ext in (".txt", ".jsonl"))
