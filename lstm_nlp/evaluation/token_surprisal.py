"""Word surprisals of whole sentences, for SyntaxGym's region sums.

Each sentence ``w1 ... wn`` is read as ``<eos> w1 ... wn <eos>`` from a zero state; the result
is ``n + 1`` surprisals in bits: each word's given the words before it, then the final
``<eos>``'s.  Sentences go through the model in padded batches sorted by length, within the
logits budget (padding after each sentence: a left-to-right model's outputs at real positions
do not depend on it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lstm_nlp.evaluation.scoring import evaluation_mode

if TYPE_CHECKING:
    import torch

LN2 = math.log(2)


def sentence_surprisals(
    model: torch.nn.Module,
    sentences: Sequence[Sequence[int]],
    eos: int,
    pad: int,
    vocab_size: int,
    batch_size: int = 128,
) -> list[list[float]]:
    """Per-token surprisals (bits) of each id sequence, its final ``<eos>`` included."""
    import torch

    from lstm_nlp.evaluation.logprobs import budget_chunks, model_device, scored_logprobs

    device = model_device(model)
    out: list[list[float]] = [[] for _ in sentences]
    steps = [len(s) + 1 for s in sentences]
    with evaluation_mode(model), torch.no_grad():
        for chunk in budget_chunks(steps, 1, vocab_size, batch_size):
            rows = [[eos, *sentences[i], eos] for i in chunk]
            length = max(len(r) for r in rows)
            padded = torch.tensor([r + [pad] * (length - len(r)) for r in rows], device=device).t()
            lengths = torch.tensor([len(r) - 1 for r in rows], device=device)
            need = torch.arange(length - 1, device=device).unsqueeze(1) < lengths.unsqueeze(0)
            steps_at, cols = need.nonzero(as_tuple=True)
            rows_at = torch.arange(steps_at.size(0), device=device)
            picked, _ = scored_logprobs(
                model, padded[:-1], None, need, rows_at, padded[steps_at + 1, cols]
            )
            for value, col in zip((-picked.double() / LN2).tolist(), cols.tolist()):
                out[chunk[col]].append(value)
    return out
