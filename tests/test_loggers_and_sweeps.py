"""Loggers write what they should; ``-m`` sweeps run one job per combination."""

import importlib.util
import json
import math

import pytest
from cli_helpers import TINY, metrics, one_line_error, run_in_process, train

from lstm_nlp.report.run_names import MAX_NAME, member_name, swept_keys

SMALL = ["data.train_sentences=200", "data.valid_sentences=40", "data.test_sentences=40"]
SMALL += ["trainer.limit_train_batches=5", "trainer.limit_val_batches=3"]


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
def test_a_wandb_sweep_member_is_named_grouped_and_configured_as_its_run(monkeypatch, tmp_path):
    """Read back with wandb's own records: each member's W&B run is named by its override,
    grouped by its sweep, its config the member's composed config (its own run_dir), nested."""
    from test_dashboards import history_rows, wandb_records

    monkeypatch.setenv("WANDB_MODE", "offline")
    sweep = tmp_path / "wsweep"
    argv = ["-m", *TINY, *SMALL, "optim.lr=5,20", "logger=wandb", "hydra/callbacks=none"]
    proc = run_in_process("train", *argv, "logger.wandb.tags=[sweep]", f"run_dir={sweep}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for member, lr in (("lr-5", 5.0), ("lr-20", 20.0)):
        (run_file,) = (sweep / member / "wandb").glob("offline-run-*/run-*.wandb")
        records = wandb_records(run_file)
        (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
        assert (run.display_name, run.run_group, run.job_type) == (member, "wsweep", "train")
        assert list(run.tags) == ["sweep"]
        (config,) = [r.config for r in records if r.WhichOneof("record_type") == "config"]
        values = {u.key: json.loads(u.value_json) for u in config.update}
        assert values["run_dir"] == str(sweep / member) and values["optim"]["lr"] == lr
        assert "dropout" not in values and values["task"]["dropout"] == 0.2  # nested, once
        m = metrics(sweep / member)
        (val,) = [r for r in history_rows(records) if "val/ppl" in r]
        assert val["trainer/global_step"] == m["global_step"] == 5
        assert math.isclose(val["val/ppl"], m["val/ppl"], rel_tol=1e-6)


@pytest.mark.slow
def test_multirun_sweeps_each_combination(corpus_dir, tmp_path):
    sweep = tmp_path / "sweep"
    proc = train("-m", "data=text", f"data.path={corpus_dir}", f"run_dir={sweep}", "seed=1,2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in sweep.iterdir() if p.is_dir()) == ["seed-1", "seed-2"]
    for job in ("seed-1", "seed-2"):
        assert "val/ppl" in metrics(sweep / job)
        overrides = (sweep / job / ".hydra" / "overrides.yaml").read_text()
        assert f"seed={job[-1]}" in overrides


@pytest.mark.parametrize(
    "command, params, job, name",
    [
        (["optim.lr=5,20", "seed=3"], {}, ["optim.lr=20", "seed=3"], "lr-20"),
        (
            ["optim.lr=5,20", "task.dropout=0.1,0.2", "encoder.dropout=0,0.5"],
            {},
            ["optim.lr=5", "task.dropout=0.2", "encoder.dropout=0.5"],
            "lr-5+task.dropout-0.2+encoder.dropout-0.5",
        ),
        (  # Optuna: the search space, less what the command line fixes
            ["encoder.hidden_size=16", "run_dir=/x/y"],
            {"optim.lr": "tag(log, interval(2.0, 40.0))", "encoder.hidden_size": "choice(1, 2)"},
            ["optim.lr=12.681045312870948", "encoder.hidden_size=16", "run_dir=/x/y"],
            "lr-12.681",
        ),
        (["data=text,grammar", "data.path=a/b"], {}, ["data=text", "data.path=a/b"], "data-text"),
        (["+trainer.max_steps=1,2"], {}, ["+trainer.max_steps=2"], "max_steps-2"),
        (["seed=1"], {}, ["seed=1"], ""),  # nothing differs: the job number names it
    ],
)
def test_sweep_member_names(command, params, job, name):
    assert member_name(job, swept_keys(command, params)) == name


def test_member_names_are_path_safe_and_bounded():
    name = member_name(["data.path='/a b/c=d,e'"], ["data.path"])
    assert name == "path-_a_b_c_d_e"  # run_dir=SWEEP/NAME works as it is on the command line
    long = member_name(
        [f"x.key{i}=value{i:03d}" for i in range(20)], [f"x.key{i}" for i in range(20)]
    )
    assert len(long) == MAX_NAME and long[:4] == "key0"


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
