"""Plain-PyTorch model building blocks (no Lightning, no Hydra)."""

from lstm_nlp.modules.adaptive_head import AdaptiveHead, default_cutoffs
from lstm_nlp.modules.dropout import LockedDropout, embedding_dropout
from lstm_nlp.modules.lm_head import LMHead
from lstm_nlp.modules.lstm_encoder import LSTMEncoder
from lstm_nlp.modules.reference_lstm import ReferenceLSTM
from lstm_nlp.modules.weight_drop import hidden_weight_names, weight_drop_forward

__all__ = [
    "AdaptiveHead",
    "LMHead",
    "LSTMEncoder",
    "LockedDropout",
    "ReferenceLSTM",
    "default_cutoffs",
    "embedding_dropout",
    "hidden_weight_names",
    "weight_drop_forward",
]
