"""LockedDropout shares one mask over time; embedding_dropout drops whole word types."""

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules import LockedDropout, embedding_dropout


def test_locked_mask_is_constant_over_time_and_differs_between_sequences():
    torch.manual_seed(0)
    x = torch.randn(6, 8, 10)
    out = LockedDropout(0.5)(x)
    ratio = out / x
    assert torch.allclose(ratio, ratio[:1].expand_as(ratio))  # same mask at every step
    assert set(ratio.unique().tolist()) == {0.0, 2.0}
    assert not torch.equal(ratio[0, 0], ratio[0, 1])  # each sequence has its own mask


def test_locked_mask_is_constant_over_time_when_batch_first():
    torch.manual_seed(0)
    out = LockedDropout(0.5, batch_first=True)(torch.ones(8, 6, 10))
    assert torch.equal(out, out[:, :1].expand_as(out))
    assert (out == 0).any() and (out == 2).any()


def test_locked_dropout_rescales_to_keep_the_mean():
    torch.manual_seed(0)
    out = LockedDropout(0.3)(torch.ones(2, 4000, 50))
    assert out.unique().tolist() == pytest.approx([0.0, 1 / 0.7])
    assert (out[0] == 0).float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert out.mean().item() == pytest.approx(1.0, abs=0.01)


def test_locked_dropout_is_identity_in_eval_and_at_zero():
    x = torch.randn(5, 3, 4)
    module = LockedDropout(0.5).eval()
    assert module(x) is x
    assert LockedDropout(0.0)(x) is x


def test_locked_dropout_on_packed_sequences_keeps_one_mask_per_sequence():
    torch.manual_seed(0)
    lengths = torch.tensor([3, 6, 1, 5])
    packed = pack_padded_sequence(torch.ones(6, 4, 30), lengths, enforce_sorted=False)
    out, _ = pad_packed_sequence(LockedDropout(0.5)(packed), total_length=6)
    for b, length in enumerate(lengths.tolist()):
        assert torch.equal(out[:length, b], out[:1, b].expand(length, 30))
        assert out[length:, b].abs().sum() == 0
    masks = out[0]
    assert (masks == 0).any() and (masks == 2).any()
    assert len({tuple(row.tolist()) for row in masks}) == 4  # independent masks


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan"), "0.5"])
def test_invalid_rates_raise_config_error(p):
    with pytest.raises(ConfigError, match=r"must be .*\[0, 1\)"):
        LockedDropout(p)
    with pytest.raises(ConfigError, match=r"must be .*\[0, 1\)"):
        embedding_dropout(nn.Embedding(3, 2), torch.tensor([0]), p, True)


def make_embedding(vocab=40, dim=6):
    torch.manual_seed(0)
    return nn.Embedding(vocab, dim)


def test_embedding_dropout_drops_whole_rows_and_rescales():
    embedding = make_embedding()
    tokens = torch.arange(40).repeat(3, 1)  # every word type three times
    torch.manual_seed(1)
    out = embedding_dropout(embedding, tokens, 0.5, training=True)
    full = embedding(tokens)
    dropped = out.abs().sum(-1) == 0  # (3, 40)
    assert torch.equal(
        dropped, dropped[:1].expand_as(dropped)
    )  # a word is dropped everywhere or nowhere
    assert dropped[0].any() and not dropped[0].all()
    assert torch.allclose(out[~dropped], full[~dropped] * 2)


def test_embedding_dropout_rate_and_gradients():
    embedding = make_embedding(vocab=3000, dim=2)
    torch.manual_seed(2)
    out = embedding_dropout(embedding, torch.arange(3000), 0.25, training=True)
    kept = out.abs().sum(-1) > 0
    assert (~kept).float().mean().item() == pytest.approx(0.25, abs=0.03)
    out.sum().backward()
    grad = embedding.weight.grad
    assert torch.all(grad[~kept] == 0)
    assert torch.allclose(grad[kept], torch.full_like(grad[kept], 1 / 0.75))


def test_embedding_dropout_is_plain_lookup_in_eval_and_at_zero():
    embedding = make_embedding()
    tokens = torch.tensor([[1, 2, 3], [3, 2, 1]])
    assert torch.equal(embedding_dropout(embedding, tokens, 0.5, training=False), embedding(tokens))
    assert torch.equal(embedding_dropout(embedding, tokens, 0.0, training=True), embedding(tokens))
