"""The ``hf`` data source (:mod:`lstm_nlp.text.hub_source`): the dataset's text, written once.

The text lives in ``<cache_dir>/hf/<digest>/{train,valid,test}.txt`` beside ``dataset.json``
(what it was made from, records per split); the digest covers the dataset's identity (path,
config, revision, column, splits) and, except when streaming, its splits' fingerprints, so a
changed dataset makes a new entry.  An entry is built once under its lock
(:mod:`lstm_nlp.text.cache_lock`) into a temporary folder renamed when complete
(:mod:`lstm_nlp.atomic`); the existing pipeline then makes its token streams like any corpus
folder's.  A streamed dataset has no fingerprint: its entry is found before the Hub is asked.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import atomic_dir
from lstm_nlp.errors import DataError
from lstm_nlp.paths import cache_dir as default_cache_dir
from lstm_nlp.text import hub_files
from lstm_nlp.text.cache_lock import entry_lock
from lstm_nlp.text.corpus import SPLITS, CorpusFiles
from lstm_nlp.text.hub_source import HubDataOptions

ENTRY_FORMAT = 1  # bump when what is written for the same dataset changes: a new cache entry
DESCRIPTION = "dataset.json"


def hub_corpus(options: HubDataOptions, cache_dir: Path | None = None) -> CorpusFiles:
    """The dataset's text, one file per split, from the cache (written there first if new)."""
    where = hub_files.locate(options)
    identity = {
        "format": ENTRY_FORMAT,
        "path": where.key,
        "config": options.config,
        "revision": options.revision,
        "text_field": options.text_field,
        "splits": [options.train_split, options.valid_split, options.test_split],
        "held_out": options.held_out,
        "streaming": options.streaming,
    }
    cache = default_cache_dir(cache_dir) / "hf"
    if options.streaming:  # no fingerprint to wait for: a written entry needs no Hub
        root = cache / digest(identity)
        if complete(root):
            return corpus_files(root, where.title)
    opened = hub_files.open_splits(options, where)
    if not options.streaming:
        identity["fingerprints"] = opened.fingerprints
    root = cache / digest(identity)
    if not complete(root):
        with entry_lock(root):  # concurrent runs (DDP ranks, sweep jobs): written once
            if not complete(root):
                write_entry(root, opened, options.text_field, identity)
    if not complete(root):  # a cached folder that lost files: atomic_dir keeps it as it is
        raise DataError(f"{root}: cached dataset text is incomplete; delete this folder")
    return corpus_files(root, where.title)


def write_entry(
    root: Path, opened: hub_files.OpenedSplits, field: str, identity: dict[str, Any]
) -> None:
    try:
        with atomic_dir(root) as tmp:
            records = hub_files.write_splits(opened, field, tmp)
            description = {**identity, "records": records, "datasets": opened.version}
            (tmp / DESCRIPTION).write_text(
                json.dumps(description, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
    except OSError as err:
        raise DataError(
            f"{root.parent}: cannot write the dataset's text there ({err.strerror or err}); set "
            "cache_dir=DIR to a folder with room for it"
        ) from None


def digest(identity: dict[str, Any]) -> str:
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def complete(root: Path) -> bool:
    return (root / DESCRIPTION).is_file() and all((root / f"{s}.txt").is_file() for s in SPLITS)


def corpus_files(root: Path, title: str) -> CorpusFiles:
    return CorpusFiles(root=root, splits={s: root / f"{s}.txt" for s in SPLITS}, name=title)
