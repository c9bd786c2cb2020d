"""lstm-nlp-pos: an example lstm-nlp plugin adding ``task=pos_tagging``, a bidirectional-LSTM POS
tagger.

lstm-nlp finds this package through its entry point (group ``lstm_nlp.plugins``, see
pyproject.toml) and calls :func:`register`.  Registration stores only an import path
and the task's config schema, so listing tasks never imports torch or Lightning; the model
code in :mod:`lstm_nlp_pos.task` is imported when ``task=pos_tagging`` is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.schema import Options, option

__version__ = "0.1.0"

NAME = "pos_tagging"


@dataclass
class PosTaggingConfig(Options):
    """``task=pos_tagging``: tag every word of a sentence with a bidirectional LSTM (the POS tags
    of the embedded corpus, or ``data=text`` folders with ``.jsonl`` annotations)."""

    batch_size: int = option(32, ge=1, help="sentences per training batch")
    eval_batch_size: int = option(128, ge=1, help="sentences per validation/test batch")
    embedding_dim: int = option(100, ge=1, help="word embedding size")
    dropout: float = option(0.3, ge=0.0, lt=1.0, help="on the embedded words and encoder output")
    bidirectional: bool = option(
        True, help="build the encoder bidirectional, whatever encoder says"
    )
    bucket: bool = option(True, help="batch sentences of similar length together (less padding)")
    num_workers: int = option(0, ge=0, help="DataLoader worker processes")


def register() -> None:
    """Register ``pos_tagging`` in lstm-nlp's task registry (idempotent)."""
    from lstm_nlp.registry import TASKS

    if NAME not in TASKS:
        TASKS.register(
            NAME, "lstm_nlp_pos.task:build_task", config=PosTaggingConfig, origin="lstm-nlp-pos"
        )
