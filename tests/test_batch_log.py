"""Progress a batch job's log can read: one plain line at an interval when stdout is not a
terminal (a fake clock for the figures, then one real run with stdout to a file)."""

import contextlib
import re
import sys
import time
from unittest import mock

import lightning.pytorch as pl
import pytest
import torch
from cli_helpers import TINY
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_nlp.training.batch_log import PREFIX, BatchLog, BatchLogBar, duration
from lstm_nlp.training.progress import ParameterSummary, RichTokensBar, display_callbacks


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class ClockedModule(pl.LightningModule):
    """Each training step takes 1 s of the fake clock, each validation batch 100 s."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self.layer = nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        self.clock.now += 1.0
        return self.layer(batch[0].float()).mean() + 2.0

    def validation_step(self, batch, batch_idx):
        self.clock.now += 100.0

    def test_step(self, batch, batch_idx):
        self.clock.now += 100.0

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.01)


def parse(line: str) -> dict[str, str]:
    """``{"epoch": "0", "step": "2/8", "of epoch": "50%", "tokens/s": "12", ...}``."""
    assert line.startswith(PREFIX), line
    fields = {}
    for part in line[len(PREFIX) :].split(" | "):
        head, rest = part.split(" ", 1)
        fields.update({rest: head} if head[0].isdigit() else {head: rest})
    return fields


@pytest.mark.parametrize("as_bar", [False, True])
def test_a_line_every_two_seconds_with_step_share_rate_lr_and_eta(tmp_path, as_bar):
    clock, lines = FakeClock(), []
    kind = BatchLogBar if as_bar else BatchLog
    log = kind(2.0, clock=clock, out=lines.append)
    data = TensorDataset(torch.zeros(10, 4, dtype=torch.long))  # batches of 3, 3, 3, 1 rows
    trainer = pl.Trainer(
        max_epochs=2,
        callbacks=[log],
        logger=False,
        enable_checkpointing=False,
        enable_model_summary=False,
        enable_progress_bar=as_bar,  # the bar's place in a log file: lines, not a bar
        num_sanity_val_steps=0,
        default_root_dir=tmp_path,
        accelerator="cpu",
    )
    trainer.fit(ClockedModule(clock), DataLoader(data, batch_size=3), DataLoader(data, 5))
    fields = [parse(line) for line in lines if "validation" not in line]
    # every 2 s of the clock: after steps 2 and 4, after each 100 s validation batch (epoch 0's
    # validation: "epoch 0 | step 4"), then 2 s into epoch 1 (step 6); tokens/s since the
    # previous line, validation time left out
    assert [(f["epoch"], f["step"], f["of epoch"]) for f in fields] == [
        ("0", "2/8", "50%"),
        ("0", "4/8", "100%"),
        ("1", "6/8", "50%"),
        ("1", "8/8", "100%"),
    ]
    assert [f["tokens/s"] for f in fields] == ["12", "8", "12", "8"]
    assert [f["ETA"] for f in fields] == ["6s", "4s", "1m09s", "0s"]  # to step 8 at this pace
    assert all(f["lr"] == "0.01" and 1.0 < float(f["loss"]) < 3.0 for f in fields)
    assert "ppl" not in fields[0]  # not a language model: its loss has no perplexity
    validation = [line[len(PREFIX) :] for line in lines if "validation" in line]
    assert validation == [
        "validation | epoch 0 | step 4 | batch 1/2 | 50% | ETA 1m40s",
        "validation | epoch 0 | step 4 | batch 2/2 | 100% | ETA 0s",
        "validation | epoch 1 | step 8 | batch 1/2 | 50% | ETA 1m40s",
        "validation | epoch 1 | step 8 | batch 2/2 | 100% | ETA 0s",
    ]
    assert lines.index(PREFIX + validation[1]) < lines.index(PREFIX + validation[2])
    del lines[:]
    trainer.test(trainer.lightning_module, DataLoader(data, 5), verbose=False)
    assert lines == [PREFIX + "test | step 8 | batch 1/2 | 50% | ETA 1m40s"] + [
        PREFIX + "test | step 8 | batch 2/2 | 100% | ETA 0s"
    ]  # after fit: the weights' step, no epoch


def test_display_callbacks_give_lines_in_a_log_file_and_the_bar_on_a_terminal(monkeypatch):
    import lstm_nlp.training.progress as progress

    monkeypatch.setattr(progress, "rich_available", lambda: True)
    on = {"enable_progress_bar": True, "enable_model_summary": False}
    off = {"enable_progress_bar": False, "enable_model_summary": True}
    assert [type(c) for c in display_callbacks(on, 30, terminal=True)] == [RichTokensBar]
    assert [type(c) for c in display_callbacks(off, 30, terminal=True)] == [ParameterSummary]
    assert [type(c) for c in display_callbacks(on, 30, terminal=False)] == [BatchLogBar]
    lines = display_callbacks(off, 30, terminal=False)
    assert [type(c) for c in lines] == [BatchLog, ParameterSummary] and lines[0].every_seconds == 30
    assert [type(c) for c in display_callbacks(off, None, terminal=False)] == [ParameterSummary]
    assert [duration(s) for s in (0.4, 59, 61, 3599, 3600, 7325)] == [
        "0s", "59s", "1m01s", "59m59s", "1h00m", "2h02m",
    ]  # fmt: skip


class SlowBatches(pl.Callback):
    """Makes each training batch last at least 45 ms, so the first epoch outlasts two
    intervals of 2 s on any machine."""

    def on_train_batch_end(self, *args, **kwargs):
        time.sleep(0.045)


def test_a_run_with_stdout_to_a_file_prints_progress_during_its_first_epoch(tmp_path):
    from lstm_nlp.cli import train
    from lstm_nlp.cli.common import run_app

    log = tmp_path / "train.log"
    args = [
        *TINY,
        f"run_dir={tmp_path / 'run'}",
        "logger=none",
        "progress_every_seconds=2",
        "data.train_sentences=400",  # 107 batches of 40 tokens: at least 4.8 s
        "data.valid_sentences=40",
        "test=false",
        f"+callbacks.slow._target_={__name__}.SlowBatches",
    ]
    code = 0
    with open(log, "w") as out, contextlib.redirect_stdout(out):
        with mock.patch.object(sys, "argv", [train.COMMAND.prog, *args]):
            try:
                run_app(train.COMMAND, train._app)
            except SystemExit as exit_:
                code = exit_.code
    assert code in (0, None), log.read_text()[-2000:]
    text = log.read_text()
    epoch_line = text.index("lstm-nlp: epoch 0 |")
    progress = [m for m in re.finditer(rf"^{re.escape(PREFIX)}(.*)$", text, re.M)]
    assert len([m for m in progress if m.start() < epoch_line]) >= 2, text
    first = progress[0].group(1)
    assert re.fullmatch(
        r"epoch 0 \| step \d+/107 \| \d+% of epoch \| loss [\d.]+ \| ppl [\d.]+ \| "
        r"[\d,]+ tokens/s \| lr 20 \| ETA \d+s",
        first,
    ), first
