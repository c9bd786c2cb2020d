"""Every registered encoder and task keeps its contract (plugins' too: they are in the registry).

A plugin that breaks a contract fails here, in a test named after it:
``test_encoder_contract[my_encoder-...]`` or ``test_task_contract[my_task]``.
"""

from __future__ import annotations

from pathlib import Path

import lightning.pytorch as pl
import pytest
import torch
from contracts import check_encoder, state_tensors
from torch import nn

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.registry import ENCODERS, TASKS
from lstm_nlp.tasks.base import TaskParts
from lstm_nlp.tasks.components import build_encoder
from lstm_nlp.text.checkpoint_file import TASK_KEY, read_checkpoint
from lstm_nlp.training.runner import build_task
from lstm_nlp.training.trainer import build_trainer

prepare(COMMAND, [])
SMALL = {"hidden_size": 4, "num_layers": 2, "dropout": 0.0}
SHAPES = [
    (False, False),
    (True, False),
    (False, True),
    (True, True),
]  # (bidirectional, batch_first)


@pytest.mark.parametrize("bidirectional, batch_first", SHAPES, ids=["uni", "bi", "uni-bf", "bi-bf"])
@pytest.mark.parametrize("name", ENCODERS.names())
def test_encoder_contract(name, bidirectional, batch_first):
    torch.manual_seed(0)
    node = {"name": name, **SMALL, "bidirectional": bidirectional, "batch_first": batch_first}
    encoder = build_encoder(node, input_size=5).double()
    check_encoder(encoder, hidden=4, layers=2, bidirectional=bidirectional)


class WrongStateShape(nn.Module):
    """An encoder that returns its state batch-first: the contract check must catch it."""

    state_layout = ("h", "c")

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(5, 4, 2, dtype=torch.float64)
        self.input_size, self.hidden_size, self.num_layers = 5, 4, 2
        self.bidirectional, self.batch_first = False, False

    def get_output_dim(self) -> int:
        return 4

    def forward(self, x, hx=None, lengths=None):
        output, (h, c) = self.lstm(x, hx)
        return output, (h.transpose(0, 1), c.transpose(0, 1))


def test_the_encoder_check_catches_a_broken_encoder():
    with pytest.raises(AssertionError, match="state shape"):
        check_encoder(WrongStateShape(), hidden=4, layers=2, bidirectional=False)
    missing = WrongStateShape()
    del missing.bidirectional
    with pytest.raises(AssertionError, match="Encoder protocol"):
        check_encoder(missing, hidden=4, layers=2, bidirectional=False)
    assert len(state_tensors((torch.zeros(1), torch.zeros(1)))) == 2


TINY = ["encoder.hidden_size=8", "encoder.num_layers=1", "data.train_sentences=60"]
TINY_TASK = {"batch_size": 4, "eval_batch_size": 4, "embedding_dim": 8, "bptt": 5}


def tiny_overrides(task: str) -> list[str]:
    """Small sizes for whichever of them the task has (a plugin's task may have none)."""
    keys = compose("train", [f"task={task}"]).task
    return TINY + [f"task.{k}={v}" for k, v in TINY_TASK.items() if k in keys]


@pytest.mark.slow
@pytest.mark.parametrize("name", TASKS.names())
def test_task_contract(name, tmp_path: Path):
    """The task builds typed parts from a composed config, trains, logs the metric it asks the
    runner to monitor, and its checkpoints name it."""
    overrides = [f"task={name}", *tiny_overrides(name), "optim=adam", "trainer.max_epochs=1"]
    cfg = compose("train", overrides)
    parts = build_task(cfg, tmp_path)
    assert isinstance(parts, TaskParts)
    assert isinstance(parts.module, pl.LightningModule)
    assert isinstance(parts.datamodule, pl.LightningDataModule)
    assert parts.mode in ("min", "max") and parts.monitor.startswith("val/")
    overrides += ["+trainer.max_steps=2", "trainer.limit_val_batches=2", "logger=none"]
    cfg = compose("train", [*overrides, "trainer.limit_test_batches=2", "callbacks=none"])
    trainer = build_trainer(cfg, tmp_path, parts, {})
    trainer.fit(parts.module, datamodule=parts.datamodule)
    validated = trainer.validate(parts.module, datamodule=parts.datamodule, verbose=False)[0]
    assert parts.monitor in validated, f"{name} does not log {parts.monitor}"
    assert all(k.startswith("val/") for k in validated)
    tested = trainer.test(parts.module, datamodule=parts.datamodule, verbose=False)[0]
    assert tested and all(k.startswith("test/") for k in tested)
    assert read_checkpoint(tmp_path / "checkpoints" / "last.ckpt")[TASK_KEY] == name
