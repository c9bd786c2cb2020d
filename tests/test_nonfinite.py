"""A NaN or infinite training loss stops the run before it changes a weight, or skips the batch."""

import lightning.pytorch as pl
import pytest
import torch
from cli_helpers import one_line_error, train
from torch import nn

from lstm_nlp.errors import ConfigError
from lstm_nlp.training.nonfinite import NonFiniteLoss, NonFiniteLossError
from lstm_nlp.training.options import TrainOptions


class Poisoned(pl.LightningModule):
    """A linear model whose loss is made NaN on the batches listed in ``bad``; records its
    weights."""

    def __init__(self, bad: set[int]) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 1)
        self.bad = bad
        self.weights_before: dict[int, torch.Tensor] = {}
        self.weights_after: dict[int, torch.Tensor] = {}

    def training_step(self, batch, batch_idx):
        self.weights_before[batch_idx] = self.layer.weight.detach().clone()
        loss = self.layer(batch[0]).pow(2).mean()
        return loss * float("nan") if batch_idx in self.bad else loss

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        self.weights_after[batch_idx] = self.layer.weight.detach().clone()

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)

    def train_dataloader(self):
        data = torch.utils.data.TensorDataset(torch.randn(12, 3))
        return torch.utils.data.DataLoader(data, batch_size=2)


def fit(module, policy):
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        gradient_clip_val=1.0,
        callbacks=[NonFiniteLoss(policy)],
    )
    trainer.fit(module)
    return trainer


def test_stop_ends_the_run_before_the_bad_step_changes_a_weight():
    module = Poisoned(bad={3})
    with pytest.raises(
        NonFiniteLossError, match=r"the training loss is nan at step 3 \(epoch 0, batch 3\)"
    ):
        fit(module, "stop")
    assert torch.isfinite(module.layer.weight).all()
    assert torch.equal(module.layer.weight.detach(), module.weights_before[3])
    assert 3 not in module.weights_after


def test_skip_leaves_the_weights_alone_for_that_batch_and_goes_on():
    module = Poisoned(bad={2, 4})
    with pytest.warns(UserWarning, match="batch skipped"):
        trainer = fit(module, "skip")
    for i in (2, 4):
        assert torch.equal(module.weights_after[i], module.weights_before[i])
    assert not torch.equal(
        module.weights_after[3], module.weights_before[3]
    )  # good batches still train
    assert torch.isfinite(module.layer.weight).all()
    assert trainer.callbacks[0].final_metrics == {"train/skipped_nonfinite_batches": 2}


def test_skip_still_stops_when_every_loss_is_bad(monkeypatch):
    monkeypatch.setattr("lstm_nlp.training.nonfinite.MAX_SKIPPED_IN_A_ROW", 3)
    with pytest.warns(UserWarning), pytest.raises(NonFiniteLossError, match=r"\(3 in a row\)"):
        fit(Poisoned(bad=set(range(6))), "skip")


def test_unknown_policy_is_a_config_error():
    with pytest.raises(ConfigError, match="nonfinite_loss must be one of stop, skip, got 'ignore'"):
        TrainOptions(nonfinite_loss="ignore")
    with pytest.raises(ValueError, match="nonfinite_loss must be one of stop, skip, got 'ignore'"):
        NonFiniteLoss("ignore")


@pytest.mark.slow
def test_a_diverging_run_ends_in_one_line_naming_the_step(corpus_dir, tmp_path):
    proc = train(
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={tmp_path / 'run'}",
        "optim.lr=3e38",
        "trainer.gradient_clip_val=null",
    )
    line = one_line_error(proc)
    assert "the training loss is" in line and "at step" in line and "nonfinite_loss=skip" in line, (
        line
    )
