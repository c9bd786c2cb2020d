"""``AdaptiveHead``: an adaptive-softmax LM head (Grave et al. 2017) with exact log-probabilities.

A drop-in alternative to :class:`~lstm_nlp.modules.lm_head.LMHead` for large
vocabularies.  It wraps :class:`torch.nn.AdaptiveLogSoftmaxWithLoss`: the
``cutoffs[0]`` most frequent token ids plus one entry per tail cluster form a
small "head" softmax; ids in ``[cutoffs[i], cutoffs[i+1])`` (the last cluster
ending at ``vocab_size``) live in tail cluster ``i``, scored through a
projection of size ``input_dim // div_value ** (i + 1)``.  This assumes token ids
are sorted by descending frequency, which the project's tokenizer guarantees
(three specials first, then words by count).

Everything here is exact, not sampled: ``log_probs`` is the full normalised
distribution ``log p(w) = log p_head(cluster(w)) + log p_cluster(w)``, so perplexity
computed from ``nll`` is the true perplexity of the model.

Weight tying is not supported: the head's shortlist rows and the tail clusters'
output matrices are separate Linear weights (one of them shaped by
``div_value``), so no single Parameter can be shared with an ``nn.Embedding``.
Passing ``tie_to`` raises a ConfigError naming ``task.tie_weights``.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.arguments import check_size

#: The WikiText-103 cutoffs of Transformer-XL (Dai et al. 2019; also used by fairseq-style recipes).
STANDARD_CUTOFFS = (20_000, 40_000, 200_000)


def default_cutoffs(vocab_size: int) -> list[int]:
    """Cutoffs for ``task.adaptive_cutoffs=null``, valid at any ``vocab_size >= 2``.

    Rule: keep each of the standard cutoffs ``[20000, 40000, 200000]`` that is at
    most ``0.9 * vocab_size`` (so the last cluster holds at least a tenth of the
    vocabulary); WikiText-103's 267,735 types give all three.  When none fits
    (``vocab_size < 22,223``), use ``[vocab_size // 10, vocab_size // 2]``, dropping
    zeros and duplicates (e.g. 10,000 -> [1000, 5000]; 5 -> [2]).
    """
    check_size(vocab_size, "lm_head.vocab_size")
    if vocab_size < 2:
        raise ConfigError(
            f"adaptive softmax needs a vocabulary of at least 2 types, got vocab_size={vocab_size}"
        )
    kept = [c for c in STANDARD_CUTOFFS if c <= 0.9 * vocab_size]
    if kept:
        return kept
    return sorted({c for c in (vocab_size // 10, vocab_size // 2) if 0 < c < vocab_size})


def check_cutoffs(
    cutoffs: object, vocab_size: int, key: str = "task.adaptive_cutoffs"
) -> list[int]:
    """Return ``cutoffs`` as a list if it is a non-empty, strictly increasing list of ints in (0,
    vocab_size)."""
    try:
        values = list(cutoffs)  # type: ignore[call-overload]
    except TypeError:
        values = None
    ok = (
        values is not None
        and len(values) > 0
        and all(isinstance(c, int) and not isinstance(c, bool) for c in values)
        and all(0 < c < vocab_size for c in values)
        and all(a < b for a, b in zip(values, values[1:]))
    )
    if not ok:
        raise ConfigError(
            f"{key} must be a non-empty list of increasing integers in (0, "
            f"vocab_size={vocab_size}), got {cutoffs!r}"
        )
    return values  # type: ignore[return-value]


class AdaptiveHead(nn.Module):
    """Adaptive-softmax decoder ``hidden -> log-probabilities`` with the same contract as
    ``LMHead``.

    - ``forward(hidden)`` / ``log_probs(hidden)``: ``(..., input_dim) -> (..., vocab_size)``
      exact log-probabilities.  They are valid wherever logits are expected
      (``log_softmax`` of a log-distribution is the identity), but ``nll`` is far
      cheaper for training because it never builds the full ``vocab_size`` row.
    - ``nll(hidden, targets)``: hidden ``(..., input_dim)``, integer targets ``(...)``;
      the mean of ``-log p(target)`` over all positions, equal to
      ``F.cross_entropy(log_probs(hidden).view(-1, V), targets.view(-1))``.

    ``cutoffs=None`` uses :func:`default_cutoffs`.  ``tie_to`` exists only so a caller
    can pass it uniformly; anything but None is refused (see the module docstring).
    """

    def __init__(
        self,
        input_dim: int,
        vocab_size: int,
        cutoffs: Sequence[int] | None = None,
        div_value: float = 4.0,
        head_bias: bool = True,
        tie_to: nn.Embedding | None = None,
    ) -> None:
        super().__init__()
        check_size(input_dim, "lm_head.input_dim")
        check_size(vocab_size, "lm_head.vocab_size")
        if tie_to is not None:
            raise ConfigError(
                "task.tie_weights=true is not supported with task.head=adaptive (the adaptive "
                "softmax has no single output matrix to share); set task.tie_weights=false"
            )
        cutoffs = (
            default_cutoffs(vocab_size) if cutoffs is None else check_cutoffs(cutoffs, vocab_size)
        )
        if isinstance(div_value, bool) or not isinstance(div_value, Real) or not div_value > 0:
            raise ConfigError(f"task.adaptive_div_value must be a number > 0, got {div_value!r}")
        smallest = int(input_dim // (div_value ** len(cutoffs)))
        if smallest < 1:
            raise ConfigError(
                f"task.adaptive_div_value={div_value} is too large for input_dim={input_dim} with "
                f"{len(cutoffs)} tail clusters (the last cluster's projection would have size 0)"
            )
        self.input_dim, self.vocab_size = input_dim, vocab_size
        self.cutoffs, self.div_value = list(cutoffs), float(div_value)
        self.tied = False
        self.asm = nn.AdaptiveLogSoftmaxWithLoss(
            input_dim,
            vocab_size,
            cutoffs=self.cutoffs,
            div_value=self.div_value,
            head_bias=head_bias,
        )

    def log_probs(self, hidden: Tensor) -> Tensor:
        """Exact log-probabilities over the whole vocabulary:
        ``(..., input_dim) -> (..., vocab_size)``."""
        self._check_hidden(hidden)
        flat = hidden.reshape(-1, self.input_dim)
        with torch.autocast(flat.device.type, enabled=False):  # its log-softmaxes: fp32
            return self.asm.log_prob(flat.float()).view(*hidden.shape[:-1], self.vocab_size)

    def forward(self, hidden: Tensor) -> Tensor:
        return self.log_probs(hidden)

    def nll(self, hidden: Tensor, targets: Tensor) -> Tensor:
        """Mean negative log-likelihood of ``targets`` over all positions (exact; a scalar)."""
        self._check_hidden(hidden)
        if hidden.shape[:-1] != targets.shape:
            raise ValueError(
                f"hidden {tuple(hidden.shape)} and targets {tuple(targets.shape)} must agree on "
                "all but the last dim"
            )
        flat_targets = targets.reshape(-1).long()
        if flat_targets.numel() == 0:
            return F.cross_entropy(
                hidden.new_zeros(0, self.vocab_size), flat_targets
            )  # nan, like cross_entropy
        flat = hidden.reshape(-1, self.input_dim)
        # fp32 under bf16 autocast: nn.AdaptiveLogSoftmaxWithLoss keeps its log-softmaxes in the
        # input's dtype (a bf16 loss on CPUs; a dtype error on CUDA, where they come out fp32)
        with torch.autocast(flat.device.type, enabled=False):
            loss = self.asm(flat.float(), flat_targets).loss
        if torch.is_grad_enabled():
            # a tail cluster with no target in the batch gets no gradient, which DDP (without
            # find_unused_parameters) reports as an error at the next step: give it a zero one
            loss = loss + 0.0 * sum(p.sum() for p in self.asm.tail.parameters())
        return loss

    def _check_hidden(self, hidden: Tensor) -> None:
        if hidden.dim() < 1 or hidden.size(-1) != self.input_dim:
            raise ValueError(
                f"hidden must end in input_dim={self.input_dim}, got shape {tuple(hidden.shape)}"
            )

    def extra_repr(self) -> str:
        return (
            f"input_dim={self.input_dim}, vocab_size={self.vocab_size}, cutoffs={self.cutoffs}, "
            f"div_value={self.div_value}"
        )
