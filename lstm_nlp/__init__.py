"""lstm-nlp: a plugin-based NLP training framework for LSTM models.

From Python (``import lstm_nlp`` imports neither torch nor Lightning; they come with the first
use)::

    import lstm_nlp

    metrics = lstm_nlp.train(["encoder.hidden_size=64"], run_dir="runs/small")
    lm = lstm_nlp.load("runs/small")        # a checkpoint, a run directory or an exported folder
    lm.logprobs("the keys to the cabinet are here")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from lstm_nlp.api.loading import load
    from lstm_nlp.api.training import train

_LAZY = {"load": "lstm_nlp.api.loading", "train": "lstm_nlp.api.training"}  # name -> its module

__all__ = ["__version__", "load", "train"]


def __getattr__(name: str) -> Any:
    """``lstm_nlp.load`` and ``lstm_nlp.train``, imported on first use (PEP 562)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lstm_nlp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
