"""Each protocol's scorer against an independent slow implementation: one token at a time, item
by item, no batching, no chunking."""

import math

import pytest
import torch
from eval_helpers import tiny_model

from lstm_nlp.evaluation.evaluate import scoring_options
from lstm_nlp.evaluation.options import EvalOptions
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.protocols import PROTOCOLS
from lstm_nlp.evaluation.scoring import PairScorer, ScoringOptions
from lstm_nlp.evaluation.stream_scoring import StreamScorer
from lstm_nlp.evaluation.syntaxgym.formula import parse
from lstm_nlp.evaluation.syntaxgym.suite import GymCondition, GymItem, Suite
from lstm_nlp.evaluation.testset import TestSet
from lstm_nlp.evaluation.token_surprisal import sentence_surprisals


def step_logprobs(model, ids, hidden=None):
    """log P(ids[t + 1] | ids[: t + 1]) for every t, one token per call."""
    out, state = [], hidden
    with torch.no_grad():
        for t in range(len(ids) - 1):
            logits, state = model(torch.tensor([[ids[t]]]), state)
            out.append(torch.log_softmax(logits[0, 0].double(), -1))
    return out, state


def ids_of(tok, words):
    return [tok.token_to_id(w) for w in words]


def test_marvin_linzen_appends_a_period_and_eos_to_each_sentence():
    model, tok = tiny_model()
    options = scoring_options(EvalOptions(checkpoint="c", path="p"), PROTOCOLS["marvin_linzen"])
    assert options.suffix == "." and options.final_eos
    item = PairItem("the cats are big", "the cats is big")
    (score,) = PairScorer(model, tok, options).score([item])
    eos = tok.token_to_id("<eos>")
    for side, got in ((item.good, score.good), (item.bad, score.bad)):
        seq = [eos, *ids_of(tok, [*side.split(), "."]), eos]
        logprobs, _ = step_logprobs(model, seq)
        assert got == pytest.approx(sum(float(lp[seq[t + 1]]) for t, lp in enumerate(logprobs)))


def test_lakretz_reads_its_warmup_text_before_each_prefix():
    model, tok = tiny_model()
    options = scoring_options(EvalOptions(checkpoint="c", path="p"), PROTOCOLS["lakretz"])
    options = ScoringOptions(**{**options.as_dict(), "warmup_text": "the dog .\nthe cat ."})
    item = PairItem("are", "is", prefix="the cats near the dog")
    (score,) = PairScorer(model, tok, options).score([item])
    eos = tok.token_to_id("<eos>")
    warm = [eos, *ids_of(tok, "the dog .".split()), eos, *ids_of(tok, "the cat .".split())]
    _, state = step_logprobs(model, [*warm, 0])  # the state after every warm-up token
    prefix = [eos, *ids_of(tok, item.prefix.split())]
    for word, got in ((item.good, score.good), (item.bad, score.bad)):
        logprobs, _ = step_logprobs(model, [*prefix, tok.token_to_id(word)], state)
        assert got == pytest.approx(float(logprobs[-1][tok.token_to_id(word)]), abs=1e-5)


LINES = [
    "the cats near the dog are big . <eos>",
    "the dog sees himself . <eos>",
    "a cat that the dogs like was red . <eos>",
]
TARGETS = [(0, 5, "are", "is"), (1, 2, "sees", "see"), (2, 6, "was", "were"), (0, 1, "cats", "cat")]


def stream_set():
    text = [line.split() for line in LINES]
    items = [
        PairItem(good, bad, prefix=" ".join(text[line][:index]), line=line, source=f"g:{k}")
        for k, (line, index, good, bad) in enumerate(TARGETS)
    ]
    return TestSet(items, text=text, name="gulordava")


@pytest.mark.parametrize("chunk", [3, 2048])
def test_the_stream_protocol_carries_the_state_across_sentences(chunk, monkeypatch):
    import lstm_nlp.evaluation.stream_scoring as stream

    monkeypatch.setattr(stream, "CHUNK", chunk)
    model, tok = tiny_model()
    options = scoring_options(EvalOptions(checkpoint="c", path="p"), PROTOCOLS["gulordava"])
    scores = StreamScorer(model, tok, options).score(stream_set())
    eos = tok.token_to_id("<eos>")
    whole = [eos] + [tok.token_to_id(w) for line in LINES for w in line.split()]
    logprobs, _ = step_logprobs(model, whole)
    starts = [1, 1 + len(LINES[0].split()), 1 + len(LINES[0].split()) + len(LINES[1].split())]
    for score, (line, index, good, bad) in zip(scores, TARGETS):
        lp = logprobs[starts[line] + index - 1]  # predicting the token at the target
        assert score.good == pytest.approx(float(lp[tok.token_to_id(good)]), abs=1e-5)
        assert score.bad == pytest.approx(float(lp[tok.token_to_id(bad)]), abs=1e-5)
        assert score.correct == (score.good > score.bad)


