"""Summed log-probabilities of token spans under a left-to-right language model.

A span (:class:`Span`) is a whole token sequence,
fed from its first token, and the target positions that count: target ``t`` is
``ids[t + 1]`` predicted from ``ids[: t + 1]``.  Many spans go through the model in
one padded ``(seq, batch)`` call; padding sits after each sequence, so a
left-to-right model's outputs at real positions do not depend on it, and only
scored positions are gathered.

The model is a :class:`LanguageModel` (or anything with ``forward(tokens (seq, batch),
hidden) -> (logits, hidden)``) whose hidden state is a tensor or a tuple of tensors
with the batch in dimension 1 (``nn.LSTM``'s ``(h, c)``).  Callers set eval mode and
``no_grad``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from lstm_nlp.evaluation.span import Span

LOGITS_BUDGET = 1 << 24  # logits per call (64 MB of float32); bounds memory for big vocabularies
FEED_CHUNK = 512  # tokens per call when only the hidden state is wanted


def map_hidden(hidden: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """Apply ``fn`` to every tensor of a hidden state (None stays None)."""
    if hidden is None or isinstance(hidden, torch.Tensor):
        return None if hidden is None else fn(hidden)
    return tuple(map_hidden(h, fn) for h in hidden)


def expand_hidden(hidden: Any, batch: int) -> Any:
    """A batch-1 hidden state repeated ``batch`` times."""
    return map_hidden(hidden, lambda h: h.expand(h.size(0), batch, *h.shape[2:]).contiguous())


def column(hidden: Any, index: int) -> Any:
    """One sequence's hidden state out of a batch, as a batch of 1."""
    return map_hidden(hidden, lambda h: h[:, index : index + 1].contiguous())


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def run_spans(
    model: torch.nn.Module,
    spans: Sequence[Span],
    hidden: Any = None,
    pad_id: int = 0,
    paired: bool = False,
) -> tuple[list[tuple[float, int]], Any]:
    """``([(sum, count), ...], final hidden)`` for spans run as one padded batch from ``hidden``.

    ``hidden`` is a batch-1 state (or None: zeros).  The final hidden state is each
    sequence's after all its tokens but the last, exact for the longest ones only.
    ``paired``: spans come as good, bad, good, bad, ...; where a bad sequence begins
    like its good one, its log-probabilities there are read off the good one's
    logits, and only rows that are scored go through the decoder.
    """
    length = max(len(s.ids) for s in spans)
    rows = [list(s.ids) + [pad_id] * (length - len(s.ids)) for s in spans]
    device = model_device(model)
    tokens = torch.tensor(rows, dtype=torch.long, device=device).t()
    steps, cols = _scored_positions(spans, device)
    sources = _source_columns(spans, paired, device)[steps, cols]
    need = torch.zeros(length - 1, len(spans), dtype=torch.bool, device=device)
    need[steps, sources] = True
    row_of = torch.zeros(need.shape, dtype=torch.long, device=device)
    row_of[need] = torch.arange(int(need.sum()), device=device)
    lp, final = scored_logprobs(
        model,
        tokens[:-1],
        expand_hidden(hidden, len(spans)),
        need,
        row_of[steps, sources],
        tokens[steps + 1, cols],
    )
    sums = torch.zeros(len(spans), dtype=torch.float64, device=device).index_add_(
        0, cols, lp.double()
    )
    return [(total, s.count) for total, s in zip(sums.tolist(), spans)], final


