"""The pool of large buffers: memory is reused across steps, never while someone holds it."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lstm_nlp.modules.buffer_pool import POOL, BufferPool
from lstm_nlp.modules.dropout import embedding_dropout
from lstm_nlp.modules.embedding_lookup import lookup
from lstm_nlp.modules.linear_cross_entropy import linear_cross_entropy


@pytest.fixture(autouse=True)
def pool_small_buffers_too(monkeypatch):
    """The shared pool leaves buffers under a million elements to malloc; these tests use small
    ones."""
    monkeypatch.setattr(POOL, "small", 0)


def test_small_buffers_are_left_to_the_allocator():
    pool = BufferPool(small=1000)
    buf = pool.take(999, torch.empty(0))
    assert not pool.pays(999) and pool.pays(1000)
    pool.give(buf)
    assert pool._free == {}


def test_a_given_buffer_comes_back_only_once_its_views_are_gone():
    pool = BufferPool(small=0)
    like = torch.empty(0)
    buf = pool.take(100, like)
    view = buf.view(10, 10)
    pointer = buf.data_ptr()
    pool.give(buf)
    del buf
    assert pool.take(100, like).data_ptr() != pointer  # `view` still holds the memory
    del view
    assert pool.take(100, like).data_ptr() == pointer
    assert pool.take(100, like, torch.float64).dtype == torch.float64


def test_a_lent_tensor_is_reused_after_its_holder_lets_go_and_not_before():
    pool = BufferPool(small=0)
    like = torch.empty(0)
    lent = pool.lend(pool.take(50, like).view(5, 10).fill_(3.0))
    pointer = lent.data_ptr()
    assert pool.take(50, like).data_ptr() != pointer
    assert lent.eq(3.0).all()
    del lent
    assert pool.take(50, like).data_ptr() == pointer


def test_the_pool_keeps_its_largest_buffers_only():
    pool = BufferPool(keep=2, small=0)
    like = torch.empty(0)
    taken = [pool.take(n, like) for n in (10, 20, 30)]
    pointers = [t.data_ptr() for t in taken]
    for t in taken:
        pool.give(t)
    del taken, t
    assert pool.take(5, like).data_ptr() == pointers[1]  # 10 was dropped; best fit of the rest
    pool.clear()
    assert pool.take(30, like).data_ptr() not in pointers


def _step(weight: nn.Parameter, seed: int) -> None:
    torch.manual_seed(seed)
    hidden = torch.randn(12, weight.size(1))
    targets = torch.randint(weight.size(0), (12,))
    linear_cross_entropy(hidden, weight, None, targets).backward()


def _expected_grad(weight: nn.Parameter, seed: int) -> torch.Tensor:
    torch.manual_seed(seed)
    hidden = torch.randn(12, weight.size(1))
    targets = torch.randint(weight.size(0), (12,))
    w = weight.detach().clone().requires_grad_()
    F.cross_entropy(F.linear(hidden, w), targets).backward()
    return w.grad


def test_the_output_layer_gradient_is_stored_without_a_copy_and_its_memory_reused():
    weight = nn.Parameter(torch.randn(1237, 8))  # a size no other test uses
    _step(weight, 0)
    first = weight.grad.data_ptr()
    weight.grad = None  # optimizer.zero_grad()
    other = torch.empty_like(weight)  # memory freed to the allocator would go here
    _step(weight, 1)
    assert weight.grad.data_ptr() == first != other.data_ptr()
    torch.testing.assert_close(weight.grad, _expected_grad(weight, 1))


def test_a_gradient_someone_keeps_is_never_overwritten():
    weight = nn.Parameter(torch.randn(1239, 8))
    _step(weight, 0)
    kept = weight.grad
    expected = kept.clone()
    weight.grad = None
    _step(weight, 1)
    assert weight.grad.data_ptr() != kept.data_ptr()
    torch.testing.assert_close(kept, expected, rtol=0, atol=0)
    torch.testing.assert_close(weight.grad, _expected_grad(weight, 1))


def test_gradients_of_two_backward_passes_add_up():
    weight = nn.Parameter(torch.randn(1241, 8))
    _step(weight, 0)
    _step(weight, 1)  # accumulate_grad_batches: no zero_grad in between
    torch.testing.assert_close(weight.grad, _expected_grad(weight, 0) + _expected_grad(weight, 1))


def test_lookup_equals_nn_embedding_in_value_and_gradient_and_reuses_memory():
    embedding = nn.Embedding(1243, 6)
    tokens = torch.tensor([[3, 5, 3], [1242, 0, 5]])
    out = lookup(embedding, tokens)
    torch.testing.assert_close(out, embedding(tokens), rtol=0, atol=0)
    grad_out = torch.randn_like(out)
    out.backward(grad_out)
    ref = embedding.weight.detach().clone().requires_grad_()
    F.embedding(tokens, ref).backward(grad_out)
    torch.testing.assert_close(embedding.weight.grad, ref.grad, rtol=0, atol=0)
    first = embedding.weight.grad.data_ptr()
    embedding.weight.grad = None
    other = torch.empty_like(embedding.weight)  # memory freed to the allocator would go here
    lookup(embedding, tokens[:, :1]).sum().backward()  # the memory is zeroed before use
    assert embedding.weight.grad.data_ptr() == first != other.data_ptr()
    assert embedding.weight.grad.sum().item() == 2 * 6


def test_embedding_dropout_gives_the_masked_matrix_values_and_gradients():
    for options in ({}, {"padding_idx": 0}):
        embedding = nn.Embedding(40, 5, **options)
        tokens = torch.randint(40, (7, 3))
        torch.manual_seed(4)
        out = embedding_dropout(embedding, tokens, 0.5, training=True)
        grad_out = torch.randn_like(out)
        out.backward(grad_out)
        torch.manual_seed(4)
        keep = torch.empty(40, 1).bernoulli_(0.5).div_(0.5)
        ref = embedding.weight.detach().clone().requires_grad_()
        expected = F.embedding(tokens, ref * keep, embedding.padding_idx)
        torch.testing.assert_close(out, expected, rtol=0, atol=0)
        expected.backward(grad_out)
        torch.testing.assert_close(embedding.weight.grad, ref.grad)
        assert (keep == 0).any() and (keep != 0).any()
