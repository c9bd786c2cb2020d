"""``LMHead``: hidden states to vocabulary logits, optionally tied to the input embedding."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.arguments import check_size
from lstm_nlp.modules.linear_cross_entropy import linear_cross_entropy


class LMHead(nn.Module):
    """The decoder ``hidden -> logits`` of a language model.

    With ``tie_to`` (an embedding of ``vocab_size`` rows) the decoder's weight *is*
    ``tie_to.weight`` (one shared Parameter; Press & Wolf 2017, Inan et al. 2017).
    If ``input_dim`` differs from the embedding size, a bias-free linear
    ``projection`` (``input_dim -> embedding_dim``) comes first; it has no bias
    because the decoder's bias already absorbs any constant offset.  (AWD-LSTM has none: its
    encoder's last layer is as wide as the embedding, ``encoder.last_layer_size``.)  Without
    ``tie_to``, ``projection`` is None and the decoder maps ``input_dim`` directly.
    ``forward(hidden)`` accepts any leading dimensions: ``(..., input_dim) -> (..., vocab_size)``.
    ``nll(hidden, targets)`` is the mean next-word loss without materialising fresh logits
    (see :mod:`lstm_nlp.modules.linear_cross_entropy`); ``log_probs(hidden)`` normalises.
    """

    def __init__(
        self, input_dim: int, vocab_size: int, tie_to: nn.Embedding | None = None, bias: bool = True
    ) -> None:
        super().__init__()
        check_size(input_dim, "lm_head.input_dim")
        check_size(vocab_size, "lm_head.vocab_size")
        out_features = input_dim if tie_to is None else tie_to.embedding_dim
        if tie_to is not None and tie_to.num_embeddings != vocab_size:
            raise ConfigError(
                f"lm_head.vocab_size ({vocab_size}) must equal the tied embedding's rows "
                f"({tie_to.num_embeddings})"
            )
        self.projection = (
            nn.Linear(input_dim, out_features, bias=False) if out_features != input_dim else None
        )
        self.decoder = nn.Linear(out_features, vocab_size, bias=bias)
        if tie_to is not None:
            self.decoder.weight = tie_to.weight
        self.tied = tie_to is not None

    def forward(self, hidden: Tensor) -> Tensor:
        if self.projection is not None:
            hidden = self.projection(hidden)
        return self.decoder(hidden)

    def log_probs(self, hidden: Tensor) -> Tensor:
        return torch.log_softmax(self(hidden), dim=-1)

    def nll(self, hidden: Tensor, targets: Tensor) -> Tensor:
        """Mean ``-log p(target)`` over all positions of ``hidden (..., input_dim)`` /
        ``targets (...)``."""
        if self.projection is not None:
            hidden = self.projection(hidden)
        return linear_cross_entropy(hidden, self.decoder.weight, self.decoder.bias, targets)
