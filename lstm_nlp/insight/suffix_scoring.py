"""Scoring an agreement suite many times over, once per ablated unit, fast.

Each item is a sentence pair ``w1 ... wn`` that differs only at the verb ``w(t+1)`` (word index
``t``), scored as :class:`~lstm_nlp.evaluation.scoring.PairScorer` scores it by default
(``score=sum``, ``state=reset``, ``final_eos=true``): correct when ``log P(<eos> good <eos>) >
log P(<eos> bad <eos>)``.  The log-probabilities of ``w1 ... wt`` are the same on both sides and
cancel, so only the *margin*

    log P(verb_good | prefix) + log P(rest | prefix verb_good) − (the same with verb_bad)

is computed (``rest`` = the words after the verb, then ``<eos>``).  Three savings:

1. the prefix ``<eos> w1 ... wt`` is encoded once for both sides (a batch holds prefixes of one
   length, so no padding: each final state is exact) and hands its final state to the two
   suffixes, which run as one packed batch (no step is spent on padding);
2. the decoder runs only on the prefix's last position and on the suffix positions;
3. ablating a unit of layer ``l`` changes nothing below it: the inputs of every layer under the
   intact model are cached, and an ablation re-runs only layers ``l`` and up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_nlp.insight.ablation import LayeredLM
from lstm_nlp.insight.agreement_items import AgreementItem

LOGITS_BUDGET = 1 << 24  # decoder outputs per call


@dataclass
class Chunk:
    """A batch of items as tensors, and the intact model's inputs to every layer."""

    prefix: Tensor  # (t + 1, n) token ids: <eos> w1 ... wt (every item of a chunk has the same t)
    suffix: Tensor  # (S, 2n): verb_good w(t+2) ... wn | verb_bad w(t+2) ... wn, padded
    suffix_lengths: Tensor  # (2n,) on the CPU (for packing)
    targets: Tensor  # (S, 2n): what each suffix position predicts (w(t+2) ... wn <eos>)
    verbs: Tensor  # (2, n): the good and the bad verb (predicted from the prefix's last state)
    inputs: list[tuple[Tensor, Tensor]] = field(
        default_factory=list
    )  # per layer: (prefix, suffix) inputs


def _padded(rows: Sequence[Sequence[int]], device: torch.device) -> Tensor:
    out = torch.zeros(max(len(r) for r in rows), len(rows), dtype=torch.long)
    for j, row in enumerate(rows):
        out[: len(row), j] = torch.as_tensor(list(row), dtype=torch.long)
    return out.to(device)


def make_chunk(
    items: Sequence[AgreementItem],
    ids: Callable[[Sequence[str]], list[int]],
    eos: int,
    device: torch.device,
) -> Chunk:
    prefixes = [[eos, *ids(it.words[: it.target])] for it in items]  # all of one length
    rests = [ids(it.words[it.target + 1 :]) for it in items]
    verbs = [ids([it.good]) + ids([it.bad]) for it in items]
    suffixes = [[v[0], *r] for v, r in zip(verbs, rests)] + [
        [v[1], *r] for v, r in zip(verbs, rests)
    ]
    targets = [[*r, eos] for r in rests] * 2
    return Chunk(
        _padded(prefixes, device),
        _padded(suffixes, device),
        torch.tensor([len(s) for s in suffixes]),
        _padded(targets, device),
        torch.tensor(verbs, dtype=torch.long, device=device).t(),
    )


def run_layer(
    lstm: torch.nn.LSTM, chunk: Chunk, prefix_in: Tensor, suffix_in: Tensor
) -> tuple[Tensor, Tensor]:
    """One layer over the prefixes (all of one length: the final state is exact), then over both
    suffixes (packed) from each prefix's final state."""
    prefix_out, (h, c) = lstm(prefix_in)
    packed = pack_padded_sequence(suffix_in, chunk.suffix_lengths, enforce_sorted=False)
    out, _ = lstm(
        packed, (h.repeat(1, 2, 1), c.repeat(1, 2, 1))
    )  # every good suffix, then every bad
    suffix_out, _ = pad_packed_sequence(out, total_length=suffix_in.size(0))
    return prefix_out, suffix_out


