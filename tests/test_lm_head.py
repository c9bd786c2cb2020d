"""LMHead maps hidden states to logits and can share its weight with the embedding."""

import pytest
import torch
from torch import nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules import LMHead

VOCAB = 11


def test_untied_head_is_a_linear_map_to_the_vocabulary():
    torch.manual_seed(0)
    head = LMHead(5, VOCAB)
    hidden = torch.randn(4, 3, 5)
    logits = head(hidden)
    assert logits.shape == (4, 3, VOCAB)
    assert head.projection is None
    assert torch.allclose(logits, hidden @ head.decoder.weight.T + head.decoder.bias)


def test_tying_shares_the_embedding_parameter_and_its_storage():
    embedding = nn.Embedding(VOCAB, 5)
    head = LMHead(5, VOCAB, tie_to=embedding)
    assert head.decoder.weight is embedding.weight
    assert head.decoder.weight.data_ptr() == embedding.weight.data_ptr()
    model = nn.ModuleList([embedding, head])
    assert (
        sum(p.numel() for p in model.parameters()) == VOCAB * 5 + VOCAB
    )  # shared weight counted once
    hidden = torch.randn(2, 5)
    before = head(hidden)
    with torch.no_grad():
        embedding.weight.mul_(2.0)
    assert torch.allclose(
        head(hidden) - head.decoder.bias, 2 * (before - head.decoder.bias), atol=1e-6
    )


def test_projection_is_inserted_when_sizes_differ():
    torch.manual_seed(0)
    embedding = nn.Embedding(VOCAB, 4)
    head = LMHead(7, VOCAB, tie_to=embedding)
    assert isinstance(head.projection, nn.Linear)
    assert head.projection.weight.shape == (4, 7) and head.projection.bias is None
    hidden = torch.randn(3, 2, 7)
    logits = head(hidden)
    assert logits.shape == (3, 2, VOCAB)
    expected = (hidden @ head.projection.weight.T) @ embedding.weight.T + head.decoder.bias
    assert torch.allclose(logits, expected, atol=1e-6)
    assert LMHead(4, VOCAB, tie_to=embedding).projection is None


@pytest.mark.parametrize("input_dim", [4, 7])
def test_gradients_flow_into_the_tied_embedding(input_dim):
    torch.manual_seed(0)
    embedding = nn.Embedding(VOCAB, 4)
    head = LMHead(input_dim, VOCAB, tie_to=embedding)
    head(torch.randn(6, input_dim)).pow(2).sum().backward()
    assert embedding.weight.grad is not None and embedding.weight.grad.abs().sum() > 0
    if head.projection is not None:
        assert head.projection.weight.grad.abs().sum() > 0


def test_bias_can_be_switched_off():
    assert LMHead(5, VOCAB, bias=False).decoder.bias is None


@pytest.mark.parametrize(
    "args,key",
    [
        ((0, VOCAB), "lm_head.input_dim"),
        ((5, 0), "lm_head.vocab_size"),
        ((5, VOCAB + 1, "tie"), "lm_head.vocab_size"),
    ],
)
def test_invalid_settings_raise_config_error(args, key):
    if args[-1] == "tie":
        args = (*args[:2], nn.Embedding(VOCAB, 5))
    with pytest.raises(ConfigError, match=key):
        LMHead(*args)
