"""Dynamic evaluation against a slow token-by-token implementation of Krause et al.'s update
rules, its gradient statistics, and its search."""

import copy
import math
import random

import numpy as np
import pytest
import torch
from eval_helpers import tiny_model

from lstm_nlp.perplexity.dynamic import Adapter, gradient_stats
from lstm_nlp.perplexity.options import DynamicOptions
from lstm_nlp.perplexity.search import search_dynamic
from lstm_nlp.perplexity.stream import score_stream
from lstm_nlp.perplexity.texts import Text
from lstm_nlp.perplexity.windows import target_logprobs, windows

WORDS = "the cat dog bird sees likes eats near a red".split()


@pytest.fixture(scope="module")
def model_and_ids():
    model, tok = tiny_model(words=WORDS, hidden=8, layers=1, seed=5)
    rng = random.Random(2)
    ids = [tok.token_to_id(rng.choice(WORDS + ["<eos>"])) for _ in range(61)]
    return model, np.array(ids, dtype=np.int32)


def columns_of(ids, batch_size):
    rows = len(ids) // batch_size
    return torch.as_tensor(ids[: rows * batch_size].astype(np.int64)).view(batch_size, rows)


def segment_loss(model, columns, start, stop, hidden):
    """Mean -log p over steps start..stop-1 of every column, one step at a time."""
    batch = columns.size(0)
    logs = []
    for t in range(start, stop):
        output, hidden = model.encode(columns[:, t].view(1, batch), hidden)
        p = torch.softmax(model.decoder(output[0]), -1)
        logs.append(torch.log(p[torch.arange(batch), columns[:, t + 1]]))
    return -torch.stack(logs).mean(), torch.stack(logs).detach().exp(), hidden


def slow_stats(model, ids, batch_size, bptt):
    """RMS over segments of each weight's gradient of the segment's mean loss."""
    model = copy.deepcopy(model)
    columns = columns_of(ids, batch_size)
    squares = {n: torch.zeros_like(p) for n, p in model.named_parameters()}
    hidden, count = None, 0
    for start in range(0, columns.size(1) - 1, bptt):
        model.zero_grad()
        stop = min(start + bptt, columns.size(1) - 1)
        loss, _, hidden = segment_loss(model, columns, start, stop, hidden)
        loss.backward()
        for n, p in model.named_parameters():
            squares[n] += p.grad**2
        hidden = tuple(h.detach() for h in hidden)
        count += 1
    return {n: torch.sqrt(s / count) for n, s in squares.items()}


def slow_dynamic(model, ids, batch_size, bptt, method, lr, lamb, epsilon=2e-5, ms=None):
    """p(target) per (step, column): score a segment token by token, then
    sgd: w += lamb (w0 - w) - lr g;  rms: w += lamb min(MS / mean MS, 1/lamb) (w0 - w) - lr g /
    (MS + epsilon), mean MS the mean over parameters of each one's mean."""
    model = copy.deepcopy(model)
    trained = {n: p.detach().clone() for n, p in model.named_parameters()}
    if method == "rms":
        mean = sum(m.mean() for m in ms.values()) / len(ms)
        decay = {
            n: lamb * torch.clamp(m / mean, max=1 / lamb) if lamb else 0 * m for n, m in ms.items()
        }
    columns = columns_of(ids, batch_size)
    out, hidden = [], None
    for start in range(0, columns.size(1) - 1, bptt):
        model.zero_grad()
        stop = min(start + bptt, columns.size(1) - 1)
        loss, probs, hidden = segment_loss(model, columns, start, stop, hidden)
        out.append(probs)
        loss.backward()
        with torch.no_grad():
            for n, p in model.named_parameters():
                if method == "sgd":
                    p += lamb * (trained[n] - p) - lr * p.grad
                else:
                    p += decay[n] * (trained[n] - p) - lr * p.grad / (ms[n] + epsilon)
        hidden = tuple(h.detach() for h in hidden)
    return torch.cat(out).double()


def fast_dynamic(model, ids, batch_size, bptt, adapter):
    """p(target) per (step, column) from Adapter, window by window as score_stream reads."""
    hidden, parts = None, []
    try:
        for inputs, targets in windows(ids, batch_size, bptt):
            output, hidden = model.encode(inputs, hidden)
            logprobs = target_logprobs(model, output, targets)
            parts.append(logprobs.detach().exp().double())
            adapter.step(-logprobs.mean())
            hidden = tuple(h.detach() for h in hidden)
    finally:
        adapter.restore()
    return torch.cat(parts)


