"""``LMHead``: hidden states to vocabulary logits, optionally tied to the input embedding."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.arguments import check_size
from lstm_nlp.modules.linear_cross_entropy import linear_cross_entropy

EXACT_TOP = 4  # largest logits per row recomputed in fp32 by LMHead.log_probs_at under bf16


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

    def log_probs_at(self, hidden: Tensor, rows: Tensor, targets: Tensor) -> Tensor:
        """``log p(targets[k])`` read at row ``rows[k]`` of ``hidden (n, input_dim)``, in fp32.

        Under bf16 autocast the logits' product runs in bfloat16 and its output is rounded to
        8 bits of mantissa (an error of ``|logit| / 512``).  A target's own logit would carry
        that error whole, and so would the few largest logits that dominate the log-sum-exp;
        the many small ones average theirs out.  So each target's logit and each row's
        :data:`EXACT_TOP` largest are recomputed in fp32 (a dot product each); the rest of the
        normaliser comes from the rounded product (:meth:`_normaliser`).  In fp32 this is the
        log-softmax read at the targets.
        """
        if self.projection is not None:
            hidden = self.projection(hidden)
        logits = self.decoder(hidden)
        if logits.dtype == torch.float32:
            return torch.log_softmax(logits, -1)[rows, targets]
        lse = self._normaliser(hidden, logits)
        return self._exact_logits(hidden[rows], targets) - lse[rows]

    def _normaliser(self, hidden: Tensor, logits: Tensor) -> Tensor:
        """Each row's log-sum-exp (fp32) from low-precision ``logits``, its largest terms exact.

        The rounded logits' own log-sum-exp is ``max - log softmax(max)`` (the softmax kernel
        sums in fp32; its probabilities keep 8 bits of mantissa: 0.002 nats); then the
        :data:`EXACT_TOP` largest terms are swapped for their fp32 values.  No fp32 copy of the
        ``(rows, vocab)`` logits is made.
        """
        values, top = logits.topk(min(EXACT_TOP, logits.size(-1)), -1)
        largest = torch.softmax(logits, -1).gather(1, top[:, :1]).float()
        lse = values[:, :1].float() - largest.log()
        exact = self._exact_logits(hidden.unsqueeze(1), top)
        change = ((exact - lse).exp() - (values.float() - lse).exp()).sum(-1)
        return lse.squeeze(1) + torch.log1p(change)

    def _exact_logits(self, hidden: Tensor, ids: Tensor) -> Tensor:
        """fp32 logits of ``ids`` from ``hidden``: ``(m, d)`` with ``(m,)`` ids, or ``(n, 1, d)``
        with ``(n, k)``."""
        with torch.autocast(hidden.device.type, enabled=False):
            logits = (hidden.float() * self.decoder.weight[ids].float()).sum(-1)
            if self.decoder.bias is not None:
                logits = logits + self.decoder.bias[ids].float()
        return logits

    def log_probs(self, hidden: Tensor) -> Tensor:
        """fp32 log-probabilities, also when the logits come out of a bf16 autocast product."""
        return torch.log_softmax(self(hidden).float(), dim=-1)

    def nll(self, hidden: Tensor, targets: Tensor) -> Tensor:
        """Mean ``-log p(target)`` over all positions of ``hidden (..., input_dim)`` /
        ``targets (...)``."""
        if self.projection is not None:
            hidden = self.projection(hidden)
        return linear_cross_entropy(hidden, self.decoder.weight, self.decoder.bias, targets)
