"""Per-token log-probabilities of many sentences, batched.

Each sentence ``w1 ... wn`` is read as ``<eos> w1 ... wn <eos>`` (as the scorers and the
training stream read it): ``log p(w1 | <eos>)``, ..., and ``log p(<eos> | ... wn)`` when
``final_eos``.  Sentences are sorted by length, padded after their end, and cut into batches
within the logits budget of :func:`lstm_nlp.evaluation.logprobs.budget_chunks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from lstm_nlp.api.results import TokenLogProb
from lstm_nlp.api.tokens import Words, specials, words_of
from lstm_nlp.evaluation.logprobs import budget_chunks, model_device, scored_logprobs
from lstm_nlp.text.specials import EOS


def token_logprobs(
    model: Any, tokenizer: Any, sentences: Sequence[str], final_eos: bool, batch_size: int
) -> list[list[TokenLogProb]]:
    """For each sentence, its tokens with their log-probabilities."""
    eos, pad = specials(tokenizer)
    words = [words_of(tokenizer, s) for s in sentences]
    seqs = [(eos, *w.ids, *((eos,) if final_eos else ())) for w in words]
    vocab = tokenizer.get_vocab_size()
    scores: list[list[float]] = [[] for _ in seqs]
    todo = [i for i, s in enumerate(seqs) if len(s) > 1]
    steps = [len(seqs[i]) - 1 for i in todo]
    for chunk in budget_chunks(steps, 1, vocab, batch_size):
        found = batch_logprobs(model, [seqs[todo[k]] for k in chunk], pad)
        for k, values in zip(chunk, found):
            scores[todo[k]] = values
    return [labelled(w, s, final_eos, eos) for w, s in zip(words, scores)]


def batch_logprobs(model: Any, seqs: Sequence[Sequence[int]], pad: int) -> list[list[float]]:
    """``log p(seq[t + 1] | seq[: t + 1])`` for every ``t`` of every sequence (one padded call)."""
    device = model_device(model)
    length = max(len(s) for s in seqs)
    rows = [list(s) + [pad] * (length - len(s)) for s in seqs]
    tokens = torch.tensor(rows, dtype=torch.long, device=device).t()
    lengths = torch.tensor([len(s) for s in seqs], device=device)
    need = torch.arange(length - 1, device=device).unsqueeze(1) < (lengths - 1).unsqueeze(0)
    steps, cols = need.nonzero(as_tuple=True)  # row-major: the order of output[need]
    picked = torch.arange(steps.numel(), device=device)
    lp, _ = scored_logprobs(model, tokens[:-1], None, need, picked, tokens[steps + 1, cols])
    values = lp.float().cpu().tolist()
    out: list[list[float]] = [[] for _ in seqs]
    for col, value in zip(cols.tolist(), values):
        out[col].append(value)
    return out


def labelled(words: Words, scores: list[float], final_eos: bool, eos: int) -> list[TokenLogProb]:
    """The scores beside the tokens they belong to."""
    tokens = [*words.tokens, *((EOS,) if final_eos else ())]
    ids = [*words.ids, *((eos,) if final_eos else ())]
    known = [*words.known, *((True,) if final_eos else ())]
    return [TokenLogProb(t, i, v, k) for t, i, v, k in zip(tokens, ids, scores, known)]
