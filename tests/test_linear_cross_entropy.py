"""The fused output layer + loss equals PyTorch's linear + cross_entropy in value and gradients."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lstm_nlp.modules import LMHead
from lstm_nlp.modules.buffer_pool import POOL
from lstm_nlp.modules.linear_cross_entropy import linear_cross_entropy


def reference(hidden, weight, bias, targets):
    logits = F.linear(hidden, weight, bias)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


def leaves(seed, rows=(7, 3), dim=6, vocab=29, bias=True, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    hidden = (torch.randn(*rows, dim, generator=g) * scale).requires_grad_()
    weight = (torch.randn(vocab, dim, generator=g) * scale).requires_grad_()
    b = torch.randn(vocab, generator=g).requires_grad_() if bias else None
    targets = torch.randint(vocab, rows, generator=g)
    return hidden, weight, b, targets


def grads(loss_fn, hidden, weight, bias, targets, upstream=1.0):
    tensors = [t for t in (hidden, weight, bias) if t is not None]
    loss = loss_fn(hidden, weight, bias, targets)
    return loss.detach(), torch.autograd.grad(loss * upstream, tensors)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "scale", [1.0, 30.0]
)  # 30: logits in the hundreds, log-softmax must stay stable
def test_value_and_gradients_match_pytorch(bias, scale):
    hidden, weight, b, targets = leaves(0, bias=bias, scale=scale)
    ref_loss, ref_grads = grads(reference, hidden, weight, b, targets, upstream=2.5)
    loss, got = grads(linear_cross_entropy, hidden, weight, b, targets, upstream=2.5)
    torch.testing.assert_close(loss, ref_loss, rtol=1e-5, atol=1e-5)
    for g, r in zip(got, ref_grads):
        torch.testing.assert_close(g, r, rtol=1e-4, atol=1e-5)


def test_double_precision_is_exact_to_rounding():
    hidden, weight, b, targets = leaves(1)
    hidden, weight, b = (t.detach().double().requires_grad_() for t in (hidden, weight, b))
    ref_loss, ref_grads = grads(reference, hidden, weight, b, targets)
    loss, got = grads(linear_cross_entropy, hidden, weight, b, targets)
    torch.testing.assert_close(loss, ref_loss, rtol=1e-12, atol=1e-12)
    for g, r in zip(got, ref_grads):
        torch.testing.assert_close(g, r, rtol=1e-10, atol=1e-12)


def test_without_gradients_only_the_loss_is_computed():
    hidden, weight, b, targets = leaves(2)
    with torch.no_grad():
        loss = linear_cross_entropy(hidden, weight, b, targets)
        assert not loss.requires_grad
        torch.testing.assert_close(loss, reference(hidden, weight, b, targets))


def test_only_requested_gradients_are_returned():
    hidden, weight, b, targets = leaves(3)
    frozen = weight.detach()
    loss = linear_cross_entropy(hidden, frozen, b, targets)
    loss.backward()
    ref = hidden.detach().clone().requires_grad_()
    reference(ref, frozen, b.detach(), targets).backward()
    torch.testing.assert_close(hidden.grad, ref.grad)
    assert frozen.grad is None


def test_the_buffer_is_reused_across_steps_and_two_pending_graphs_do_not_share_it(monkeypatch):
    monkeypatch.setattr(POOL, "small", 0)  # pool these small buffers too
    hidden, weight, b, targets = leaves(4)
    other = leaves(5)
    first = linear_cross_entropy(hidden, weight, b, targets)
    second = linear_cross_entropy(*other)  # a second forward before the first backward
    g_first = torch.autograd.grad(first, [hidden, weight, b])
    g_second = torch.autograd.grad(second, list(other[:3]))
    for got, (h, w, bb, t) in ((g_first, (hidden, weight, b, targets)), (g_second, other)):
        for g, r in zip(got, torch.autograd.grad(reference(h, w, bb, t), [h, w, bb])):
            torch.testing.assert_close(g, r, rtol=1e-4, atol=1e-6)
    POOL.clear()
    size = hidden.numel() // hidden.size(-1) * weight.size(0)
    buf, again = POOL.take(size, hidden), POOL.take(size, hidden)
    assert buf.data_ptr() != again.data_ptr()  # handed out once at a time
    pointers = {buf.data_ptr(), again.data_ptr()}
    POOL.give(buf)
    POOL.give(again)
    del buf, again
    linear_cross_entropy(hidden, weight, b, targets).backward()
    assert POOL.take(size, hidden).data_ptr() in pointers  # the step used a pooled buffer


def test_lm_head_nll_matches_its_logits_with_and_without_projection():
    embedding = nn.Embedding(29, 4)
    for head in (LMHead(6, 29), LMHead(6, 29, tie_to=embedding)):
        hidden = torch.randn(5, 2, 6, requires_grad=True)
        targets = torch.randint(29, (5, 2))
        ref = F.cross_entropy(head(hidden).reshape(-1, 29), targets.reshape(-1))
        torch.testing.assert_close(head.nll(hidden, targets), ref)
        params = [hidden, *head.parameters()]
        for g, r in zip(
            torch.autograd.grad(head.nll(hidden, targets), params), torch.autograd.grad(ref, params)
        ):
            torch.testing.assert_close(g, r, rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(head.log_probs(hidden).exp().sum(-1), torch.ones(5, 2))


def test_a_target_probability_that_underflows_still_gives_the_exact_loss():
    # one-hot hidden states pick rows of the weight: the target's logit is -300, the others 0,
    # so p(target) = e^-300 / (V-1) underflows to 0 in float32; -log p is still 300 + log(V-1)
    vocab = 8
    hidden = torch.eye(4, 5)[:, :5].requires_grad_()
    weight = torch.zeros(vocab, 5)
    targets = torch.tensor([1, 2, 3, 1])
    weight[1, 0], weight[2, 1], weight[3, 2] = -300.0, -300.0, -300.0
    weight[1, 3] = -300.0
    weight.requires_grad_()
    loss = linear_cross_entropy(hidden, weight, None, targets)
    expected = reference(hidden.double(), weight.double(), None, targets)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss.double(), expected.detach(), rtol=1e-6, atol=1e-4)
    loss.backward()
    assert torch.isfinite(hidden.grad).all() and torch.isfinite(weight.grad).all()


def test_a_buffer_from_inference_mode_serves_a_training_step():
    hidden, weight, b, targets = leaves(6, rows=(11, 13))  # a size no other test uses
    with torch.inference_mode():
        linear_cross_entropy(
            hidden, weight, b, targets
        )  # pools an inference tensor (as validation does)
    loss = linear_cross_entropy(hidden, weight, b, targets)
    loss.backward()
    ref = [t.detach().clone().requires_grad_() for t in (hidden, weight, b)]
    reference(*ref, targets).backward()
    torch.testing.assert_close(hidden.grad, ref[0].grad, rtol=1e-4, atol=1e-6)


def test_a_second_backward_through_the_same_loss_is_refused_clearly():
    hidden, weight, b, targets = leaves(7)
    loss = linear_cross_entropy(hidden, weight, b, targets)
    torch.autograd.grad(loss, [hidden], retain_graph=True)
    with pytest.raises(RuntimeError, match="backward ran twice"):
        loss.backward()
