"""Embedding lookup whose weight gradient is written into reused memory.

``nn.Embedding``'s backward makes a fresh ``(vocabulary, dim)`` zero matrix every step and adds
the batch's rows into it. At WikiText-2 scale with 650 dimensions that is 86 MB, mapped fresh
from the kernel each time (see :mod:`lstm_nlp.modules.buffer_pool`): ~35 ms of page faults per
step before the few hundred rows are added. :func:`lookup` computes the same values and the
same gradient (``index_add_`` of the output's gradient, as the dense backward does) into a
pooled buffer.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.autograd.function import once_differentiable

from lstm_nlp.modules.buffer_pool import POOL


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, weight: Tensor, tokens: Tensor) -> Tensor:
        flat = tokens.reshape(-1)
        ctx.save_for_backward(flat)
        ctx.shape, ctx.dtype = weight.shape, weight.dtype
        return weight.index_select(0, flat).view(*tokens.shape, weight.size(1))

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (flat,) = ctx.saved_tensors
        out = POOL.take(ctx.shape.numel(), grad, ctx.dtype).view(ctx.shape).zero_()
        out.index_add_(0, flat, grad.reshape(-1, ctx.shape[1]).to(ctx.dtype))
        return POOL.lend(out), None


def lookup(embedding: nn.Embedding, tokens: Tensor, weight: Tensor | None = None) -> Tensor:
    """``embedding(tokens)``, or ``F.embedding(tokens, weight)`` with ``embedding``'s options;
    on the CPU a plain embedding's gradient goes into pooled memory."""
    weight = embedding.weight if weight is None else weight
    plain = (
        weight.device.type == "cpu"
        and POOL.pays(weight.numel())
        and weight.requires_grad
        and torch.is_grad_enabled()
        and embedding.padding_idx is None
        and embedding.max_norm is None
        and not embedding.scale_grad_by_freq
        and not embedding.sparse
    )
    if plain:
        return _Lookup.apply(weight, tokens)
    return F.embedding(
        tokens,
        weight,
        embedding.padding_idx,
        embedding.max_norm,
        embedding.norm_type,
        embedding.scale_grad_by_freq,
        embedding.sparse,
    )
