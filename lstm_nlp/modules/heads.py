"""``task.head``: the output layer a language model's options ask for."""

from __future__ import annotations

from torch import nn

from lstm_nlp.modules.lm_head import LMHead


def build_head(
    kind: str,
    input_dim: int,
    vocab_size: int,
    *,
    tie_to: nn.Embedding | None,
    cutoffs: list[int] | None,
    div_value: float,
) -> nn.Module:
    """The full softmax (:class:`LMHead`) or an adaptive softmax (exact log-probs)."""
    if kind == "softmax":
        return LMHead(input_dim, vocab_size, tie_to=tie_to)
    from lstm_nlp.modules.adaptive_head import AdaptiveHead  # kind == "adaptive" (the options')

    return AdaptiveHead(input_dim, vocab_size, cutoffs, div_value=div_value, tie_to=tie_to)
