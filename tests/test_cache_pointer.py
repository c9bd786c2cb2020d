"""The neural cache pointer against a slow token-by-token implementation of Grave et al.'s
formula, and its grid search."""

import math
import random

import numpy as np
import pytest
import torch
from eval_helpers import tiny_model

from lstm_nlp.perplexity.cache import CacheGrid, mix
from lstm_nlp.perplexity.options import CacheOptions
from lstm_nlp.perplexity.search import search_cache
from lstm_nlp.perplexity.stream import score_stream
from lstm_nlp.perplexity.texts import Text
from lstm_nlp.perplexity.windows import target_logprobs, windows

WORDS = "the cat dog bird sees likes eats near a red".split()


@pytest.fixture(scope="module")
def model_and_ids():
    model, tok = tiny_model(words=WORDS, hidden=8, layers=1, seed=3)
    rng = random.Random(1)
    ids = [tok.token_to_id(rng.choice(WORDS + ["<eos>"])) for _ in range(83)]
    return model, np.array(ids, dtype=np.int32)


def slow_cache_probs(model, ids, batch_size, window, theta, lambdah):
    """p(target) for every (step, column): one column at a time, one token at a time, the whole
    distribution p = (1 - lambdah) softmax(model) + lambdah sum_i softmax(theta h.h_i) onehot(w_i)
    over at most ``window`` earlier positions of the column (the model alone where none)."""
    rows = len(ids) // batch_size
    columns = torch.as_tensor(ids[: rows * batch_size].astype(np.int64)).view(batch_size, rows)
    vocab = model.embedding.num_embeddings
    out = torch.zeros(rows - 1, batch_size, dtype=torch.float64)
    with torch.no_grad():
        for b in range(batch_size):
            hidden, past_h, past_w = None, [], []
            for t in range(rows - 1):
                output, hidden = model.encode(columns[b, t].view(1, 1), hidden)
                h = output[0, 0]
                p = torch.softmax(model.decoder(h), -1).double()
                target = int(columns[b, t + 1])
                if past_h:
                    keys = torch.stack(past_h[-window:])
                    attention = torch.softmax(theta * (keys @ h), -1).double()
                    p_cache = torch.zeros(vocab, dtype=torch.float64)
                    for a, w in zip(attention, past_w[-window:]):
                        p_cache[w] += a
                    p = (1 - lambdah) * p + lambdah * p_cache
                out[t, b] = p[target]
                past_h.append(h)
                past_w.append(target)
    return out


def fast_cache_probs(model, ids, batch_size, bptt, grid):
    """p(target) per (step, column) from CacheGrid, window by window as score_stream reads."""
    hidden, parts = None, []
    grid.reset()
    with torch.no_grad():
        for inputs, targets in windows(ids, batch_size, bptt):
            output, hidden = model.encode(inputs, hidden)
            logprobs = target_logprobs(model, output, targets)
            cached, has = grid.target_probs(output, targets)
            parts.append(mix(logprobs, cached, grid.lambdahs, has).exp())
    return torch.cat(parts, dim=2)  # (thetas, lambdahs, steps, columns)


@pytest.mark.parametrize("batch_size,bptt,window", [(1, 5, 7), (3, 4, 7), (2, 6, 100), (2, 3, 1)])
def test_cache_probabilities_match_the_token_by_token_formula(
    model_and_ids, batch_size, bptt, window
):
    model, ids = model_and_ids
    thetas, lambdahs = [0.0, 0.7, 2.5], [0.0, 0.3, 1.0]
    fast = fast_cache_probs(model, ids, batch_size, bptt, CacheGrid(window, thetas, lambdahs))
    for i, theta in enumerate(thetas):
        for j, lam in enumerate(lambdahs):
            slow = slow_cache_probs(model, ids, batch_size, window, theta, lam)
            assert fast[i, j].shape == slow.shape
            torch.testing.assert_close(fast[i, j], slow, atol=1e-5, rtol=0)


def test_score_stream_sums_the_same_probabilities(model_and_ids):
    model, ids = model_and_ids
    slow = slow_cache_probs(model, ids, 3, 7, 0.7, 0.3)
    scored = score_stream(model, ids, 3, 4, cache=CacheGrid(7, [0.7], [0.3]))
    assert scored.tokens == slow.numel()
    assert scored.nll == pytest.approx(-float(slow.log().sum()), rel=1e-6)
    plain = score_stream(model, ids, 3, 4)
    assert scored.model_nll == pytest.approx(plain.nll, rel=1e-9)  # the model's own, unmixed
    assert scored.nll != pytest.approx(plain.nll, rel=1e-3)


def test_a_repeated_text_is_predicted_better_with_the_cache(model_and_ids):
    model, ids = model_and_ids
    repeated = np.concatenate([ids[:20]] * 6)
    plain = score_stream(model, repeated, 1, 10)
    cached = score_stream(model, repeated, 1, 10, cache=CacheGrid(40, [1.0], [0.5]))
    assert math.exp(cached.nll / cached.tokens) < 0.8 * math.exp(plain.nll / plain.tokens)


def test_search_picks_the_grid_point_with_the_lowest_perplexity(model_and_ids, tmp_path):
    model, ids = model_and_ids
    valid = Text(tmp_path / "valid.txt", ids, len(ids), 0)
    options = CacheOptions(
        window=10, search=True, theta_grid=[0.0, 1.0, 3.0], lambdah_grid=[0.01, 0.2, 0.6]
    )
    chosen, record = search_cache(model, valid, 2, 5, options)
    assert len(record["grid"]) == 9
    best = min(record["grid"], key=lambda p: p["ppl"])
    assert (chosen.theta, chosen.lambdah) == (best["theta"], best["lambdah"])
    alone = score_stream(model, ids, 2, 5, cache=CacheGrid(10, [chosen.theta], [chosen.lambdah]))
    assert math.exp(alone.nll / alone.tokens) == pytest.approx(best["ppl"], rel=1e-9)
    slow = slow_cache_probs(model, ids, 2, 10, chosen.theta, chosen.lambdah)
    assert best["ppl"] == pytest.approx(math.exp(-float(slow.log().mean())), rel=1e-5)
    assert record["model_ppl"] == pytest.approx(
        math.exp(score_stream(model, ids, 2, 5).nll / alone.tokens), rel=1e-9
    )
