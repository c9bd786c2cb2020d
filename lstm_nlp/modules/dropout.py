"""Dropout variants for recurrent models (Gal & Ghahramani 2016; Merity et al. 2017).

* :class:`LockedDropout` ("variational" dropout): one mask per sequence, shared by
  every time step, instead of a fresh mask per element.
* :func:`embedding_dropout`: drops whole word types (rows of the embedding matrix),
  so every occurrence of a dropped word in the batch is zero.

Both rescale the kept values by ``1 / (1 - p)`` so nothing changes in expectation,
and both are the identity in eval mode or with ``p == 0``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from lstm_nlp.modules.arguments import check_probability
from lstm_nlp.modules.embedding_lookup import lookup


def _keep_mask(like: Tensor, shape: tuple[int, ...], p: float) -> Tensor:
    """A {0, 1/(1-p)} mask of ``shape`` with the dtype and device of ``like``."""
    return like.new_empty(shape).bernoulli_(1.0 - p).div_(1.0 - p)


def _packed_rows(batch_sizes: Tensor) -> Tensor:
    """For each row of a PackedSequence's data, its sequence's position in the sorted batch."""
    positions = torch.arange(int(batch_sizes[0]))
    present = positions.unsqueeze(0) < batch_sizes.unsqueeze(1)  # (time, batch)
    return positions.expand_as(present)[present]  # row-major = packed order


class LockedDropout(nn.Module):
    """Dropout with one mask per sequence, reused at every time step.

    Input is ``(seq, batch, *features)``, or ``(batch, seq, *features)`` when
    ``batch_first``; a :class:`~torch.nn.utils.rnn.PackedSequence` also works
    (each sequence keeps its own mask).  The identity in eval mode or when ``p == 0``.
    """

    def __init__(self, p: float, batch_first: bool = False) -> None:
        super().__init__()
        self.p = check_probability(p, "LockedDropout p")
        self.batch_first = batch_first

    def forward(self, x: Tensor | PackedSequence) -> Tensor | PackedSequence:
        if not self.training or self.p == 0.0:
            return x
        if isinstance(x, PackedSequence):
            mask = _keep_mask(x.data, (int(x.batch_sizes[0]), *x.data.shape[1:]), self.p)
            rows = _packed_rows(x.batch_sizes).to(x.data.device)
            return x._replace(data=x.data * mask[rows])
        shape = list(x.shape)
        shape[1 if self.batch_first else 0] = 1  # shared over the time axis
        return x * _keep_mask(x, tuple(shape), self.p)

    def extra_repr(self) -> str:
        return f"p={self.p}, batch_first={self.batch_first}"


def embedding_dropout(embedding: nn.Embedding, tokens: Tensor, p: float, training: bool) -> Tensor:
    """Embed ``tokens`` with whole rows (word types) of ``embedding.weight`` dropped.

    Each row is zeroed with probability ``p`` and the kept rows are scaled by
    ``1 / (1 - p)``; one mask serves the whole call, so a dropped word is dropped at
    every position.  Gradients reach ``embedding.weight`` through the kept rows.
    Returns ``embedding(tokens)`` unchanged when not ``training`` or ``p == 0``.
    """
    p = check_probability(p, "embedding_dropout p")
    if not training or p == 0.0:
        return lookup(embedding, tokens)
    keep = _keep_mask(embedding.weight, (embedding.num_embeddings, 1), p)
    if _row_options(embedding):  # they act on the whole (masked) matrix
        return lookup(embedding, tokens, embedding.weight * keep)
    # the same values as embedding the masked matrix, without a copy of the whole matrix
    return lookup(embedding, tokens) * keep.view(-1)[tokens].unsqueeze(-1)


def _row_options(embedding: nn.Embedding) -> bool:
    return (
        embedding.padding_idx is not None
        or embedding.max_norm is not None
        or embedding.scale_grad_by_freq
        or embedding.sparse
    )
