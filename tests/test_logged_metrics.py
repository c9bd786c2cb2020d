"""What every logger receives besides the module's own values: the gradient norm before clipping,
tokens/s, the learning rate per step, system figures, and weight/gradient histograms."""

import sys
from pathlib import Path
from types import SimpleNamespace

import lightning.pytorch as pl
import pytest
import torch
from cli_helpers import TINY, run_in_process
from lightning.pytorch.loggers import Logger, WandbLogger
from omegaconf import OmegaConf
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_nlp.registry import instantiate_target
from lstm_nlp.training.watch import WatchModel

CALLBACKS = Path(__file__).resolve().parent.parent / "conf" / "callbacks" / "default.yaml"
SYSTEM = ("system/cpu_percent", "system/rss_gb", "system/memory_percent")


class Captured(Logger):
    """Keeps what Lightning logs: ``(step, {key: value})`` per call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, dict]] = []

    name, version = "captured", 0

    def log_metrics(self, metrics, step=None):
        self.calls.append((step, dict(metrics)))

    def log_hyperparams(self, params, *args, **kwargs):
        pass

    def values(self, key: str) -> list[tuple[int, float]]:
        return [(step, m[key]) for step, m in self.calls if key in m]


class KnownGradient(pl.LightningModule):
    """loss = w · (3, 4, 0) + b: the gradient's norm is 5 at every step; a step-wise schedule
    halves the rate each step."""

    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(3))

    def training_step(self, batch, batch_idx):
        return (self.w * torch.tensor([3.0, 4.0, 0.0])).sum() + batch[0].float().sum() * 0

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def default_callbacks(*names: str) -> list:
    """The entries ``names`` of conf/callbacks/default.yaml, built as the runner builds them."""
    conf = OmegaConf.load(CALLBACKS)
    return [instantiate_target(OmegaConf.to_container(conf[n]), n) for n in names]


def test_every_logger_gets_grad_norm_before_clipping_tokens_per_s_lr_per_step_and_system(
    tmp_path,
):
    logger = Captured()
    callbacks = default_callbacks("grad_norm", "throughput", "system_metrics", "lr_monitor")
    trainer = pl.Trainer(
        max_steps=6,
        logger=logger,
        callbacks=callbacks,
        log_every_n_steps=2,
        gradient_clip_val=0.25,  # clipped to 0.25 after the norm is taken
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
        accelerator="cpu",
    )
    data = TensorDataset(torch.zeros(24, 4, dtype=torch.long))  # 8 tokens a batch of 2
    trainer.fit(KnownGradient(), DataLoader(data, batch_size=2))
    norms = logger.values("train/grad_norm")
    assert [step for step, _ in norms] == [1, 3, 5]  # Lightning's logged steps, every 2nd
    assert all(value == pytest.approx(5.0) for _, value in norms)  # not 0.25: before clipping
    rates = logger.values("train/tokens_per_s")
    assert [step for step, _ in rates] == [1, 3, 5] and all(v > 0 for _, v in rates)
    lrs = logger.values("lr-SGD")  # the schedule steps per step: so is its rate logged
    assert [(s, v) for s, v in lrs if s in (1, 3, 5)] == [
        (1, pytest.approx(0.05)),
        (3, pytest.approx(0.0125)),
        (5, pytest.approx(0.003125)),
    ]
    for key in SYSTEM if sys.platform == "linux" else SYSTEM[:1]:
        figures = logger.values(key)
        assert [step for step, _ in figures] == [1, 3, 5] and all(v >= 0 for _, v in figures), key
    assert all(v > 0.001 for _, v in logger.values("system/rss_gb"))  # over a megabyte


def test_tokens_per_s_counts_training_time_since_the_previous_logged_step():
    from lstm_nlp.training.throughput import LoggedThroughput

    clock = SimpleNamespace(now=0.0)
    rate = LoggedThroughput(clock=lambda: clock.now)
    logged = []
    module = SimpleNamespace(log=lambda key, value, **kw: logged.append((key, value)))
    connector = SimpleNamespace(should_update_logs=False)
    trainer = SimpleNamespace(
        world_size=2, loggers=[object()], sanity_checking=False, _logger_connector=connector
    )
    rate.on_train_epoch_start(trainer, module)
    for due in (False, True, False, True):
        clock.now += 1.0
        connector.should_update_logs = due
        rate.on_train_batch_end(trainer, module, None, (torch.zeros(5, 2),), 0)
    assert logged == [("train/tokens_per_s", 20.0)] * 2  # 2 batches x 10 tokens x 2 ranks / 2 s


class QuietWandb(WandbLogger):
    """A W&B logger that only records what ``watch`` was asked (no wandb run)."""

    def __init__(self) -> None:
        self.watched = []

    def watch(self, model, log="gradients", log_freq=100, log_graph=True):
        self.watched.append((model, log, log_freq, log_graph))


def test_watch_asks_wandb_and_says_so_when_no_logger_holds_histograms(capsys):
    wandb, module = QuietWandb(), nn.Linear(2, 2)
    watch = WatchModel(log="gradients", every_n_steps=7)
    watch.on_fit_start(SimpleNamespace(is_global_zero=True, loggers=[wandb]), module)
    assert wandb.watched == [(module, "gradients", 7, False)]
    WatchModel(log="all").on_fit_start(SimpleNamespace(is_global_zero=True, loggers=[]), module)
    assert capsys.readouterr().out.strip() == (
        "lstm-nlp: watch=all: no logger here holds histograms (loggers: none); "
        "use logger=tensorboard or logger=wandb"
    )


def test_tensorboard_run_holds_histograms_and_the_logged_scalars(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = tmp_path / "tiny-tb"
    proc = run_in_process(
        "train",
        *TINY,
        f"run_dir={run_dir}",
        "logger=tensorboard",
        "watch=all",
        "watch_every_n_steps=40",
        "trainer.log_every_n_steps=10",
        "data.train_sentences=300",
        "data.valid_sentences=40",
        "test=false",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = EventAccumulator(str(run_dir / "tensorboard"), size_guidance={"histograms": 0})
    events.Reload()
    tags = events.Tags()
    for key in ("train/grad_norm", "train/tokens_per_s", "system/cpu_percent", "lr-SGD"):
        assert key in tags["scalars"], (key, tags["scalars"])
    names = {f"{kind}/{name}" for kind in ("parameters", "gradients") for name in PARAMETERS}
    assert names <= set(tags["histograms"]), tags["histograms"]
    steps = [e.step for e in events.Histograms("gradients/encoder.lstm.weight_hh_l0")]
    assert steps[:2] == [0, 40]
    md = (run_dir / "report.md").read_text()
    assert md.startswith("# tiny-tb\n")  # the run's name as the report's title


PARAMETERS = ("embedding.weight", "encoder.lstm.weight_hh_l0", "decoder.decoder.weight")


@pytest.mark.parametrize(
    "arg, error",
    [
        ("progress_every_seconds=0", "progress_every_seconds must be null or a number > 0, got 0"),
        ("watch=histos", "watch must be null or one of gradients, parameters, all, got 'histos'"),
        ("watch_every_n_steps=0", "watch_every_n_steps must be an integer >= 1, got 0"),
    ],
)
def test_a_bad_progress_or_watch_option_is_one_line(arg, error):
    from cli_helpers import config_error

    assert config_error("train", arg) == f"lstm-nlp-train: error: {error}"
