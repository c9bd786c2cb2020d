"""lstm-nlp-pos: an example lstm-nlp plugin adding ``task=pos_tagging``, a bidirectional-LSTM POS tagger.

lstm-nlp finds this package through its entry point (group ``lstm_nlp.plugins``, see
pyproject.toml) and calls :func:`register`.  Registration stores only an import path
and the task's config, so listing tasks never imports torch or Lightning; the model
code in :mod:`lstm_nlp_pos.task` is imported when ``task=pos_tagging`` is used.
"""

from __future__ import annotations

__version__ = "0.1.0"

NAME = "pos_tagging"

# The Hydra node of ``task=pos_tagging`` (the registry adds ``name``); override as task.KEY=VALUE.
CONFIG = {
    "batch_size": 32,  # sentences per training batch
    "eval_batch_size": 128,  # sentences per validation/test batch
    "embedding_dim": 100,
    "dropout": 0.3,  # on the embedded words and on the encoder output
    "bidirectional": True,  # build the encoder bidirectional whatever encoder.bidirectional says
    "bucket": True,  # batch sentences of similar length together (less padding)
    "num_workers": 0,  # DataLoader worker processes
}


def register() -> None:
    """Register ``pos_tagging`` in lstm-nlp's task registry (idempotent)."""
    from lstm_nlp.registry import TASKS

    if NAME not in TASKS:
        TASKS.register(NAME, "lstm_nlp_pos.task:build_task", config=CONFIG, origin="lstm-nlp-pos")
