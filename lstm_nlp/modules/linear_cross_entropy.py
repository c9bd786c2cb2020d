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
CPU is where this matters; elsewhere the plain PyTorch expression is used.

Under CPU autocast to bfloat16 (``trainer.precision=bf16-mixed``) the same steps run in
bfloat16 (:class:`_LinearCrossEntropyBF16`): the logits and their softmax in a bfloat16
buffer (matrix products accumulate in fp32 inside oneDNN; the softmax reads each row in
fp32), the two backward products on bfloat16 operands, the weight and bias gradients
returned in the master weights' fp32; the loss is ``-log p(target)`` of that softmax (rows
where it underflows recomputed exactly in fp32).  Without gradients (validation, test,
perplexity) the loss is computed in fp32 from fp32 weights, so reported perplexities are
exact.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from lstm_nlp.modules.buffer_pool import POOL


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
        grad = _take_grad(ctx)
        scale = grad_output / hidden.size(0)
        grad_h = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_h = torch.mm(grad, weight).mul_(scale)
        if ctx.needs_input_grad[1]:
            out = POOL.take(weight.numel(), weight).view_as(weight)
            grad_w = POOL.lend(torch.mm(grad.t(), hidden, out=out).mul_(scale))
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad.sum(0).mul_(scale)
        POOL.give(grad)
        return grad_h, grad_w, grad_b, None


def _take_grad(ctx: Any) -> Tensor:
    """The forward's ``dloss/dlogits`` buffer, once: it goes back to the pool after backward."""
    grad, ctx.grad = ctx.grad, None
    if grad is None:
        raise RuntimeError(
            "linear_cross_entropy: backward ran twice through the same loss "
            "(retain_graph / double backward are not supported)"
        )
    return grad


UNDERFLOW = 1e-30  # below this a float32 probability has lost digits: take -log p from the logits


class _LinearCrossEntropyBF16(torch.autograd.Function):
    """:class:`_LinearCrossEntropy` with bfloat16 logits and products (see the module's doc)."""

    @staticmethod
    def forward(
        ctx: Any, hidden: Tensor, weight: Tensor, bias: Tensor | None, targets: Tensor
    ) -> Tensor:
        with torch.autocast("cpu", enabled=False):
            n, vocab = hidden.size(0), weight.size(0)
            low_h = hidden.to(torch.bfloat16)
            low_w = POOL.take(weight.numel(), low_h).view_as(weight).copy_(weight)
            flat = POOL.take(n * vocab, low_h)
            grad = flat.view(n, vocab)
            low_b = None if bias is None else bias.to(torch.bfloat16)
            _logits(low_h, low_w, low_b, out=grad)
            torch._softmax(grad, 1, False, out=grad)
            index = targets.view(-1, 1)
            probs = grad.gather(1, index).float()
            exact = (hidden.float(), weight.float(), None if bias is None else bias.float())
            loss = _target_nll_exact(probs, index, *exact).sum() / n
            rows = torch.arange(n, device=grad.device)  # index_put_: scatter_add_ copies bf16
            grad.index_put_((rows, targets), grad.new_full((n,), -1.0), accumulate=True)
        ctx.save_for_backward(low_h, low_w)
        ctx.types = (hidden.dtype, weight.dtype, None if bias is None else bias.dtype)
        ctx.grad = grad
        return loss

    @staticmethod
    @once_differentiable
    def backward(
        ctx: Any, grad_output: Tensor
    ) -> tuple[Tensor | None, Tensor | None, Tensor | None, None]:
        low_h, low_w = ctx.saved_tensors
        grad = _take_grad(ctx)
        scale = grad_output.float() / low_h.size(0)
        h_type, w_type, b_type = ctx.types
        grad_h = grad_w = grad_b = None
        with torch.autocast("cpu", enabled=False):
            if ctx.needs_input_grad[0]:
                grad_h = _scaled(torch.mm(grad, low_w), scale, h_type)
            if ctx.needs_input_grad[1]:
                product = POOL.take(low_w.numel(), low_w).view_as(low_w)
                torch.mm(grad.t(), low_h, out=product)
                out = POOL.take(product.numel(), product, w_type).view_as(product)
                grad_w = POOL.lend(out.copy_(product).mul_(scale))
                POOL.give(product)
            if b_type is not None and ctx.needs_input_grad[2]:
                grad_b = _scaled(grad.sum(0), scale, b_type)  # summed in fp32 inside
        POOL.give(grad)
        POOL.give(low_w)
        return grad_h, grad_w, grad_b, None


def _scaled(product: Tensor, scale: Tensor, dtype: torch.dtype) -> Tensor:
    """``product * scale`` as ``dtype`` in one pass (cast and scale together; the scale stays a
    float, the product is rounded once more to ``product``'s precision, without bias)."""
    out = product.new_empty(product.shape, dtype=dtype)
    return torch.mul(product, float(scale), out=out)


def _target_nll_exact(
    probs: Tensor, index: Tensor, hidden: Tensor, weight: Tensor, bias: Tensor | None
) -> Tensor:
    """``-log p(target)`` from (low-precision) softmax probabilities, the rows where ``p``
    underflows recomputed exactly from fp32 logits."""
    nll = -probs.log()
    tiny = (probs < UNDERFLOW).view(-1).nonzero().view(-1)
    if tiny.numel():
        logits = _logits(hidden[tiny], weight, bias)
        nll[tiny] = torch.logsumexp(logits, 1, keepdim=True) - logits.gather(1, index[tiny])
    return nll


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
    needs_grad = torch.is_grad_enabled() and any(
        t is not None and t.requires_grad for t in (hidden, weight, bias)
    )
    if _bf16_autocast(hidden, weight):
        if needs_grad:
            return _LinearCrossEntropyBF16.apply(hidden.contiguous(), weight, bias, targets)
        with torch.autocast("cpu", enabled=False):  # reported perplexities: fp32, exact
            return _nll_no_grad(hidden.float().contiguous(), weight, bias, targets)
    plain = (
        hidden.device.type != "cpu"
        or torch.is_autocast_enabled("cpu")
        or hidden.dtype != weight.dtype
        or hidden.size(0) == 0
    )
    if plain:
        return F.cross_entropy(F.linear(hidden, weight, bias), targets)
    hidden = hidden.contiguous()
    if not needs_grad:
        return _nll_no_grad(hidden, weight, bias, targets)
    return _LinearCrossEntropy.apply(hidden, weight, bias, targets)


def _bf16_autocast(hidden: Tensor, weight: Tensor) -> bool:
    """CPU autocast to bfloat16 around fp32 master weights (``precision=bf16-mixed``)."""
    return (
        hidden.device.type == "cpu"
        and hidden.size(0) > 0
        and weight.dtype == torch.float32
        and torch.is_autocast_enabled("cpu")
        and torch.get_autocast_dtype("cpu") == torch.bfloat16
    )
