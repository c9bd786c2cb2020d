"""Scoring minimal pairs: batching, score modes, hidden-state policies, coverage, the Python API."""

import math

import pytest
import torch
from eval_helpers import bias_model, tiny_model, unigram_logprob

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.scoring import PairScorer, ScoringOptions, differing

ITEMS = [
    PairItem("the cat is big .", "the cat are big ."),
    PairItem("the cats near the red dog are big .", "the cats near the red dog is big ."),
    PairItem("the dog sees himself", "the dog sees themselves"),
    PairItem("a cat", "a big small red cat that ate the dog ."),  # bad much longer than good
    PairItem("the big cat that the dogs like was near her .", "cat ."),  # good much longer than bad
    PairItem("are", "is", prefix="the cats near the dog"),
    PairItem("ate", "like", prefix=""),
    PairItem("sees a", "see the dog", prefix="the cat who"),  # multi-word continuations
    PairItem("dogs were", "dogs was", prefix="the"),  # candidates share their first word
]


def reference_scores(model, tok, item, hidden=None, final_eos=True):
    """Token-at-a-time log-probabilities of good and bad from ``hidden``, and the state after
    good."""
    eos = tok.token_to_id("<eos>")
    ids = lambda text: [tok.token_to_id(w) for w in text.split()]  # noqa: E731
    context = ids(item.prefix) if item.prefix is not None else []
    results, after = [], None
    for words in (ids(item.good), ids(item.bad)):
        seq = [eos, *context, *words, eos]
        state, total = hidden, 0.0
        for t in range(len(seq) - 1):
            logits, state = model(torch.tensor([[seq[t]]]), state)
            scored = (
                len(context) <= t < len(context) + len(words) + (final_eos and item.prefix is None)
            )
            total += (
                float(torch.log_softmax(logits[0, 0].double(), -1)[seq[t + 1]]) if scored else 0.0
            )
            if t == len(seq) - 2 and after is None:
                after = state  # the good sequence: state after all its words
        results.append(total)
    return results[0], results[1], after


def test_batched_reset_equals_each_item_alone_and_the_reference():
    model, tok = tiny_model()
    batched = PairScorer(model, tok, ScoringOptions(batch_size=64)).score(ITEMS)
    alone = [
        PairScorer(model, tok, ScoringOptions(batch_size=1)).score([item])[0] for item in ITEMS
    ]
    with torch.no_grad():
        reference = [reference_scores(model, tok, item)[:2] for item in ITEMS]
    for b, a, (good, bad) in zip(batched, alone, reference):
        assert b.excluded is None
        assert b.good == pytest.approx(a.good, abs=1e-4) and b.bad == pytest.approx(a.bad, abs=1e-4)
        assert b.good == pytest.approx(good, abs=1e-4) and b.bad == pytest.approx(bad, abs=1e-4)
        assert b.correct == (b.good > b.bad)
    assert len({round(s.good, 3) for s in batched}) == len(ITEMS)  # the model is not trivially flat


def test_mean_is_sum_per_token_and_final_eos_option():
    model, tok = tiny_model()
    sums = PairScorer(model, tok, ScoringOptions(score="sum")).score(ITEMS)
    means = PairScorer(model, tok, ScoringOptions(score="mean")).score(ITEMS)
    no_eos = PairScorer(model, tok, ScoringOptions(final_eos=False)).score(ITEMS)
    for item, s, m, n in zip(ITEMS, sums, means, no_eos):
        assert m.good == pytest.approx(s.good / s.good_tokens, abs=1e-5)
        assert m.bad == pytest.approx(s.bad / s.bad_tokens, abs=1e-5)
        if item.prefix is None:
            assert (
                s.good_tokens == len(item.good.split()) + 1 and n.good_tokens == s.good_tokens - 1
            )
            assert n.good > s.good  # one log-probability (< 0) fewer
        else:  # only the continuation counts; final_eos does not apply
            assert s.good_tokens == n.good_tokens == len(item.good.split()) and n.good == s.good


