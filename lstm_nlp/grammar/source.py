"""The ``grammar`` data source (``data=grammar``): generate once into the cache, then reuse.

Config keys (all optional): ``seed``, ``train_sentences``, ``valid_sentences``,
``test_sentences``, ``max_attractors``, ``plural_prob``, ``present_prob``,
``adjective_prob``, ``zipf_exponent``, ``max_lemmas``, ``construction_mix`` (see
:class:`lstm_nlp.grammar.params.GrammarParams`) and ``cache_dir``.  The corpus lives in
``<cache>/grammar/<digest>/`` where the digest covers the parameters and
``GENERATOR_VERSION``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import atomic_dir
from lstm_nlp.errors import DataError
from lstm_nlp.grammar.params import params_from_config
from lstm_nlp.grammar.writer import write_corpus
from lstm_nlp.paths import cache_dir
from lstm_nlp.text.corpus import SPLITS, CorpusFiles


def corpus_folder(cfg: Mapping[str, Any]) -> Path:
    """Where the corpus for ``cfg`` lives (whether or not it exists yet)."""
    override = cfg.get("cache_dir", None)
    return (
        cache_dir(str(override) if override else None)
        / "grammar"
        / params_from_config(cfg).digest()
    )


def grammar_corpus(cfg: Mapping[str, Any]) -> CorpusFiles:
    params = params_from_config(cfg)
    root = corpus_folder(cfg)
    if not _complete(root):
        with atomic_dir(root) as tmp:
            write_corpus(tmp, params)
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


def _complete(root: Path) -> bool:
    return all((root / f"{s}{ext}").is_file() for s in SPLITS for ext in (".txt", ".jsonl"))
