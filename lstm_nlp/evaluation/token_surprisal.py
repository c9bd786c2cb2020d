"""Word surprisals of whole sentences, for SyntaxGym's region sums.

Each sentence ``w1 ... wn`` is read as ``<eos> w1 ... wn <eos>`` from a zero state (or from a
given state); the result is ``n + 1`` surprisals in bits: each word's given the words before
it, then the final ``<eos>``'s.  Sentences go through the model in padded batches sorted by
length (padding after each sentence: a left-to-right model's outputs at real positions do not
depend on it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lstm_nlp.evaluation.scoring import evaluation_mode

if TYPE_CHECKING:
    import torch

LN2 = math.log(2)


def sentence_surprisals(
    model: torch.nn.Module,
    sentences: Sequence[Sequence[int]],
    eos: int,
    pad: int,
    batch_size: int = 128,
    hidden: Any = None,
) -> list[list[float]]:
    """Per-token surprisals (bits) of each id sequence, its final ``<eos>`` included."""
    import torch

    from lstm_nlp.evaluation.logprobs import LOGITS_BUDGET, expand_hidden, logits_at, model_device

    device = model_device(model)
    vocab = None
    out: list[list[float]] = [[] for _ in sentences]
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    begin = 0
    with evaluation_mode(model), torch.no_grad():
        while begin < len(order):
            longest = len(sentences[order[min(begin + batch_size, len(order)) - 1]]) + 1
            size = batch_size if vocab is None else max(1, LOGITS_BUDGET // (vocab * longest))
            chunk = order[begin : begin + min(size, batch_size)]
            begin += len(chunk)
            rows = [[eos, *sentences[i], eos] for i in chunk]
            length = max(len(r) for r in rows)
            padded = torch.tensor([r + [pad] * (length - len(r)) for r in rows], device=device).t()
            lengths = torch.tensor([len(r) - 1 for r in rows], device=device)
            need = torch.arange(length - 1, device=device).unsqueeze(1) < lengths.unsqueeze(0)
            logits, _ = logits_at(model, padded[:-1], expand_hidden(hidden, len(rows)), need)
            vocab = logits.size(-1)
            steps, cols = need.nonzero(as_tuple=True)
            lp = torch.log_softmax(logits.float(), -1)
            picked = lp[torch.arange(lp.size(0), device=device), padded[steps + 1, cols]]
            bits = (-picked.double() / LN2).tolist()
            for value, col in zip(bits, cols.tolist()):
                out[chunk[col]].append(value)
    return out