def test_hand_built_model_known_accuracy_and_scores():
    model, tok = bias_model(boost={"is": 5.0})  # context-free: P(is) >> P(are)
    items = [
        PairItem("the cat is big .", "the cat are big ."),
        PairItem("the dog is .", "the dog are ."),
        PairItem("is", "are", prefix="the cat"),
        PairItem("the cats are .", "the cats is ."),
        PairItem("are", "is", prefix="the cats near the dog"),
    ]
    scores = PairScorer(model, tok).score(items)
    assert [s.correct for s in scores] == [True, True, True, False, False]
    lp = lambda w: unigram_logprob(model, tok, w)  # noqa: E731
    assert scores[0].good == pytest.approx(sum(map(lp, "the cat is big . <eos>".split())), abs=1e-4)
    assert scores[2].good == pytest.approx(lp("is"), abs=1e-5) and scores[2].bad == pytest.approx(
        lp("are"), abs=1e-5
    )
    for state in ("stream", "warmup"):  # the context cannot matter to this model
        opts = ScoringOptions(state=state, warmup_text="the dog ." if state == "warmup" else None)
        again = PairScorer(model, tok, opts).score(items)
        assert [s.good for s in again] == pytest.approx([s.good for s in scores], abs=1e-4)


def test_sum_and_mean_disagree_where_expected():
    model, tok = bias_model(boost={"the": 3.0})
    item = PairItem(
        "the the the the cat", "cat"
    )  # good: more tokens, each likely; bad: one unlikely token
    total = PairScorer(model, tok, ScoringOptions(score="sum")).score([item])[0]
    mean = PairScorer(model, tok, ScoringOptions(score="mean")).score([item])[0]
    assert not total.correct and mean.correct
    lp_the, lp_other = unigram_logprob(model, tok, "the"), unigram_logprob(model, tok, "cat")
    assert total.good == pytest.approx(4 * lp_the + 2 * lp_other, abs=1e-4)
    assert mean.bad == pytest.approx(lp_other, abs=1e-4)


def memory_model():
    """One LSTM cell that remembers whether it has read "A"; after that, "yes" is far more likely
    than "no"."""
    model, tok = tiny_model(words=["A", "yes", "no", "x", "."], hidden=1, layers=1)
    model = type(model)(
        tok.get_vocab_size(),
        {"name": "lstm", "hidden_size": 1, "num_layers": 1},
        {"name": "sgd", "lr": 1.0},
        embedding_dim=2,
        dropout=0.0,
    )
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.embedding.weight[:, 1] = 1.0  # a constant input
        model.embedding.weight[tok.token_to_id("A"), 0] = 1.0
        lstm = model.encoder.lstm  # gates i, f, g, o
        lstm.weight_ih_l0.copy_(
            torch.tensor([[20.0, -10.0], [0.0, 10.0], [0.0, 10.0], [0.0, 10.0]])
        )
        model.decoder.decoder.weight[tok.token_to_id("yes"), 0] = 10.0
        model.decoder.decoder.bias[tok.token_to_id("yes")] = -4.0
    model.tokenizer_json = tok.to_str()
    return model.eval(), tok


def test_stream_and_warmup_carry_context_in_the_expected_direction():
    model, tok = memory_model()
    items = [
        PairItem("x x .", "x .", meta={"i": 0}),
        PairItem("yes .", "no ."),
        PairItem("x A .", "x x ."),
        PairItem("yes .", "no ."),
    ]
    reset = PairScorer(model, tok).score(items)
    stream = PairScorer(model, tok, ScoringOptions(state="stream")).score(items)
    warm = PairScorer(model, tok, ScoringOptions(state="warmup", warmup_text="x\nx A x")).score(
        items
    )
    assert [s.correct for s in reset][1::2] == [False, False]  # "yes" is unlikely before any "A"
    assert stream[0].good == pytest.approx(
        reset[0].good, abs=1e-5
    )  # the first item starts from zeros too
    assert (
        stream[1].good == pytest.approx(reset[1].good, abs=1e-2) and not stream[1].correct
    )  # no "A" yet
    assert stream[3].correct and stream[3].good > reset[3].good + 1  # after item 2's good sentence
    assert warm[1].correct and warm[3].correct and warm[1].good > reset[1].good + 1


def test_stream_equals_a_sequential_computation():
    model, tok = tiny_model(seed=3)
    scores = PairScorer(model, tok, ScoringOptions(state="stream")).score(ITEMS)
    hidden = None
    with torch.no_grad():
        for item, score in zip(ITEMS, scores):
            good, bad, hidden = reference_scores(model, tok, item, hidden)
            assert score.good == pytest.approx(good, abs=1e-4) and score.bad == pytest.approx(
                bad, abs=1e-4
            )
    reset = PairScorer(model, tok).score(ITEMS)
    assert any(abs(a.good - b.good) > 1e-3 for a, b in zip(scores[1:], reset[1:]))


