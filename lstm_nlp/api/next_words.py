"""The most likely next words after prefixes, batched: each prefix read as ``<eos> prefix``, the
whole distribution at its last token computed in fp32."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from lstm_nlp.api.results import NextWord
from lstm_nlp.api.tokens import specials, words_of
from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.logprobs import budget_chunks, logits_at, model_device


def next_words(
    model: Any, tokenizer: Any, prefixes: Sequence[str], k: int, batch_size: int
) -> list[list[NextWord]]:
    """For each prefix, its ``k`` most likely next words, most likely first."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be an integer >= 1, got {k!r}")
    eos, pad = specials(tokenizer)
    seqs = [(eos, *words_of(tokenizer, p).ids) for p in prefixes]
    vocab = tokenizer.get_vocab_size()
    out: list[list[NextWord]] = [[] for _ in seqs]
    for chunk in budget_chunks([len(s) for s in seqs], 1, vocab, batch_size):
        top = top_words(model, [seqs[i] for i in chunk], pad, min(k, vocab))
        for i, (values, ids) in zip(chunk, top):
            out[i] = [NextWord(tokenizer.id_to_token(j), j, v) for v, j in zip(values, ids)]
    return out


def top_words(
    model: Any, seqs: Sequence[Sequence[int]], pad: int, k: int
) -> list[tuple[list[float], list[int]]]:
    """The ``k`` largest log-probabilities (and their ids) after each sequence."""
    device = model_device(model)
    length = max(len(s) for s in seqs)
    rows = [list(s) + [pad] * (length - len(s)) for s in seqs]
    tokens = torch.tensor(rows, dtype=torch.long, device=device).t()
    last = torch.tensor([len(s) - 1 for s in seqs], device=device)
    need = torch.arange(length, device=device).unsqueeze(1) == last.unsqueeze(0)
    logits, _ = logits_at(model, tokens, None, need, exact=True)
    values, ids = torch.log_softmax(logits.float(), -1).topk(k, dim=-1)
    return list(zip(values.cpu().tolist(), ids.cpu().tolist()))
