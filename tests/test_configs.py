"""Every shipped config composes, and the presets say what their sources say."""

import pytest
from hydra import compose, initialize_config_module

EXPERIMENTS = ["ptb_small", "ptb_medium", "ptb_large", "awd_lstm"]


def load(*overrides):
    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        return compose("train", overrides=list(overrides))


def test_default_config_trains_an_lm_on_the_embedded_corpus():
    cfg = load()
    assert (cfg.task.name, cfg.data.name, cfg.encoder.name, cfg.logger.name) == (
        "language_model",
        "grammar",
        "lstm",
        "csv",
    )
    assert cfg.threads == 1


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiments_compose_and_cite_a_source(name):
    from pathlib import Path

    import lstm_nlp.conf

    cfg = load(f"experiment={name}")
    assert cfg.encoder.bidirectional is False
    text = (Path(lstm_nlp.conf.__file__).parent / "experiment" / f"{name}.yaml").read_text()
    assert "Source:" in text


def test_ptb_small_is_pytorch_examples_defaults():
    cfg = load("experiment=ptb_small")
    assert (cfg.encoder.num_layers, cfg.encoder.hidden_size, cfg.task.embedding_dim) == (
        2,
        200,
        200,
    )
    assert (cfg.encoder.dropout, cfg.task.dropout) == (0.2, 0.2)
    assert (cfg.optim.name, cfg.optim.lr, cfg.optim.scheduler.factor) == ("sgd", 20.0, 0.25)
    assert (cfg.trainer.gradient_clip_val, cfg.task.bptt, cfg.task.batch_size) == (0.25, 35, 20)


def test_zaremba_and_awd_presets():
    medium, large, awd = (
        load("experiment=ptb_medium"),
        load("experiment=ptb_large"),
        load("experiment=awd_lstm"),
    )
    assert (medium.encoder.hidden_size, medium.encoder.dropout) == (650, 0.5)
    assert (large.encoder.hidden_size, large.encoder.dropout) == (1500, 0.65)
    assert (awd.encoder.num_layers, awd.encoder.hidden_size, awd.task.embedding_dim) == (
        3,
        1150,
        400,
    )
    assert awd.task.tie_weights and awd.encoder.weight_drop == 0.5 and awd.task.variable_bptt
