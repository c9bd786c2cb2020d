"""Output layer and cross-entropy in one step, without a fresh logits matrix per batch.

``F.cross_entropy(F.linear(h, W, b), t)`` allocates the ``(tokens, vocab)`` logits, their
log-softmax and, in the backward pass, two more matrices of that size.  At WikiText-2
scale (700 tokens x 33,278 types) each is 93 MB: larger than glibc's largest reuse
threshold (32 MiB), so every step maps fresh pages from the kernel and unmaps them
again — millions of page faults, about a third of the CPU time.

:func:`linear_cross_entropy` computes the same loss and the same gradients with one
``(tokens, vocab)`` buffer that is kept and reused from step to step:

* forward: ``logits = h W^T + b`` into the buffer, ``softmax`` in place, the loss from
  the targets' probabilities (rows where one underflows are recomputed exactly from
  their logits), then ``-1`` at the targets: the buffer now holds ``dloss/dlogits``
  (times the token count);
* backward: ``grad_h = G W`` and ``grad_W = G^T h`` (two matrix products), ``grad_b``
  a column sum, all scaled by ``grad_output / tokens``.

Without gradients (evaluation) only the loss is computed, in the same buffer.  The
CPU is where this matters; elsewhere (and under autocast) the plain PyTorch
expression is used.
"""

from __future__ import annotations

import threading
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable


class _BufferPool:
    """Flat buffers handed out for the time between a forward and its backward."""

    def __init__(self) -> None:
        self._free: dict[tuple, list[Tensor]] = {}
        self._lock = threading.Lock()

    def take(self, numel: int, like: Tensor) -> Tensor:
        # a buffer made under torch.inference_mode (Lightning's validation) is an inference
        # tensor: it may serve inference again but never a step that records gradients
        kinds = (False, True) if torch.is_inference_mode_enabled() else (False,)
        with self._lock:
            for inference in kinds:
                free = self._free.get((like.dtype, like.device, inference), [])
                for i, buf in enumerate(free):
                    if buf.numel() >= numel:
                        return free.pop(i)[:numel]
        return torch.empty(numel, dtype=like.dtype, device=like.device)

    def give(self, buf: Tensor) -> None:
        base = buf if buf._base is None else buf._base
        with self._lock:
            free = self._free.setdefault((base.dtype, base.device, base.is_inference()), [])
            free.append(base)
            free.sort(key=Tensor.numel)
            del free[:-2]  # keep at most two (training + evaluation sizes)


POOL = _BufferPool()


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, hidden: Tensor, weight: Tensor, bias: Tensor | None, targets: Tensor
    ) -> Tensor:
        n, vocab = hidden.size(0), weight.size(0)
        flat = POOL.take(n * vocab, hidden)
        grad = flat.view(n, vocab)
        _logits(hidden, weight, bias, out=grad)
        index = targets.view(-1, 1)
        target_logits = grad.gather(1, index)
        torch._softmax(
            grad, 1, False, out=grad
        )  # in place: row-wise, reads a row before writing it
        loss = _target_nll(grad.gather(1, index), target_logits, hidden, weight, bias).sum() / n
        grad.scatter_add_(1, index, grad.new_full((n, 1), -1.0))
        ctx.save_for_backward(hidden, weight)
        ctx.has_bias = bias is not None
        ctx.grad = grad
        return loss

    @staticmethod
    @once_differentiable
    def backward(
        ctx: Any, grad_output: Tensor
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None, None]:
        hidden, weight = ctx.saved_tensors
        grad, ctx.grad = ctx.grad, None
        if grad is None:  # its buffer went back to the pool after the first backward
            raise RuntimeError(
                "linear_cross_entropy: backward ran twice through the same loss "
                "(retain_graph / double backward are not supported)"
            )
        scale = grad_output / hidden.size(0)
        grad_h = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_h = torch.mm(grad, weight).mul_(scale)
        if ctx.needs_input_grad[1]:
            grad_w = torch.mm(grad.t(), hidden).mul_(scale)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0).mul_(scale)
        POOL.give(grad)
        return grad_h, grad_w, grad_b, None


UNDERFLOW = 1e-30  # below this a float32 probability has lost digits: take -log p from the logits


def _logits(
    hidden: Tensor, weight: Tensor, bias: Tensor | None, out: Tensor | None = None
) -> Tensor:
    if bias is None:
        return torch.mm(hidden, weight.t(), out=out)
    return torch.addmm(bias, hidden, weight.t(), out=out)


def _target_nll(
    probs: Tensor, target_logits: Tensor, hidden: Tensor, weight: Tensor, bias: Tensor | None
) -> Tensor:
    """``-log p(target)`` per row from the softmax output, exact also where ``p`` underflows."""
    nll = -probs.log()
    tiny = (probs < UNDERFLOW).view(-1).nonzero().view(-1)
    if tiny.numel():
        lse = torch.logsumexp(_logits(hidden[tiny], weight, bias), dim=1, keepdim=True)
        nll[tiny] = lse - target_logits[tiny]
    return nll


def _nll_no_grad(hidden: Tensor, weight: Tensor, bias: Tensor | None, targets: Tensor) -> Tensor:
    n, vocab = hidden.size(0), weight.size(0)
    flat = POOL.take(n * vocab, hidden)
    logits = _logits(hidden, weight, bias, out=flat.view(n, vocab))
    torch._log_softmax(logits, 1, False, out=logits)
    loss = -logits.gather(1, targets.view(-1, 1)).sum() / n
    POOL.give(flat)
    return loss


def linear_cross_entropy(
    hidden: Tensor, weight: Tensor, bias: Tensor | None, targets: Tensor
) -> Tensor:
    """Mean of ``-log softmax(hidden W^T + b)[target]`` over all positions.

    ``hidden`` is ``(..., dim)``, ``targets`` the matching ``(...)`` integer ids; equal
    to ``F.cross_entropy(F.linear(hidden, weight, bias).flatten(0, -2), targets.flatten())``
    in value and gradients (to float rounding).
    """
    hidden = hidden.reshape(-1, hidden.size(-1))
    targets = targets.reshape(-1)
    plain = (
        hidden.device.type != "cpu"
        or torch.is_autocast_enabled("cpu")
        or hidden.dtype != weight.dtype
        or hidden.size(0) == 0
    )
    if plain:
        return F.cross_entropy(F.linear(hidden, weight, bias), targets)
    hidden = hidden.contiguous()
    needs_grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in (hidden, weight, bias)
    )
    if not needs_grad:
        return _nll_no_grad(hidden, weight, bias, targets)
    return _LinearCrossEntropy.apply(hidden, weight, bias, targets)
