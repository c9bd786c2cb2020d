"""The reproduction presets (zaremba_small/medium/large, gulordava2018) say what their sources say,
their schedule is the tutorial's, the GPU-sized ones run a few steps on CPU, and
scripts/reproduce.sh prints published beside measured perplexity."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import pytest
import torch
import torch.nn.functional as F
import yaml
from cli_helpers import env

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.data.lm_datamodule import LMStreamDataModule
from lstm_nlp.tasks.language_model import LanguageModel
from lstm_nlp.tasks.optim import optimizers_from_config
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.runner import build_task, train

prepare(COMMAND, [])
ROOT = Path(__file__).resolve().parent.parent
PRESETS = ["zaremba_small", "zaremba_medium", "zaremba_large", "gulordava2018"]
PUBLISHED = yaml.safe_load((ROOT / "scripts" / "published.yaml").read_text())

# tensorflow/models tutorials/rnn/ptb/ptb_word_lm.py: SmallConfig, MediumConfig, LargeConfig
TUTORIAL = {
    "zaremba_small": dict(
        init_scale=0.1, learning_rate=1.0, max_grad_norm=5, num_layers=2, num_steps=20,
        hidden_size=200, max_epoch=4, max_max_epoch=13, keep_prob=1.0, lr_decay=0.5,
        batch_size=20,
    ),
    "zaremba_medium": dict(
        init_scale=0.05, learning_rate=1.0, max_grad_norm=5, num_layers=2, num_steps=35,
        hidden_size=650, max_epoch=6, max_max_epoch=39, keep_prob=0.5, lr_decay=0.8,
        batch_size=20,
    ),
    "zaremba_large": dict(
        init_scale=0.04, learning_rate=1.0, max_grad_norm=10, num_layers=2, num_steps=35,
        hidden_size=1500, max_epoch=14, max_max_epoch=55, keep_prob=0.35, lr_decay=1 / 1.15,
        batch_size=20,
    ),
}  # fmt: skip


def load(*overrides: str):
    return compose("train", list(overrides))


@pytest.mark.parametrize("name", PRESETS)
def test_presets_compose_cite_their_source_and_state_deviations(name):
    cfg = load(f"experiment={name}")
    check_config(cfg, [])
    text = (ROOT / "conf" / "experiment" / f"{name}.yaml").read_text()
    assert "Source:" in text and "Deviations:" in text
    assert name in PUBLISHED  # its published figures have their one place


@pytest.mark.parametrize("name", sorted(TUTORIAL))
def test_zaremba_presets_are_the_tutorials_configs(name):
    tf = TUTORIAL[name]
    cfg = load(f"experiment={name}")
    task, enc = cfg.task, cfg.encoder
    assert (task.init, task.init_range) == ("zaremba", tf["init_scale"])
    assert (enc.num_layers, enc.hidden_size, task.embedding_dim) == (
        tf["num_layers"],
        tf["hidden_size"],
        tf["hidden_size"],
    )
    assert (task.bptt, task.batch_size, cfg.trainer.max_epochs) == (
        tf["num_steps"],
        tf["batch_size"],
        tf["max_max_epoch"],
    )
    # dropout 1 - keep_prob on the embedding output, between the layers and on the last output
    assert task.dropout == enc.dropout == pytest.approx(1 - tf["keep_prob"])
    assert enc.input_dropout == enc.hidden_dropout == enc.output_dropout == enc.weight_drop == 0
    assert not task.variable_bptt and task.embedding_dropout == 0 and not task.tie_weights
    # the tutorial's cost is summed over num_steps: the same SGD step is lr*T, clip/T on the mean
    assert (cfg.optim.name, cfg.optim.momentum, cfg.optim.weight_decay) == ("sgd", 0, 0)
    assert cfg.optim.lr == pytest.approx(tf["learning_rate"] * tf["num_steps"], rel=1e-12)
    assert cfg.trainer.gradient_clip_algorithm == "norm"
    assert cfg.trainer.gradient_clip_val == pytest.approx(
        tf["max_grad_norm"] / tf["num_steps"], rel=1e-12
    )
    sched = cfg.optim.scheduler
    assert (sched.name, sched.start_epoch) == ("decay_after", tf["max_epoch"])
    assert sched.gamma == pytest.approx(tf["lr_decay"], rel=1e-12)
    assert task.eval_batch_size == 1  # the tutorial's test batch


@pytest.mark.parametrize("name", sorted(TUTORIAL))
def test_decay_after_is_the_tutorials_schedule(name):
    """Epoch i (from 0) trains at learning_rate * lr_decay ** max(i + 1 - max_epoch, 0), stepped
    once per epoch as Lightning steps an epoch-interval schedule."""
    tf, cfg = TUTORIAL[name], load(f"experiment={name}")
    built = optimizers_from_config([torch.nn.Parameter(torch.zeros(1))], cfg.optim)
    optimizer, schedule = built["optimizer"], built["lr_scheduler"]
    assert schedule["interval"] == "epoch" and schedule["frequency"] == 1
    scale = cfg.optim.lr / tf["learning_rate"]  # num_steps: see the preset's loss-scale note
    for i in range(tf["max_max_epoch"]):
        tutorial = tf["learning_rate"] * tf["lr_decay"] ** max(i + 1 - tf["max_epoch"], 0.0)
        assert optimizer.param_groups[0]["lr"] == pytest.approx(scale * tutorial, rel=1e-9), i
        optimizer.step()
        schedule["scheduler"].step()


class RecordLR(pl.Callback):
    def __init__(self) -> None:
        self.per_epoch: list[list[float]] = []

    def on_train_epoch_start(self, trainer, module) -> None:
        self.per_epoch.append([])

    def on_train_batch_start(self, trainer, module, batch, batch_idx) -> None:
        self.per_epoch[-1].append(trainer.optimizers[0].param_groups[0]["lr"])


def tiny_lm(optim: dict, **options) -> LanguageModel:
    torch.manual_seed(0)
    encoder = {"name": "lstm", "hidden_size": 8, "num_layers": 2, "dropout": 0.0}
    return LanguageModel(30, encoder, optim, embedding_dim=8, dropout=0.0, **options)


def tiny_data(batch_size: int = 4, bptt: int = 5) -> LMStreamDataModule:
    train_ids = np.random.default_rng(0).integers(0, 30, 200).astype(np.int32)
    streams = {"train": train_ids, "valid": train_ids[:60], "test": train_ids[:60]}
    return LMStreamDataModule(streams, batch_size=batch_size, eval_batch_size=2, bptt=bptt)


@pytest.mark.slow
def test_lightning_steps_decay_after_once_per_epoch_as_the_tutorial(tmp_path):
    """In a real fit: every batch of epoch i at lr * 0.5 ** max(i + 1 - 2, 0)."""
    optim = {"name": "sgd", "lr": 1.0, "scheduler": {"name": "decay_after", "start_epoch": 2}}
    record = RecordLR()
    trainer = pl.Trainer(
        max_epochs=5,
        accelerator="cpu",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[record],
        default_root_dir=tmp_path,
    )
    trainer.fit(tiny_lm(optim), datamodule=tiny_data())
    expected = [0.5 ** max(i + 1 - 2, 0) for i in range(5)]
    assert [set(lrs) for lrs in record.per_epoch] == [{e} for e in expected]


def test_the_tutorials_summed_cost_step_equals_ours():
    """SGD on the tutorial's cost (sum over the T steps of the batch-mean NLL), clipped to norm c
    at lr 1, moves the weights as SGD on the mean NLL clipped to c/T at lr T."""
    steps, clip = 6, 0.05  # a small clip, so that clipping happens
    lm = tiny_lm({"name": "sgd", "lr": 1.0}, init="zaremba")
    rng = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, 30, (steps + 1, 4), generator=rng)
    x, y = tokens[:-1], tokens[1:]
    moved = []
    for lr, max_norm, cost in (
        (1.0, clip, lambda logits: F.cross_entropy(logits.transpose(1, 2), y).mul(steps)),
        (float(steps), clip / steps, lambda logits: F.cross_entropy(logits.transpose(1, 2), y)),
    ):
        model = copy.deepcopy(lm)
        logits, _ = model(x)
        cost(logits).backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        assert norm > max_norm  # clipped
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        moved.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(moved[0], moved[1], rtol=1e-5, atol=1e-7)


def test_training_carries_the_state_across_windows_and_resets_it_each_epoch():
    """As the tutorial's run_epoch: each window starts from the previous window's final state."""
    lm = tiny_lm({"name": "sgd", "lr": 1.0}).train()
    rng = torch.Generator().manual_seed(2)
    windows = torch.randint(0, 30, (3, 6, 4), generator=rng)  # 3 windows: tokens, targets
    lm.on_train_epoch_start()
    lm.training_step((windows[0], windows[1]), 0)
    carried = lm._hidden["train"]
    second = lm.training_step((windows[1], windows[2]), 1)["train/loss"]
    with torch.no_grad():
        logits, _ = lm(windows[1], carried)
        expected = F.cross_entropy(logits.reshape(-1, 30), windows[2].reshape(-1))
        cold, _ = lm(windows[1])
        cold_loss = F.cross_entropy(cold.reshape(-1, 30), windows[2].reshape(-1))
    assert second.item() == pytest.approx(expected.item(), rel=1e-6)
    assert abs(cold_loss.item() - expected.item()) > 1e-6  # the carry makes a difference
    lm.on_train_epoch_start()
    assert "train" not in lm._hidden


@pytest.mark.parametrize("name", ["zaremba_medium", "zaremba_large"])
def test_dropout_is_on_the_non_recurrent_connections_only(name, corpus_dir, tmp_path):
    overrides = [f"experiment={name}", "data=text", f"data.path={corpus_dir}"]
    cfg = load(*overrides, "encoder.hidden_size=8", "task.embedding_dim=8")
    module = build_task(cfg, tmp_path).module
    p = 1 - TUTORIAL[name]["keep_prob"]
    assert module.drop.p == pytest.approx(p)  # embedding output and last LSTM output
    assert module.encoder.lstm.dropout == pytest.approx(p)  # between the two layers
    assert module.encoder.weight_drop == 0 and not module.encoder.per_layer  # none recurrent


def test_gulordava2018_is_their_recipe():
    cfg = load("experiment=gulordava2018")
    task, enc = cfg.task, cfg.encoder
    assert (enc.num_layers, enc.hidden_size, task.embedding_dim) == (2, 650, 650)
    assert task.dropout == enc.dropout == 0.2 and not task.tie_weights
    assert (task.batch_size, task.eval_batch_size, task.bptt) == (128, 10, 35)
    assert (task.init, task.init_range) == ("pytorch_examples", 0.1)
    assert (cfg.optim.name, cfg.optim.lr, cfg.trainer.gradient_clip_val) == ("sgd", 20.0, 0.25)
    built = optimizers_from_config([torch.nn.Parameter(torch.zeros(1))], cfg.optim)
    plateau = built["lr_scheduler"]["scheduler"]  # lr /= 4 when validation does not improve
    assert (plateau.factor, plateau.patience, plateau.threshold) == (0.25, 0, 0.0)
    assert cfg.trainer.max_epochs == 40
    # 50,000 most frequent tokens (<eos> among them) + <unk>; ours also holds <pad>
    assert cfg.data.max_size == 50002


@pytest.mark.slow
def test_gulordava2018_runs_a_few_steps_on_cpu(corpus_dir, tmp_path):
    """The GPU preset, shrunk (sizes and batch) but with its own schedule, init and dropout."""
    overrides = [
        "experiment=gulordava2018",
        "data=text",
        f"data.path={corpus_dir}",
        "encoder.hidden_size=16",
        "task.embedding_dim=16",
        "task.batch_size=8",
        "+trainer.max_steps=3",
        "trainer.limit_val_batches=2",
        "trainer.limit_test_batches=2",
        "logger=none",
        "trainer.enable_progress_bar=false",
        "trainer.enable_model_summary=false",
    ]
    metrics = train(load(*overrides), tmp_path / "run", overrides)
    assert metrics["global_step"] == 3 and math.isfinite(metrics["test/ppl"])


@pytest.mark.slow
def test_reproduce_sh_runs_a_shrunk_zaremba_large_and_prints_published_vs_measured(
    corpus_dir, tmp_path
):
    run_dir = tmp_path / "run"
    proc = subprocess.run(
        [
            str(ROOT / "scripts" / "reproduce.sh"),
            "zaremba_large",
            str(corpus_dir),
            "encoder.hidden_size=16",
            "task.embedding_dim=16",
            "+trainer.max_steps=2",
            "trainer.limit_val_batches=2",
            "trainer.limit_test_batches=2",
            "logger=none",
            "trainer.enable_progress_bar=false",
            "trainer.enable_model_summary=false",
            f"run_dir={run_dir}",
        ],
        capture_output=True,
        text=True,
        env={**env(), "PYTHON": sys.executable},
        timeout=240,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    measured = json.loads((run_dir / "metrics.json").read_text())["test/ppl"]
    out = proc.stdout
    assert "zaremba_large: published valid 82.62, test 78.29 on PTB" in out
    line = next(x for x in out.splitlines() if "zaremba_large: measured" in x)
    assert f"test {measured:.2f}" in line and "wall time" in line
    gap = 100 * (measured - 78.29) / 78.29
    assert f"({gap:+.1f}% vs published)" in line
    saved = json.loads((run_dir / "reproduction.json").read_text())
    assert saved["published"]["test"] == 78.29 and saved["measured"]["test"] == measured
    assert saved["machine"] and saved["wall_seconds"] >= 0
    assert not (tmp_path / "runs").exists()  # run_dir=... replaced the default


def reproduce_py(*args: str) -> subprocess.CompletedProcess:
    script = str(ROOT / "scripts" / "reproduce.py")
    return subprocess.run(
        [sys.executable, script, *args], capture_output=True, text=True, env=env(), timeout=60
    )


@pytest.mark.slow
def test_reproduce_refuses_what_it_cannot_compare(tmp_path):
    unknown = reproduce_py("published", "zaremba_tiny")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert "zaremba_tiny is not an experiment preset" in unknown.stderr
    unfinished = reproduce_py("compare", "zaremba_small", str(tmp_path))
    assert unfinished.returncode == 2 and "the run did not finish" in unfinished.stderr
    bad_dir = subprocess.run(
        [str(ROOT / "scripts" / "reproduce.sh"), "zaremba_small", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        env=env(),
        timeout=60,
    )
    assert bad_dir.returncode == 2 and "is not a folder" in bad_dir.stderr
    listed = reproduce_py("published", "agreement_demo")  # a preset without a published figure
    assert listed.returncode == 0 and "no published figure" in listed.stdout


def published_rows(markdown: str) -> dict[str, tuple[str, str]]:
    """preset -> (published valid, published test) from docs/reproductions.md's main table."""
    rows = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(\w+)`", cells[0]) if len(cells) > 4 else None
        if match and match.group(1) in PUBLISHED and match.group(1) not in rows:
            rows[match.group(1)] = (cells[3], cells[4])
    return rows


def test_the_docs_table_agrees_with_published_yaml():
    rows = published_rows((ROOT / "docs" / "reproductions.md").read_text())
    assert set(rows) == set(PUBLISHED)
    for name, (valid, test) in rows.items():
        for shown, value in ((valid, PUBLISHED[name]["valid"]), (test, PUBLISHED[name]["test"])):
            assert shown == ("n/a" if value is None else f"{value}"), (name, shown, value)


def test_every_published_entry_is_a_preset_and_a_number():
    for name, entry in PUBLISHED.items():
        assert (ROOT / "conf" / "experiment" / f"{name}.yaml").is_file(), name
        assert entry["corpus"] and entry["source"]
        for split in ("valid", "test"):
            assert entry[split] is None or entry[split] > 1


def test_the_readme_points_to_the_reproductions():
    assert os.access(ROOT / "scripts" / "reproduce.sh", os.X_OK)
    readme = (ROOT / "README.md").read_text()
    assert "docs/reproductions.md" in readme and "scripts/reproduce.sh" in readme