def _scored_positions(
    spans: Sequence[Span], device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """(step, column) of every scored target, as two index tensors."""
    steps = [t for s in spans for t in range(s.start, s.stop)]
    cols = [j for j, s in enumerate(spans) for _ in range(s.start, s.stop)]
    return torch.tensor(steps, dtype=torch.long, device=device), torch.tensor(
        cols, dtype=torch.long, device=device
    )


def _source_columns(spans: Sequence[Span], paired: bool, device: torch.device) -> torch.Tensor:
    """(steps, columns): the column whose logits serve each position (a bad sequence's shared start:
    its good one)."""
    columns = torch.arange(len(spans), device=device)
    steps = torch.arange(max(len(s.ids) for s in spans) - 1, device=device).unsqueeze(1)
    if not paired:
        return columns.expand(steps.size(0), -1)
    # the bad sequence's target t is predicted from ids[: t + 1]: the good one's logits while those
    # agree
    shared = [
        0 if j % 2 == 0 else min(_common_prefix(spans[j - 1].ids, s.ids), len(spans[j - 1].ids) - 1)
        for j, s in enumerate(spans)
    ]
    partner = columns - (columns % 2)
    return torch.where(steps < torch.tensor(shared, device=device), partner, columns)


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def logits_at(
    model: torch.nn.Module,
    tokens: torch.Tensor,
    hidden: Any,
    need: torch.Tensor,
    exact: bool = False,
) -> tuple[torch.Tensor, Any]:
    """Logits of the ``need`` positions only, and the final hidden state.

    A :class:`LanguageModel` (``encode`` + ``decoder``) runs its decoder on those rows
    only; in eval mode that is what ``forward`` computes.  Other models run ``forward``.
    ``exact``: the decoder in fp32 also under bf16 autocast (for a few rows whose whole
    distribution is read).
    """
    if hasattr(model, "encode") and hasattr(model, "decoder"):
        output, final = model.encode(tokens, hidden)
        picked = output[need]
        if not exact:
            return model.decoder(picked), final
        with torch.autocast(picked.device.type, enabled=False):
            return model.decoder(picked.float()), final
    logits, final = model(tokens, hidden)
    return logits[need], final


def scored_logprobs(
    model: torch.nn.Module,
    tokens: torch.Tensor,
    hidden: Any,
    need: torch.Tensor,
    rows: torch.Tensor,
    targets: torch.Tensor,
) -> tuple[torch.Tensor, Any]:
    """``log p(targets[k])`` (fp32) from row ``rows[k]`` of the ``need`` positions' outputs, and
    the final hidden state; a decoder with ``log_probs_at`` (:class:`LMHead`) keeps each
    target's logit exact under bf16 autocast."""
    if hasattr(model, "encode") and hasattr(getattr(model, "decoder", None), "log_probs_at"):
        output, final = model.encode(tokens, hidden)
        return model.decoder.log_probs_at(output[need], rows, targets), final
    logits, final = logits_at(model, tokens, hidden, need)
    return torch.log_softmax(logits.float(), -1)[rows, targets], final


def batched_pair_logprobs(
    model: torch.nn.Module,
    pairs: Sequence[tuple[Span, Span]],
    vocab_size: int,
    hidden: Any = None,
    pad_id: int = 0,
    batch_size: int = 128,
) -> list[tuple[tuple[float, int], ...]]:
    """``((sum, count), (sum, count))`` per (good, bad) pair, in order; pairs are sorted by length
    and batched."""
    results: list[tuple[tuple[float, int], ...]] = [((0.0, 0), (0.0, 0))] * len(pairs)
    for chunk in _chunks(pairs, vocab_size, batch_size):
        scored, _ = run_spans(
            model, [span for i in chunk for span in pairs[i]], hidden, pad_id, paired=True
        )
        for k, i in enumerate(chunk):
            results[i] = (scored[2 * k], scored[2 * k + 1])
    return results


def _chunks(
    pairs: Sequence[tuple[Span, Span]], vocab_size: int, batch_size: int
) -> list[list[int]]:
    """Pair indices by ascending length, cut into batches (:func:`budget_chunks`)."""
    return budget_chunks(
        [max(len(s.ids) for s in pair) - 1 for pair in pairs], 2, vocab_size, batch_size
    )


def budget_chunks(
    steps: Sequence[int], rows: int, vocab_size: int, batch_size: int
) -> list[list[int]]:
    """Indices of items of ``steps`` positions (``rows`` sequences each) by ascending length,
    cut into batches of at most ``batch_size`` items within the logits budget."""
    chunks: list[list[int]] = []
    chunk: list[int] = []
    for i in sorted(range(len(steps)), key=steps.__getitem__):
        if chunk and (
            len(chunk) >= batch_size
            or rows * (len(chunk) + 1) * steps[i] * vocab_size > LOGITS_BUDGET
        ):
            chunks.append(chunk)
            chunk = []
        chunk.append(i)
    return chunks + [chunk] if chunk else chunks


def feed(model: torch.nn.Module, ids: Sequence[int], hidden: Any = None) -> Any:
    """The hidden state after reading ``ids`` (in chunks, so long texts fit in memory)."""
    device = model_device(model)
    run = model.encode if hasattr(model, "encode") else model  # no logits needed
    for begin in range(0, len(ids), FEED_CHUNK):
        tokens = torch.tensor(
            ids[begin : begin + FEED_CHUNK], dtype=torch.long, device=device
        ).view(-1, 1)
        _, hidden = run(tokens, hidden)
    return hidden
