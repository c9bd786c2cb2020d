"""Plain-PyTorch model building blocks (no Lightning, no Hydra).

``from lstm_nlp.modules import LSTMEncoder`` works as usual; the names are imported on first use
(PEP 562), so that reading the encoders' options (:mod:`lstm_nlp.modules.options`) does not
import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "AdaptiveHead": "adaptive_head",
    "default_cutoffs": "adaptive_head",
    "LockedDropout": "dropout",
    "embedding_dropout": "dropout",
    "LMHead": "lm_head",
    "LSTMEncoder": "lstm_encoder",
    "MogrifierLSTM": "mogrifier_lstm",
    "ReferenceLSTM": "reference_lstm",
    "hidden_weight_names": "weight_drop",
    "weight_drop_forward": "weight_drop",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'lstm_nlp.modules' has no attribute {name!r}")
    return getattr(importlib.import_module(f"lstm_nlp.modules.{_WHERE[name]}"), name)
