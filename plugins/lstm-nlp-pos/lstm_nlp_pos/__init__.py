"""lstm-nlp-pos: an example lstm-nlp plugin adding ``task=pos_tagging``, a bidirectional-LSTM POS
tagger.

lstm-nlp finds this package through its entry point (group ``lstm_nlp.plugins``, see
pyproject.toml) and calls :func:`register`.  Registration stores only an import path
and the task's config schema, so listing tasks never imports torch or Lightning; the model
code in :mod:`lstm_nlp_pos.task` is imported when ``task=pos_tagging`` is used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lstm_nlp.schema import option

__version__ = "0.1.0"

NAME = "pos_tagging"


@dataclass
class PosTaggingConfig:
    """The options of ``task=pos_tagging`` (override as task.KEY=VALUE); a schema: lstm-nlp checks
    each value's type and range before a run starts."""

    name: str = NAME
    batch_size: int = option(32, ge=1)  # sentences per training batch
    eval_batch_size: int = option(128, ge=1)  # sentences per validation/test batch
    embedding_dim: int = option(100, ge=1)
    dropout: float = option(0.3, ge=0.0, lt=1.0)  # on the embedded words and on the encoder output
    bidirectional: bool = option(
        True
    )  # build the encoder bidirectional whatever encoder.bidirectional says
    bucket: bool = option(True)  # batch sentences of similar length together (less padding)
    num_workers: int = option(0, ge=0)  # DataLoader worker processes


CONFIG = {
    k: v for k, v in asdict(PosTaggingConfig()).items() if k != "name"
}  # the Hydra node's defaults


def register() -> None:
    """Register ``pos_tagging`` in lstm-nlp's task registry (idempotent)."""
    from lstm_nlp.registry import TASKS

    if NAME not in TASKS:
        TASKS.register(
            NAME, "lstm_nlp_pos.task:build_task", config=PosTaggingConfig, origin="lstm-nlp-pos"
        )