def target_log_probs(
    head: torch.nn.Module, rows: Tensor, targets: Tensor, vocab_size: int
) -> Tensor:
    """``log P(targets[r] | rows[r])`` (``targets``: ``(rows,)`` or ``(rows, k)``), the decoder run
    on a bounded number of rows at a time."""
    step = max(1, LOGITS_BUDGET // max(1, vocab_size))
    wanted = targets.view(targets.size(0), -1)
    parts = [
        torch.log_softmax(head(rows[i : i + step]).float(), dim=-1).gather(1, wanted[i : i + step])
        for i in range(0, rows.size(0), step)
    ]
    out = (
        torch.cat(parts).double()
        if parts
        else rows.new_zeros(0, wanted.size(1), dtype=torch.float64)
    )
    return out.view(targets.shape)


class SuffixScorer:
    """``SuffixScorer(lm, items, ids, eos).margins(from_layer)``: good − bad log-probability per
    item."""

    def __init__(
        self,
        lm: LayeredLM,
        items: Sequence[AgreementItem],
        ids: Callable[[Sequence[str]], list[int]],
        eos: int,
        vocab_size: int,
        batch_size: int = 512,
    ) -> None:
        self.lm, self.vocab_size = lm, vocab_size
        device = lm.embedding.weight.device
        # a batch holds prefixes of one length; margins() gives the items' own order back
        self.order = sorted(range(len(items)), key=lambda i: (items[i].target, len(items[i].words)))
        self.chunks = []
        for _, group in itertools.groupby(self.order, key=lambda i: items[i].target):
            group = [items[i] for i in group]
            self.chunks += [
                make_chunk(group[i : i + batch_size], ids, eos, device)
                for i in range(0, len(group), batch_size)
            ]
        with torch.no_grad():
            for chunk in self.chunks:
                x_p, x_s = lm.embedding(chunk.prefix), lm.embedding(chunk.suffix)
                for lstm in lm.layers:
                    chunk.inputs.append((x_p, x_s))
                    x_p, x_s = run_layer(lstm, chunk, x_p, x_s)

    @torch.no_grad()
    def margins(self, from_layer: int = 0) -> Tensor:
        """Per item, ``log P(good sentence) − log P(bad sentence)`` under ``lm``'s current weights.

        Layers below ``from_layer`` are taken from the cache of the intact model: pass the layer of
        the ablated unit (0 recomputes everything).
        """
        sorted_margins = torch.cat(
            [self._chunk_margins(chunk, from_layer) for chunk in self.chunks]
        ).cpu()
        return torch.empty_like(sorted_margins).index_copy_(
            0, torch.tensor(self.order), sorted_margins
        )

    def _chunk_margins(self, chunk: Chunk, from_layer: int) -> Tensor:
        x_p, x_s = chunk.inputs[from_layer]
        for lstm in self.lm.layers[from_layer:]:
            x_p, x_s = run_layer(lstm, chunk, x_p, x_s)
        n = chunk.verbs.size(1)
        verb_lp = (
            target_log_probs(self.lm.head, x_p[-1], chunk.verbs.t(), self.vocab_size)
            .t()
            .reshape(-1)
        )
        valid = torch.arange(x_s.size(0)).unsqueeze(1) < chunk.suffix_lengths.unsqueeze(0)
        valid = valid.to(x_s.device)
        lp = target_log_probs(self.lm.head, x_s[valid], chunk.targets[valid], self.vocab_size)
        columns = torch.arange(2 * n, device=x_s.device).expand_as(valid)[valid]
        totals = verb_lp.index_add(0, columns, lp)
        return totals[:n] - totals[n:]