def test_warmup_equals_scoring_after_the_warmup_text():
    model, tok = tiny_model(seed=4)
    eos = tok.token_to_id("<eos>")
    scores = PairScorer(
        model, tok, ScoringOptions(state="warmup", warmup_text="the cat .\n\nthe dogs")
    ).score(ITEMS)
    warm_ids = [eos] + [tok.token_to_id(w) for w in "the cat . <eos> the dogs".split()]
    with torch.no_grad():
        _, hidden = model(torch.tensor(warm_ids).view(-1, 1))
        for item, score in zip(ITEMS, scores):
            good, bad, _ = reference_scores(model, tok, item, hidden)
            assert score.good == pytest.approx(good, abs=1e-4) and score.bad == pytest.approx(
                bad, abs=1e-4
            )


OOV_ITEMS = [
    PairItem("the zebra is .", "the zebra are ."),  # unknown context word
    PairItem("the cat is .", "the cat zorbs ."),  # unknown compared word
    PairItem("is", "are", prefix="the zebra"),  # unknown prefix word
    PairItem("zorbs", "is", prefix="the cat"),  # unknown candidate
    PairItem("the cat is .", "the  cat is ."),  # the same words
    PairItem("The cat is .", "The cat are ."),  # fine (with lowercase=true)
]


@pytest.mark.parametrize(
    "oov, scored, reasons",
    [
        ("exclude", [0, 2, 5], {"oov_compared": 2, "identical": 1}),
        ("exclude_any", [5], {"oov_compared": 2, "oov_other": 2, "identical": 1}),
        ("include", [0, 1, 2, 3, 5], {"identical": 1}),
    ],
)
def test_oov_exclusion_counts(oov, scored, reasons):
    model, tok = tiny_model()
    scores = PairScorer(model, tok, ScoringOptions(oov=oov, lowercase=True)).score(OOV_ITEMS)
    assert [i for i, s in enumerate(scores) if s.excluded is None] == scored
    counted = {}
    for s in scores:
        if s.excluded:
            counted[s.excluded] = counted.get(s.excluded, 0) + 1
            assert s.good is None and s.correct is None
    assert counted == reasons
    assert (
        scores[0].oov == ["zebra"]
        and scores[1].compared == (["is"], ["zorbs"])
        and scores[5].oov == []
    )
    assert all(math.isfinite(scores[i].good) for i in scored)


def test_without_lowercase_capitals_are_unknown():
    model, tok = tiny_model()
    score = PairScorer(model, tok).score([OOV_ITEMS[5]])[0]
    assert score.excluded is None and score.oov == ["The"]  # the compared words is/are are known
    score = PairScorer(model, tok, ScoringOptions(oov="exclude_any")).score([OOV_ITEMS[5]])[0]
    assert score.excluded == "oov_other"


def test_differing_words():
    assert differing("the cat is big".split(), "the cat are big".split()) == (["is"], ["are"])
    assert differing("a b c".split(), "a c".split()) == (["b"], [])
    assert differing("who did you see".split(), "who you did see".split()) == (
        ["did", "you"],
        ["you", "did"],
    )
    assert differing(["a"], ["a"]) == ([], [])


def test_scoring_leaves_a_training_model_as_it_was():
    model, tok = tiny_model(dropout=0.3)
    model.train()
    model.encoder.eval()  # a submodule in its own mode stays so
    before = {k: v.clone() for k, v in model.state_dict().items()}
    first = PairScorer(model, options=ScoringOptions()).score(
        ITEMS
    )  # tokenizer from model.tokenizer_json
    second = PairScorer(model, tok).score(ITEMS)
    assert [s.good for s in first] == [s.good for s in second]  # dropout was off
    assert model.training and model.decoder.training and not model.encoder.training
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"score": "max"}, "score"),
        ({"state": "carry"}, "state"),
        ({"oov": "skip"}, "oov"),
        ({"batch_size": 0}, "batch_size"),
        ({"state": "warmup"}, "warmup"),
        ({"warmup_text": "x"}, "warmup_text"),
        ({"final_eos": "yes"}, "final_eos"),
    ],
)
def test_invalid_options_name_the_key(kwargs, key):
    with pytest.raises(ConfigError, match=key):
        ScoringOptions(**kwargs)
