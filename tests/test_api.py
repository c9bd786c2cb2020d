"""The Python API: ``lstm_nlp.load`` gives a handle whose methods compute what the commands
compute (the same scorers, the same tokenisation), and ``lstm_nlp.train`` trains as
``lstm-nlp-train`` does."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from eval_helpers import save_checkpoint, tiny_model, write_jsonl

import lstm_nlp
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.scoring import PairScorer

SENTENCE = "the cat sees the dogs"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    model, _ = tiny_model()
    run = tmp_path_factory.mktemp("api") / "run"
    save_checkpoint(model, run / "checkpoints" / "best.ckpt")
    return run


@pytest.fixture(scope="module")
def lm(run_dir):
    return lstm_nlp.load(run_dir)


def ids(lm, words: list[str]) -> list[int]:
    return [lm.tokenizer.token_to_id(w) for w in words]


def reference_logprobs(lm, tokens: list[int]) -> list[float]:
    """log p(tokens[t + 1] | tokens[: t + 1]) by one plain forward call."""
    with torch.no_grad():
        logits, _ = lm.model(torch.tensor(tokens).view(-1, 1))
    lp = torch.log_softmax(logits[:-1, 0], -1)
    return [float(lp[t, tokens[t + 1]]) for t in range(len(tokens) - 1)]


def test_a_run_directory_loads_its_best_checkpoint_and_a_missing_path_is_one_line(run_dir, lm):
    assert lm.source == run_dir / "checkpoints" / "best.ckpt"
    again = lstm_nlp.load(run_dir / "checkpoints" / "best.ckpt")
    assert again.logprobs(SENTENCE) == lm.logprobs(SENTENCE)
    with pytest.raises(DataError, match=r"^checkpoint: '.*nowhere' does not exist$"):
        lstm_nlp.load(run_dir / "nowhere")
    assert "LSTMEncoder 2x12" in repr(lm)


def test_logprobs_are_each_tokens_log_probability_after_eos_and_the_words_before(lm):
    scored = lm.logprobs(SENTENCE + " zebra")
    words = [*SENTENCE.split(), "zebra", "<eos>"]
    assert [t.token for t in scored] == words
    assert [t.known for t in scored] == [True] * 5 + [False, True]
    assert scored[5].id == lm.tokenizer.token_to_id("<unk>")
    expected = reference_logprobs(lm, ids(lm, ["<eos>", *SENTENCE.split(), "<unk>", "<eos>"]))
    assert [t.logprob for t in scored] == pytest.approx(expected, abs=1e-5)
    assert scored[0].surprisal == pytest.approx(-expected[0] / math.log(2))
    batch = lm.logprobs(["the dogs", SENTENCE, ""], final_eos=False)
    alone = lm.logprobs(SENTENCE, final_eos=False)
    assert [t.logprob for t in batch[1]] == pytest.approx([t.logprob for t in alone], abs=1e-5)
    assert [t.token for t in batch[0]] == ["the", "dogs"] and batch[2] == []


def test_compare_is_the_pair_scorer_and_its_good_score_the_summed_logprobs(lm, tmp_path):
    good, bad = "the cats are near the dog", "the cats is near the dog"
    score = lm.compare(good, bad)
    reference = PairScorer(lm.model, lm.tokenizer).score([PairItem(good, bad)])[0]
    assert score == reference and score.compared == (["are"], ["is"])
    assert score.good == pytest.approx(sum(t.logprob for t in lm.logprobs(good)), abs=1e-5)
    file = write_jsonl(tmp_path / "pairs.jsonl", [{"sentence_good": good, "sentence_bad": bad}])
    items = [(good, bad), {"sentence_good": good, "sentence_bad": bad}, ("the cats", "are", "is")]
    found = lm.compare_pairs(items)
    assert found[0] == found[1] == score == lm.compare_pairs(file)[0]
    assert found[2] == lm.compare("are", "is", prefix="the cats")
    assert lm.compare(good, bad, score="mean").good == pytest.approx(score.good / 7)
    with pytest.raises(ConfigError, match=r"^items\[0\]: a pair is \(good, bad\)"):
        lm.compare_pairs([("only one",)])
    with pytest.raises(ConfigError, match=r"^scores is not a scoring option; known: score, "):
        lm.compare(good, bad, scores="mean")


def test_next_words_are_the_top_of_the_distribution_after_the_prefix(lm):
    top = lm.next_words("the cat", k=4)
    with torch.no_grad():
        logits, _ = lm.model(torch.tensor(ids(lm, ["<eos>", "the", "cat"])).view(-1, 1))
    values, best = torch.log_softmax(logits[-1, 0], -1).topk(4)
    assert [w.id for w in top] == best.tolist()
    assert [w.logprob for w in top] == pytest.approx(values.tolist(), abs=1e-5)
    assert [w.word for w in top] == [lm.tokenizer.id_to_token(i) for i in best.tolist()]
    assert top[0].prob == pytest.approx(math.exp(values[0]))
    assert lm.next_words(["the cat", "a"], k=4)[0] == top
    with pytest.raises(ConfigError, match=r"^k must be an integer >= 1, got 0$"):
        lm.next_words("the", k=0)


def test_generate_is_lstm_nlp_generates_text_for_the_same_settings(lm):
    from lstm_nlp.tasks.generation import GenerateOptions, generate_text

    text = lm.generate("the cat", words=12, temperature=0.7, seed=5)
    options = GenerateOptions(prompt="the cat", words=12, temperature=0.7, seed=5)
    assert text == generate_text(options, lm.model, lm.tokenizer)
    assert text.startswith("the cat") and text != lm.generate("the cat", 12, 0.7, seed=6)


def test_states_are_the_gates_and_states_of_every_layer_and_step(lm):
    found = lm.states("the cat sees")
    assert found.tokens == ["<eos>", "the", "cat", "sees"] and len(found.layers) == 2
    top = found.layers[-1]
    assert top.forget.shape == (4, 12) and 0 <= float(top.forget.min()) <= 1
    with torch.no_grad():
        output, _ = lm.model.encode(torch.tensor(found.ids).view(-1, 1))
    torch.testing.assert_close(top.hidden, output[:, 0], atol=1e-5, rtol=0)
    torch.testing.assert_close(top.hidden, top.output * torch.tanh(top.cell), atol=1e-5, rtol=0)
    both = lm.states(["the cat sees", "a"])
    torch.testing.assert_close(both[0].layers[0].cell, found.layers[0].cell)


def test_perplexity_of_a_text_and_of_its_file_is_the_streams(lm, tmp_path):
    text = "the cat sees the dogs\nthe dogs see a cat .\n"
    file = tmp_path / "text.txt"
    file.write_text(text)
    tokens = ids(lm, "the cat sees the dogs <eos> the dogs see a cat . <eos>".split())
    nll = -sum(reference_logprobs(lm, tokens))
    found = lm.perplexity(text, batch_size=1, bptt=50)
    assert found.perplexity == pytest.approx(math.exp(nll / 12), rel=1e-5)
    assert (found.tokens, found.words, found.oov) == (12, 11, 0) and float(found) > 1
    assert lm.perplexity(file, batch_size=1, bptt=50) == found
    assert lm.perplexity(str(file), batch_size=1, bptt=50) == found
    assert lm.perplexity(text).tokens == 12  # the run's sizes, shrunk to the text
    with pytest.raises(DataError, match=r"^<text>: 2 tokens, too few for batch_size=2"):
        lm.perplexity("cat", batch_size=2)


def test_precision_is_checked_and_bf16_stays_close(lm):
    with pytest.raises(ConfigError, match=r"^precision must be one of 32-true, bf16-mixed"):
        lm.precision = "bf16"
    assert lm.to("cpu") is lm
    fp32 = [t.logprob for t in lm.logprobs(SENTENCE)]
    lm.precision = "bf16-mixed"
    try:
        assert [t.logprob for t in lm.logprobs(SENTENCE)] == pytest.approx(fp32, abs=0.05)
    finally:
        lm.precision = "32-true"


TRAIN = [
    "data.train_sentences=100",
    "data.valid_sentences=20",
    "data.test_sentences=20",
    "encoder.hidden_size=8",
    "encoder.num_layers=1",
    "task.embedding_dim=8",
    "trainer.max_epochs=1",
    "trainer.limit_train_batches=2",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]


def test_train_runs_the_commands_config_and_returns_its_metrics(tmp_path):
    with pytest.raises(ConfigError, match=r"^task.dropout must be a number in \[0, 1\), got 2"):
        lstm_nlp.train([*TRAIN, "task.dropout=2"], run_dir=tmp_path / "refused")
    assert not (tmp_path / "refused").exists()
    with pytest.raises(ConfigError, match=r"^overrides must be a list of KEY=VALUE strings"):
        lstm_nlp.train("seed=1")
    metrics = lstm_nlp.train(TRAIN, run_dir=tmp_path / "run")
    assert metrics == json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["val/ppl"] > 1 and metrics["global_step"] == 2
    saved = (tmp_path / "run" / ".hydra" / "overrides.yaml").read_text()
    assert "encoder.hidden_size=8" in saved and f"run_dir={tmp_path / 'run'}" in saved
    assert lstm_nlp.load(tmp_path / "run").model.encoder.hidden_size == 8
