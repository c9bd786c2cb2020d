"""The ``text`` data source: a corpus folder on disk (``data=text data.path=DIR``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError
from lstm_nlp.text.corpus import CorpusFiles, find_splits


def text_folder(cfg: Mapping[str, Any]) -> CorpusFiles:
    path = cfg.get("path")
    if not path or path == "???":
        raise ConfigError(
            "data.path is required with data=text: the folder holding train.txt, valid.txt, "
            "test.txt"
        )
    root = Path(str(path)).expanduser().resolve()
    splits = find_splits(root)
    annotations = {s: root / f"{s}.jsonl" for s in splits if (root / f"{s}.jsonl").is_file()}
    return CorpusFiles(root=root, splits=splits, annotations=annotations, name=root.name)
