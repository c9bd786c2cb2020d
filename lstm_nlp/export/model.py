"""The language model without Lightning: embedding -> dropout -> encoder -> dropout -> decoder.

:class:`ExportedLanguageModel` has the weight names and the methods of
:class:`~lstm_nlp.tasks.language_model.LanguageModel` that scoring, generation and inspection use
(``encode``, ``forward``, ``generate``, ``embedding``, ``encoder``, ``decoder``, ``options``,
``tokenizer_json``), built from an exported ``config.json`` with plain ``torch.nn`` modules, so
every scorer of the project runs on it unchanged.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import torch
from torch import nn

from lstm_nlp.errors import DataError
from lstm_nlp.export.config import ModelConfig
from lstm_nlp.modules.dropout import embedding_dropout
from lstm_nlp.modules.heads import build_head
from lstm_nlp.modules.sampling import sample_ids

# the built-in encoders by name (the registry's targets), imported without the registry: the
# registry stores options in Hydra's ConfigStore, and an exported model loads without Hydra
BUILTIN_ENCODERS = {
    "lstm": "lstm_nlp.modules.lstm_encoder:LSTMEncoder",
    "reference_lstm": "lstm_nlp.modules.reference_lstm:ReferenceLSTM",
    "mogrifier_lstm": "lstm_nlp.modules.mogrifier_lstm:MogrifierLSTM",
}


@dataclass(frozen=True)
class InferenceOptions:
    """The language model's options that matter once it is trained (``task.*`` of its run)."""

    embedding_dim: int
    tie_weights: bool = False
    head: str = "softmax"
    adaptive_cutoffs: list[int] | None = None
    adaptive_div_value: float = 4.0
    dropout: float = 0.0
    embedding_dropout: float = 0.0
    bptt: int = 35
    eval_batch_size: int = 10

    @classmethod
    def from_task(cls, task: Mapping[str, Any]) -> InferenceOptions:
        """These fields of a run's ``task`` options (the training-only ones are left out)."""
        if "embedding_dim" not in task:
            raise DataError("config.json: task.embedding_dim is missing")
        return cls(**{f.name: task[f.name] for f in fields(cls) if f.name in task})


def encoder_class(name: str) -> Any:
    """The encoder class called ``name``: a built-in one directly, a plugin's by the registry."""
    if name not in BUILTIN_ENCODERS:
        from lstm_nlp.registry import ENCODERS  # a plugin's encoder: Hydra is imported then

        return ENCODERS.get(name)
    module, _, attr = BUILTIN_ENCODERS[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def build_encoder(encoder: Mapping[str, Any], input_size: int) -> nn.Module:
    """The encoder of ``config.json``'s ``encoder`` node (its name and keyword arguments)."""
    kwargs = {k: v for k, v in encoder.items() if k != "name"}
    try:
        return encoder_class(encoder["name"])(input_size=input_size, **kwargs)
    except (TypeError, ValueError) as err:
        raise DataError(
            f"config.json: encoder {encoder['name']!r} cannot be built from its options ({err})"
        ) from None


class ExportedLanguageModel(nn.Module):
    """A trained language model rebuilt from ``config.json`` (weights loaded separately)."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.options = opts = InferenceOptions.from_task(config.task)
        self.embedding = nn.Embedding(config.vocab_size, opts.embedding_dim)
        self.encoder = build_encoder(config.encoder, opts.embedding_dim)
        self.drop = nn.Dropout(opts.dropout)
        output_dim = self.encoder.get_output_dim()
        self.decoder = build_head(
            opts.head,
            output_dim,
            config.vocab_size,
            tie_to=self.embedding if opts.tie_weights else None,
            cutoffs=opts.adaptive_cutoffs,
            div_value=opts.adaptive_div_value,
        )
        self.tokenizer_json: str | None = None

    @property
    def device(self) -> torch.device:
        return self.embedding.weight.device

    def encode(self, tokens: torch.Tensor, hidden: Any = None) -> tuple[torch.Tensor, Any]:
        """Encoder outputs ``(seq, batch, dim)`` for token ids ``(seq, batch)``."""
        emb = embedding_dropout(
            self.embedding, tokens, self.options.embedding_dropout, self.training
        )
        return self.encoder(self.drop(emb), hidden)

    def forward(self, tokens: torch.Tensor, hidden: Any = None) -> tuple[torch.Tensor, Any]:
        """Logits ``(seq, batch, vocab)`` and the final hidden state."""
        output, hidden = self.encode(tokens, hidden)
        return self.decoder(self.drop(output)), hidden

    def generate(
        self,
        prompt: list[int],
        n_words: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> list[int]:
        """Sample ``n_words`` ids after ``prompt`` (at least one id), one at a time."""
        return sample_ids(self, prompt, n_words, temperature, generator)