def test_gradient_statistics_match_a_plain_loop(model_and_ids):
    model, ids = model_and_ids
    stats = gradient_stats(model, ids, 3, 4)
    slow = slow_stats(model, ids, 3, 4)
    assert stats.windows == math.ceil((len(ids) // 3 - 1) / 4)
    assert stats.tokens == (len(ids) // 3 - 1) * 3
    for (name, _), rms in zip(model.named_parameters(), stats.rms):
        torch.testing.assert_close(rms, slow[name], atol=1e-6, rtol=1e-5)
    assert gradient_stats(model, ids, 3, 4, max_windows=2).windows == 2


@pytest.mark.parametrize(
    "batch_size,bptt,lr,lamb", [(1, 5, 0.5, 0.0), (3, 4, 0.3, 0.1), (2, 7, 1.0, 1.0)]
)
def test_sgd_probabilities_match_the_token_by_token_update(
    model_and_ids, batch_size, bptt, lr, lamb
):
    model, ids = model_and_ids
    before = copy.deepcopy(model.state_dict())
    adapter = Adapter(model, "sgd", lr, lamb)
    fast = fast_dynamic(model, ids, batch_size, bptt, adapter)
    slow = slow_dynamic(model, ids, batch_size, bptt, "sgd", lr, lamb)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=0)
    plain = slow_dynamic(model, ids, batch_size, bptt, "sgd", 1e-12, 0.0)
    assert (fast - plain).abs().max() > 1e-3  # the weights did move
    for key, value in model.state_dict().items():  # and are back where they were
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize("lamb", [0.0, 0.02, 0.6])  # 0.6: the 1/lamb clip bites
def test_rms_probabilities_match_the_token_by_token_update(model_and_ids, lamb):
    model, ids = model_and_ids
    stats = gradient_stats(model, ids[:40], 2, 5)
    ms = dict(zip([n for n, _ in model.named_parameters()], stats.rms))
    if lamb == 0.6:
        mean = sum(m.mean() for m in ms.values()) / len(ms)
        assert any(bool((m / mean > 1 / lamb).any()) for m in ms.values())
    adapter = Adapter(model, "rms", 0.02, lamb, epsilon=1e-3, stats=stats)
    fast = fast_dynamic(model, ids, 2, 6, adapter)
    slow = slow_dynamic(model, ids, 2, 6, "rms", 0.02, lamb, epsilon=1e-3, ms=ms)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=0)


def test_score_stream_sums_the_adapted_probabilities(model_and_ids):
    model, ids = model_and_ids
    adapter = Adapter(model, "sgd", 0.4, 0.05)
    try:
        scored = score_stream(model, ids, 3, 4, adapter=adapter)
    finally:
        adapter.restore()
    slow = slow_dynamic(model, ids, 3, 4, "sgd", 0.4, 0.05)
    assert scored.tokens == slow.numel()
    assert scored.nll == pytest.approx(-float(slow.log().sum()), rel=1e-6)


def test_adapting_to_a_repeated_text_lowers_its_perplexity(model_and_ids):
    model, ids = model_and_ids
    repeated = np.concatenate([ids[:15]] * 8)
    plain = score_stream(model, repeated, 1, 5)
    adapter = Adapter(model, "sgd", 1.0, 0.0)
    try:
        adapted = score_stream(model, repeated, 1, 5, adapter=adapter)
    finally:
        adapter.restore()
    assert math.exp(adapted.nll / adapted.tokens) < 0.85 * math.exp(plain.nll / plain.tokens)


def test_search_picks_the_best_point_and_leaves_the_trained_weights(model_and_ids, tmp_path):
    model, ids = model_and_ids
    before = copy.deepcopy(model.state_dict())
    valid = Text(tmp_path / "valid.txt", ids, len(ids), 0)
    options = DynamicOptions(
        method="sgd", search=True, search_tokens=40, lr_grid=[0.01, 0.3, 1.0], lamb_grid=[0.0, 0.5]
    )
    chosen, record = search_dynamic(model, valid, 2, 5, options, None)
    best = min(record["grid"], key=lambda p: p["ppl"])
    assert len(record["grid"]) == 6 and (chosen.lr, chosen.lamb) == (best["lr"], best["lamb"])
    slow = slow_dynamic(model, ids[:40], 2, 5, "sgd", chosen.lr, chosen.lamb)
    assert best["ppl"] == pytest.approx(math.exp(-float(slow.log().mean())), rel=1e-5)
    assert record["tokens_scored"] == (40 // 2 - 1) * 2
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