def test_the_stream_protocol_excludes_unknown_compared_words_and_checks_the_prefix():
    from lstm_nlp.errors import DataError

    model, tok = tiny_model()
    test_set = stream_set()
    test_set.items[1].bad = "zorbs"
    options = scoring_options(EvalOptions(checkpoint="c", path="p"), PROTOCOLS["gulordava"])
    scores = StreamScorer(model, tok, options).score(test_set)
    assert scores[1].excluded == "oov_compared" and scores[1].oov == ["zorbs"]
    test_set.items[0].prefix = "the dogs"
    with pytest.raises(DataError, match=r"^g:0: the item's prefix is not the start of its line"):
        StreamScorer(model, tok, options).score(test_set)


def test_sentence_surprisals_are_each_sentence_alone_in_bits():
    model, tok = tiny_model()
    eos, pad = tok.token_to_id("<eos>"), tok.token_to_id("<pad>")
    sentences = [ids_of(tok, s.split()) for s in ("the cat", "the dogs near her were big .", "a")]
    got = sentence_surprisals(model, sentences, eos, pad, tok.get_vocab_size(), batch_size=2)
    for ids, values in zip(sentences, got):
        seq = [eos, *ids, eos]
        logprobs, _ = step_logprobs(model, seq)
        expected = [-float(lp[seq[t + 1]]) / math.log(2) for t, lp in enumerate(logprobs)]
        assert values == pytest.approx(expected, abs=1e-5)


def test_the_syntaxgym_protocol_sums_regions_with_eos_last_and_the_first_word_zero():
    from lstm_nlp.evaluation.region_scoring import score_regions

    model, tok = tiny_model()
    match = GymCondition("match", ["the cats", "near the dog", "", "are big ."])
    mismatch = GymCondition("mismatch", ["the cats", "near the dog", "", "is big ."])
    item = GymItem("number_prep", 1, {"mismatch": mismatch, "match": match}, {"suite": "x"})
    suite = Suite("number_prep", "agreement", [parse("(4;%mismatch%) > (4;%match%)")], {}, [item])
    options = scoring_options(EvalOptions(checkpoint="c", path="p"), PROTOCOLS["syntaxgym"])
    test_set = TestSet([item], name="syntaxgym", info={"suites": {"number_prep": suite}})
    (score,) = score_regions(test_set, options, model, tok)
    eos = tok.token_to_id("<eos>")
    for name, condition in (("match", match), ("mismatch", mismatch)):
        words = condition.sentence.split()
        seq = [eos, *ids_of(tok, words), eos]
        logprobs, _ = step_logprobs(model, seq)
        bits = [-float(lp[seq[t + 1]]) / math.log(2) for t, lp in enumerate(logprobs)]
        bits[0] = 0.0  # the first word is not scored
        assert score.regions[name][1] == pytest.approx(sum(bits[0:2]), abs=1e-5)
        assert score.regions[name][2] == pytest.approx(sum(bits[2:5]), abs=1e-5)
        assert score.regions[name][3] == 0.0
        assert score.regions[name][4] == pytest.approx(sum(bits[5:]), abs=1e-5)  # with <eos>
    assert score.correct == (score.regions["mismatch"][4] > score.regions["match"][4])


def test_command_line_options_override_the_protocol():
    options = EvalOptions(checkpoint="c", path="p", suffix="", lowercase=False, oov="include")
    resolved = scoring_options(options, PROTOCOLS["marvin_linzen"])
    assert (resolved.suffix, resolved.lowercase, resolved.oov) == ("", False, "include")
    resolved = scoring_options(
        EvalOptions(checkpoint="c", path="p", state="reset"), PROTOCOLS["lakretz"]
    )
    assert resolved.state == "reset" and resolved.warmup_text is None
