"""Loggers write what they should; ``-m`` sweeps run one job per combination."""

import importlib.util

import pytest
from cli_helpers import metrics, one_line_error, train


@pytest.mark.slow
def test_tensorboard_logger_writes_readable_scalars(corpus_dir, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = tmp_path / "run"
    proc = train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "logger=tensorboard")
    assert proc.returncode == 0, proc.stderr[-3000:]
    acc = EventAccumulator(str(run_dir / "tensorboard"))
    acc.Reload()
    tags = set(acc.Tags()["scalars"])
    assert {"val/ppl", "val/loss", "train/loss_step", "train/loss_epoch"} <= tags
    logged = acc.Scalars("val/ppl")[0].value
    assert abs(logged - metrics(run_dir)["val/ppl"]) / logged < 1e-4  # best == only epoch


@pytest.mark.slow
def test_wandb_logger_runs_offline_and_finishes(corpus_dir, tmp_path):
    run_dir = tmp_path / "run"
    proc = train("data=text", f"data.path={corpus_dir}", f"run_dir={run_dir}", "logger=wandb")
    assert proc.returncode == 0, proc.stderr[-3000:]
    (offline,) = (run_dir / "wandb").glob("offline-run-*")
    (records,) = offline.glob("run-*.wandb")
    data = records.read_bytes()
    assert b"val/ppl" in data and b"test/ppl" in data  # metrics reached the run's record file


@pytest.mark.slow
def test_multirun_sweeps_each_combination(corpus_dir, tmp_path):
    sweep = tmp_path / "sweep"
    proc = train("-m", "data=text", f"data.path={corpus_dir}", f"run_dir={sweep}", "seed=1,2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    sizes = []
    for job in ("0", "1"):
        assert "val/ppl" in metrics(sweep / job)
        sizes.append((sweep / job / ".hydra" / "overrides.yaml").read_text())
    assert "seed=1" in sizes[0] and "seed=2" in sizes[1]


@pytest.mark.slow
def test_ddp_inside_multirun_is_refused(corpus_dir, tmp_path):
    proc = train(
        "-m",
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={tmp_path / 's'}",
        "trainer.strategy=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "seed=1,2",
    )
    assert "cannot run inside a Hydra multirun" in one_line_error(proc)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("hydra_plugins.hydra_submitit_launcher") is not None
    if importlib.util.find_spec("hydra_plugins")
    else False,
    reason="hydra-submitit-launcher is installed",
)
def test_slurm_launcher_without_its_package_is_one_line(tmp_path):
    proc = train("-m", "hydra/launcher=slurm", "seed=1,2", f"run_dir={tmp_path / 's'}")
    assert "pip install 'lstm-nlp[slurm]'" in one_line_error(proc)
