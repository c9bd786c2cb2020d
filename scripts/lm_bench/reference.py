"""The reference: a plain PyTorch LSTM language model loop as pytorch/examples' word_language_model
does it.

Written here after that example's ``data.py``, ``model.py`` (``RNNModel``, LSTM variant)
and ``main.py`` (``batchify``, ``get_batch``, ``repackage_hidden``, ``train``): embedding,
dropout, ``nn.LSTM``, dropout, linear decoder, ``log_softmax`` + ``NLLLoss``, plain SGD
with gradient-norm clipping.  Nothing in it comes from lstm_nlp.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F
from torch import nn


class RNNModel(nn.Module):
    def __init__(
        self, ntoken: int, ninp: int, nhid: int, nlayers: int, dropout: float = 0.2
    ) -> None:
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz: int):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def batchify(data: torch.Tensor, bsz: int) -> torch.Tensor:
    nbatch = data.size(0) // bsz
    return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous()


def get_batch(source: torch.Tensor, i: int, bptt: int):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i : i + seq_len], source[i + 1 : i + 1 + seq_len].view(-1)


def repackage_hidden(h):
    return h.detach() if isinstance(h, torch.Tensor) else tuple(repackage_hidden(v) for v in h)


class ReferenceLoop:
    """Keeps its place in the training stream between calls, like one long epoch."""

    def __init__(
        self,
        model: RNNModel,
        train: torch.Tensor,
        batch_size: int,
        bptt: int,
        lr: float = 20.0,
        clip: float = 0.25,
    ) -> None:
        self.model, self.bptt, self.lr, self.clip = model, bptt, lr, clip
        self.data = batchify(train.long(), batch_size)
        self.batch_size, self.pos, self.hidden = batch_size, 0, model.init_hidden(batch_size)
        self.criterion = nn.NLLLoss()

    def step(self) -> int:
        if self.pos >= self.data.size(0) - 2:
            self.pos, self.hidden = 0, self.model.init_hidden(self.batch_size)
        data, targets = get_batch(self.data, self.pos, self.bptt)
        self.pos += self.bptt
        self.model.train()
        self.hidden = repackage_hidden(self.hidden)
        self.model.zero_grad()
        output, self.hidden = self.model(data, self.hidden)
        loss = self.criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        for p in self.model.parameters():
            p.data.add_(p.grad, alpha=-self.lr)
        return targets.numel()

    def tokens_per_second(self, steps: int, warmup: int = 2) -> float:
        for _ in range(warmup):
            self.step()
        start, tokens = time.perf_counter(), 0
        for _ in range(steps):
            tokens += self.step()
        return tokens / (time.perf_counter() - start)


@torch.no_grad()
def evaluate(model: RNNModel, data: torch.Tensor, bptt: int, eval_batch_size: int = 10) -> float:
    """Perplexity over a whole split, as the example's ``evaluate``."""
    model.eval()
    source = batchify(data.long(), eval_batch_size)
    hidden, total, count = model.init_hidden(eval_batch_size), 0.0, 0
    for i in range(0, source.size(0) - 1, bptt):
        x, y = get_batch(source, i, bptt)
        output, hidden = model(x, hidden)
        total += F.nll_loss(output, y, reduction="sum").item()
        count += y.numel()
    return math.exp(total / count)
