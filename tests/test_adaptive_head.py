"""AdaptiveHead: exact adaptive-softmax log-probabilities and NLL, its config checks and default
cutoffs."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules import AdaptiveHead, default_cutoffs

VOCAB, DIM, CUTOFFS = 13, 16, [4, 9]  # shortlist of 4, tail clusters of 5 and 4 ids


def make_head(**kwargs) -> AdaptiveHead:
    torch.manual_seed(0)
    return AdaptiveHead(DIM, VOCAB, kwargs.pop("cutoffs", CUTOFFS), **kwargs)


def test_log_probs_are_a_normalised_distribution_for_any_leading_shape():
    head = make_head()
    for shape in [(DIM,), (6, DIM), (5, 3, DIM)]:  # one position, (N, d), (seq, batch, d)
        lp = head.log_probs(torch.randn(*shape))
        assert lp.shape == shape[:-1] + (VOCAB,)
        assert torch.allclose(lp.exp().sum(-1), torch.ones(shape[:-1]), atol=1e-5)
        assert (lp <= 0).all()
    hidden = torch.randn(5, 3, DIM)
    assert torch.equal(head(hidden), head.log_probs(hidden))
    assert torch.allclose(
        F.log_softmax(head(hidden), -1), head(hidden), atol=1e-5
    )  # valid as logits


def test_log_probs_are_the_two_level_factorisation():
    """log p(w) = log p_head(cluster of w) + log p_cluster(w), computed independently of torch's
    log_prob."""
    head = make_head()
    h = torch.randn(4, DIM)
    head_lp = F.log_softmax(head.asm.head(h), -1)
    expected = [head_lp[:, :4]]
    for i, (lo, hi) in enumerate([(4, 9), (9, 13)]):
        cluster = head.asm.tail[i](h)
        assert cluster.shape == (4, hi - lo)
        expected.append(head_lp[:, 4 + i : 5 + i] + F.log_softmax(cluster, -1))
    assert torch.allclose(head.log_probs(h), torch.cat(expected, -1), atol=1e-6)
    # projections shrink by div_value per cluster: 16 // 4 = 4, then 16 // 16 = 1
    assert [t[0].out_features for t in head.asm.tail] == [4, 1]


def test_nll_is_cross_entropy_of_the_full_log_probs():
    head = make_head()
    hidden = torch.randn(7, 3, DIM)
    targets = torch.randint(0, VOCAB, (7, 3))
    targets[0] = torch.tensor([0, 8, 12])  # make sure every cluster and both edges of each are hit
    targets[1] = torch.tensor([3, 4, 9])
    nll = head.nll(hidden, targets)
    assert nll.shape == ()
    full = F.cross_entropy(head.log_probs(hidden).view(-1, VOCAB), targets.view(-1))
    assert abs(nll.item() - full.item()) < 1e-5
    by_hand = -head.log_probs(hidden).gather(-1, targets.unsqueeze(-1)).mean()
    assert abs(nll.item() - by_hand.item()) < 1e-5
    one = head.nll(hidden[0, 0], targets[0, 0])  # a single position
    assert abs(one.item() + head.log_probs(hidden[0, 0])[targets[0, 0]].item()) < 1e-5


def test_nll_rejects_mismatched_shapes_and_out_of_range_targets():
    head = make_head()
    with pytest.raises(ValueError, match="must agree"):
        head.nll(torch.randn(4, 2, DIM), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="input_dim=16"):
        head.log_probs(torch.randn(4, DIM + 1))
    with pytest.raises(RuntimeError, match="Target values"):
        head.nll(torch.randn(2, DIM), torch.tensor([0, VOCAB]))


def test_gradients_reach_every_parameter_and_sgd_lowers_the_loss():
    torch.manual_seed(0)
    encoder = nn.Linear(DIM, DIM)  # a tiny "model": fixed inputs -> hidden -> adaptive head
    head = AdaptiveHead(DIM, VOCAB, CUTOFFS)
    inputs = torch.randn(32, DIM)
    targets = torch.cat([torch.arange(VOCAB), torch.randint(0, VOCAB, (32 - VOCAB,))])
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.5)
    first = head.nll(encoder(inputs), targets)
    first.backward()
    for name, p in head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert encoder.weight.grad.abs().sum() > 0
    losses = [first.item()]
    opt.step()
    for _ in range(30):
        opt.zero_grad()
        loss = head.nll(encoder(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(math.log(VOCAB), rel=0.3)  # starts near uniform
    assert losses[-1] < 0.7 * losses[0]


def test_head_bias_and_default_cutoffs_are_used():
    assert make_head().asm.head.bias is not None
    assert make_head(head_bias=False).asm.head.bias is None
    head = AdaptiveHead(DIM, 100, cutoffs=None)
    assert head.cutoffs == default_cutoffs(100) == [10, 50]
    assert head.asm.cutoffs == [10, 50, 100]


@pytest.mark.parametrize(
    "cutoffs",
    [[], [9, 4], [4, 4], [0, 4], [-1], [4, VOCAB], [4, 20], [4.0, 9], [True], "4,9", 4],
    ids=[
        "empty",
        "decreasing",
        "repeated",
        "zero",
        "negative",
        "vocab",
        "beyond",
        "float",
        "bool",
        "string",
        "scalar",
    ],
)
def test_bad_cutoffs_are_one_line_config_errors_naming_the_key(cutoffs):
    with pytest.raises(ConfigError, match=r"task\.adaptive_cutoffs .*vocab_size=13") as err:
        AdaptiveHead(DIM, VOCAB, cutoffs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("div_value", [0, -1.0, "4", True, float("nan")])
def test_bad_div_value_is_a_config_error(div_value):
    with pytest.raises(ConfigError, match=r"task\.adaptive_div_value must be a number > 0"):
        AdaptiveHead(DIM, VOCAB, CUTOFFS, div_value=div_value)


def test_div_value_that_empties_a_projection_is_refused():
    with pytest.raises(
        ConfigError, match=r"task\.adaptive_div_value=4.0 is too large for input_dim=16"
    ):
        AdaptiveHead(DIM, VOCAB, [2, 4, 9])  # 16 // 4**3 = 0
    AdaptiveHead(DIM, VOCAB, [2, 4, 9], div_value=2.0)  # 16 // 2**3 = 2 is fine


def test_tied_weights_are_refused_naming_the_key():
    with pytest.raises(ConfigError, match=r"task\.tie_weights"):
        AdaptiveHead(DIM, VOCAB, CUTOFFS, tie_to=nn.Embedding(VOCAB, DIM))


def test_default_cutoffs_rule():
    assert default_cutoffs(267_735) == [20_000, 40_000, 200_000]  # WikiText-103: the standard three
    assert default_cutoffs(100_000) == [20_000, 40_000]  # 200k does not fit
    assert default_cutoffs(44_445) == [20_000, 40_000]  # 40000 <= 0.9 * 44445
    assert default_cutoffs(44_444) == [20_000]  # 40000 would leave the last cluster under a tenth
    assert default_cutoffs(22_223) == [20_000]
    assert default_cutoffs(22_222) == [2_222, 11_111]  # small: tenth and half
    assert default_cutoffs(10_000) == [1_000, 5_000]  # PTB-sized
    assert default_cutoffs(15) == [1, 7]
    assert default_cutoffs(5) == [2]
    assert default_cutoffs(2) == [1]
    for v in [2, 3, 7, 10, 101, 9_999, 22_222, 22_223, 50_000, 267_735, 10**6]:
        cutoffs = default_cutoffs(v)
        assert cutoffs == sorted(set(cutoffs)) and 0 < cutoffs[0] and cutoffs[-1] < v
        if v <= 10_000:  # accepted by the constructor (larger ones skipped only to stay fast)
            AdaptiveHead(64, v, cutoffs)
    with pytest.raises(ConfigError, match="at least 2"):
        default_cutoffs(1)


def test_every_tail_cluster_gets_a_gradient_even_without_its_targets():
    """DDP (find_unused_parameters=False) fails at the next step if a parameter got no gradient."""
    torch.manual_seed(0)
    head = AdaptiveHead(8, 40, [10, 25], div_value=2.0)
    hidden = torch.randn(6, 8, requires_grad=True)
    head.nll(hidden, torch.randint(0, 10, (6,))).backward()  # every target in the head cluster
    assert all(p.grad is not None for p in head.parameters())
