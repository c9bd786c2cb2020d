"""What a user adds from the command line without code: callbacks, optimisers, schedules and
loggers by ``_target_``, and the callback presets."""

from __future__ import annotations

import pytest
from lightning.pytorch.callbacks import (
    EarlyStopping,
    LearningRateMonitor,
    StochasticWeightAveraging,
)

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.errors import ConfigError
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.console import EpochSummary
from lstm_nlp.training.runner import build_task, fit
from lstm_nlp.training.trainer import build_trainer

TINY = [
    "encoder.hidden_size=8",
    "encoder.num_layers=1",
    "task.embedding_dim=8",
    "task.batch_size=4",
    "task.eval_batch_size=4",
    "task.bptt=5",
    "data.train_sentences=60",
    "data.valid_sentences=20",
    "data.test_sentences=20",
    "trainer.enable_progress_bar=false",
]


def built(tmp_path, *overrides):
    prepare(COMMAND, [])
    tiny = [o for o in TINY if o != "task.bptt=5" or "task=number_agreement" not in overrides]
    cfg = compose("train", [*tiny, *overrides])
    check_config(cfg, list(overrides))
    parts = build_task(cfg, tmp_path)
    return build_trainer(cfg, tmp_path, parts, {}), parts


def test_the_default_callbacks_come_from_the_callbacks_group(tmp_path):
    trainer, _ = built(tmp_path)
    kinds = {type(c) for c in trainer.callbacks}
    assert {EpochSummary, LearningRateMonitor} <= kinds
    trainer, _ = built(tmp_path, "callbacks=none", "logger=none")
    assert not {EpochSummary, LearningRateMonitor} & {type(c) for c in trainer.callbacks}


def test_presets_and_any_callback_class_from_the_command_line(tmp_path):
    trainer, parts = built(
        tmp_path,
        "callbacks=[default,early_stopping]",
        "callbacks.early_stopping.patience=1",
        "+callbacks.swa._target_=lightning.pytorch.callbacks.StochasticWeightAveraging",
        "+callbacks.swa.swa_lrs=0.5",
    )
    (stopping,) = [c for c in trainer.callbacks if isinstance(c, EarlyStopping)]
    assert (stopping.monitor, stopping.mode, stopping.patience) == ("val/loss", "min", 1)
    (swa,) = [c for c in trainer.callbacks if isinstance(c, StochasticWeightAveraging)]
    assert swa._swa_lrs == 0.5
    trainer, _ = built(tmp_path, "task=number_agreement", "callbacks=[default,early_stopping]")
    (stopping,) = [c for c in trainer.callbacks if isinstance(c, EarlyStopping)]
    assert (stopping.monitor, stopping.mode) == ("val/acc", "max")  # the task's, filled in


def test_a_bad_callback_argument_is_one_line_naming_the_entry(tmp_path):
    with pytest.raises(
        ConfigError,
        match=r"^callbacks.early_stopping: cannot build .*EarlyStopping.*unexpected keyword "
        r"argument 'patiense'",
    ):
        built(
            tmp_path, "callbacks=[default,early_stopping]", "+callbacks.early_stopping.patiense=1"
        )


def test_any_torch_optimiser_and_schedule_by_target(tmp_path):
    _, parts = built(
        tmp_path,
        "optim=custom",
        "optim._target_=torch.optim.RMSprop",
        "optim.lr=0.01",
        "+optim.alpha=0.9",
        "optim/scheduler=custom",
        "optim.scheduler._target_=torch.optim.lr_scheduler.StepLR",
        "+optim.scheduler.step_size=3",
        "optim.scheduler.interval=step",
    )
    config = parts.module.configure_optimizers()
    optimizer, schedule = config["optimizer"], config["lr_scheduler"]
    assert type(optimizer).__name__ == "RMSprop"
    assert optimizer.defaults["alpha"] == 0.9 and optimizer.defaults["lr"] == 0.01
    assert type(schedule["scheduler"]).__name__ == "StepLR" and schedule["interval"] == "step"
    assert schedule["scheduler"].step_size == 3


def test_registered_optimisers_and_schedules_are_built_from_their_options(tmp_path):
    _, parts = built(tmp_path, "optim=adamw", "optim/scheduler=cosine", "optim.scheduler.t_max=4")
    config = parts.module.configure_optimizers()
    assert type(config["optimizer"]).__name__ == "AdamW"
    assert config["optimizer"].defaults["weight_decay"] == 0.01
    assert config["lr_scheduler"]["scheduler"].T_max == 4


def test_any_lightning_logger_by_target_writes_into_the_run_directory(tmp_path):
    trainer, _ = built(
        tmp_path, "logger=custom", "logger.custom._target_=lightning.pytorch.loggers.CSVLogger"
    )
    (logger,) = trainer.loggers
    assert type(logger).__name__ == "CSVLogger" and logger.save_dir == str(tmp_path)


def test_a_callback_monitoring_a_metric_the_task_does_not_log_is_one_line(tmp_path):
    trainer, parts = built(
        tmp_path,
        "+callbacks.es._target_=lightning.pytorch.callbacks.EarlyStopping",
        "+callbacks.es.monitor=val/accuracy",
        "trainer.max_epochs=1",
        "logger=none",
    )
    with pytest.raises(ConfigError, match=r"^callbacks: a callback monitors 'val/accuracy', which"):
        fit(trainer, parts, None)
