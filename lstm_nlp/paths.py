"""Where lstm-nlp keeps files that outlive a run (token caches, generated corpora)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """The cache root: ``override``, else ``$LSTM_NLP_CACHE``, else ``$XDG_CACHE_HOME/lstm-nlp``."""
    if override:
        return Path(override).expanduser()
    if os.environ.get("LSTM_NLP_CACHE"):
        return Path(os.environ["LSTM_NLP_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lstm-nlp"
