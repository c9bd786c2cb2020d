"""The progress bar's tokens/s figure (with a fake clock) and the parameter table per module."""

import importlib.util

import lightning.pytorch as pl
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_nlp.training.progress import (
    RATE_KEY,
    ParameterSummary,
    TokenRate,
    TQDMTokensBar,
    batch_tokens,
    display_callbacks,
    parameter_rows,
    progress_bar,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_rate_counts_training_time_only():
    clock = FakeClock()
    rate = TokenRate(clock)
    rate.start()
    assert rate.rate() is None  # nothing trained yet
    clock.now += 2.0
    rate.add(100)
    assert rate.rate() == pytest.approx(50.0)
    clock.now += 1.0
    rate.pause()  # validation: 7 s that are not training
    clock.now += 7.0
    assert rate.rate() == pytest.approx(100 / 3.0)
    rate.resume()
    clock.now += 1.0
    rate.add(60)
    assert rate.elapsed() == pytest.approx(4.0)
    assert rate.rate() == pytest.approx(160 / 4.0)
    rate.start()  # next epoch
    clock.now += 1.0
    rate.add(7)
    assert rate.rate() == pytest.approx(7.0)


def test_batch_tokens_counts_real_tokens():
    import numpy as np

    from lstm_nlp.data.sentences import Sentence, collate_sentences

    assert (
        batch_tokens((torch.zeros(35, 20, dtype=torch.long), torch.zeros(35, 20))) == 700
    )  # LM (input, target)
    padded = collate_sentences(
        [Sentence(0, np.array([1, 2, 3]), None, None), Sentence(1, np.array([4]), None, None)],
        pad_id=0,
    )
    assert padded.tokens.numel() == 6 and batch_tokens(padded) == 4  # padding is not counted


class ClockedModule(pl.LightningModule):
    """Each training step takes 1 s of the fake clock, each validation step 100 s."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.layer = nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        self.clock.now += 1.0
        return self.layer(batch[0].float()).mean()

    def validation_step(self, batch, batch_idx):
        self.clock.now += 100.0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)


@pytest.mark.parametrize(
    "use_rich",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                importlib.util.find_spec("rich") is None,
                reason="rich is not installed (the tqdm bar is used)",
            ),
        ),
    ],
)
def test_bar_shows_tokens_per_training_second(tmp_path, use_rich):
    clock = FakeClock()
    bar = progress_bar(use_rich=use_rich, clock=clock)
    shown: list[tuple[int, str]] = []
    original = bar.get_metrics

    def spy(trainer, module):
        metrics = original(trainer, module)
        if trainer.training and RATE_KEY in metrics:
            shown.append((trainer.global_step, metrics[RATE_KEY]))
        return metrics

    bar.get_metrics = spy
    data = TensorDataset(
        torch.zeros(10, 4, dtype=torch.long)
    )  # batches of 3, 3, 3, 1 rows x 4 tokens
    trainer = pl.Trainer(
        max_epochs=2,
        callbacks=[bar],
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        val_check_interval=2,
        num_sanity_val_steps=0,
        default_root_dir=tmp_path,
        accelerator="cpu",
    )
    trainer.fit(
        ClockedModule(clock), DataLoader(data, batch_size=3), DataLoader(data, batch_size=5)
    )
    tokens = [12, 24, 36, 40]  # cumulative tokens after each batch of an epoch; 1 s per batch
    expected = {
        epoch * 4 + k + 1: f"{tokens[k] / (k + 1):,.0f}" for epoch in (0, 1) for k in range(4)
    }
    after_batch = {step: text for step, text in shown if step in expected}
    assert (
        after_batch == expected
    )  # validation's 100 s per batch never counts; each epoch starts afresh


def test_bar_falls_back_to_tqdm_and_display_callbacks_follow_the_trainer_flags(monkeypatch):
    import lstm_nlp.training.progress as progress

    monkeypatch.setattr(progress, "rich_available", lambda: False)
    flags = {"enable_progress_bar": True, "enable_model_summary": True}
    kinds = [type(c) for c in display_callbacks(flags, terminal=True)]
    assert kinds == [TQDMTokensBar, ParameterSummary]
    off = {"enable_progress_bar": False, "enable_model_summary": False}
    assert display_callbacks(off, 30, terminal=True) == []


def test_parameter_rows_list_embedding_each_lstm_layer_and_decoder(capsys):
    from lstm_nlp.modules.lstm_encoder import LSTMEncoder

    vocab, dim, hidden = 50, 8, 6
    model = nn.Module()
    model.embedding = nn.Embedding(vocab, dim)
    model.encoder = LSTMEncoder(dim, hidden, num_layers=2)
    model.drop = nn.Dropout(0.1)
    model.decoder = nn.Linear(hidden, vocab)
    rows = {name: count for name, _, count in parameter_rows(model, max_depth=2)}
    layer0, layer1 = (
        4 * hidden * (dim + hidden) + 8 * hidden,
        4 * hidden * (2 * hidden) + 8 * hidden,
    )
    assert rows == {
        "embedding": vocab * dim,
        "encoder": layer0 + layer1,
        "encoder.lstm": layer0 + layer1,
        "encoder.lstm[layer 0]": layer0,
        "encoder.lstm[layer 1]": layer1,
        "decoder": hidden * vocab + vocab,
    }  # no rows for modules without parameters
    assert set(dict.fromkeys(n for n, _, _ in parameter_rows(model, max_depth=1))) == {
        "embedding",
        "encoder",
        "decoder",
    }

    class Wrapper(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.model = model

    trainer = pl.Trainer(logger=False, enable_progress_bar=False, accelerator="cpu")
    ParameterSummary(max_depth=3).on_fit_start(trainer, Wrapper())
    out = capsys.readouterr().out
    total = sum(p.numel() for p in model.parameters())
    assert "model.encoder.lstm[layer 1]" in out and f"{layer1:,}" in out and f"{total:,}" in out
