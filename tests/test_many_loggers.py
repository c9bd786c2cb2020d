"""Several loggers at once (``logger=[tensorboard,wandb,csv]``), each with its own options; the
whole composed config as every logger's hyper-parameters; impossible combinations refused in
one line."""

import csv
import math
from pathlib import Path

import pytest
import yaml
from cli_helpers import TINY, config_error, metrics

from lstm_nlp.errors import ConfigError
from lstm_nlp.report.hparams import flat, hp_metrics
from lstm_nlp.report.loggers import chosen_loggers

SMALL = ["data.train_sentences=200", "data.valid_sentences=40", "data.test_sentences=40"]
LIMITS = ["trainer.limit_train_batches=5", "trainer.limit_val_batches=3"]


def train_composed(run_dir: Path, *overrides: str) -> dict:
    """Train as ``lstm-nlp-train OVERRIDES`` does, from the same composed and checked config."""
    import lstm_nlp.conf  # noqa: F401  (the configs into Hydra's ConfigStore)
    from lstm_nlp.cli.common import checked_config
    from lstm_nlp.cli.train import COMMAND
    from lstm_nlp.training.runner import train

    argv = [*TINY, *SMALL, *LIMITS, *overrides, f"run_dir={run_dir}"]
    return train(checked_config(COMMAND, argv), run_dir, argv)


@pytest.fixture(scope="module")
def three_loggers(tmp_path_factory) -> Path:
    run_dir = tmp_path_factory.mktemp("many") / "run"
    train_composed(
        run_dir, "logger=[tensorboard,wandb,csv]", "logger.wandb.tags=[small,test]", "seed=7"
    )
    return run_dir


def test_three_loggers_write_side_by_side_the_same_figures(three_loggers):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from test_dashboards import history_rows, wandb_records

    run_dir, m = three_loggers, metrics(three_loggers)
    acc = EventAccumulator(str(run_dir / "tensorboard"), size_guidance={"scalars": 0})
    acc.Reload()
    ((tb_best,),) = [acc.Scalars("best/val_ppl")]
    (csv_path,) = run_dir.glob("logs/version_*/metrics.csv")
    with csv_path.open() as f:
        (csv_best,) = [r for r in csv.DictReader(f) if r["best/val_ppl"]]
    (wandb_file,) = (run_dir / "wandb").glob("offline-run-*/run-*.wandb")
    (wandb_best,) = [r for r in history_rows(wandb_records(wandb_file)) if "best/val_ppl" in r]
    assert tb_best.step == int(csv_best["step"]) == wandb_best["trainer/global_step"] == 5
    for value in (tb_best.value, float(csv_best["best/val_ppl"]), wandb_best["best/val_ppl"]):
        assert math.isclose(value, m["val/ppl"], rel_tol=1e-6)
    saved = yaml.safe_load((run_dir / ".hydra" / "config.yaml").read_text())["logger"]
    assert [k for k in saved if k != "name"] == ["tensorboard", "wandb", "csv"]


def test_every_logger_gets_the_whole_composed_config(three_loggers):
    from test_dashboards import wandb_records

    run_dir = three_loggers
    composed = yaml.safe_load((run_dir / ".hydra" / "config.yaml").read_text())
    (csv_hparams,) = run_dir.glob("logs/version_*/hparams.yaml")
    for path in (run_dir / "tensorboard" / "hparams.yaml", csv_hparams):
        hparams = yaml.safe_load(path.read_text())
        assert hparams["run_dir"] == str(run_dir) and hparams["seed"] == 7
        assert {k: hparams[k] for k in ("task", "encoder", "data", "trainer")} == {
            k: composed[k] for k in ("task", "encoder", "data", "trainer")
        }
    (wandb_file,) = (run_dir / "wandb").glob("offline-run-*/run-*.wandb")
    (config,) = [
        r.config for r in wandb_records(wandb_file) if r.WhichOneof("record_type") == "config"
    ]
    keys = {u.key for u in config.update}
    assert keys == set(composed)  # nested as composed: no `dropout` or `vocab_size` beside them
    (run,) = [r.run for r in wandb_records(wandb_file) if r.WhichOneof("record_type") == "run"]
    assert (run.display_name, run.job_type, list(run.tags)) == ("run", "train", ["small", "test"])


def test_the_chosen_loggers_in_their_order_each_with_its_options():
    node = {"name": "csv", "tensorboard": {}, "wandb": {"project": "p"}, "csv": {}}
    chosen = chosen_loggers(node)
    assert [name for name, _ in chosen] == ["tensorboard", "wandb", "csv"]
    assert chosen[1][1].project == "p" and chosen[1][1].job_type == "train"
    assert chosen_loggers({"name": "wandb", "project": "q"})[0][1].project == "q"  # flat, as before
    assert [name for name, _ in chosen_loggers({"name": "none", "none": {}})] == ["none"]
    with pytest.raises(ConfigError, match=r"none \(no logger\) cannot go with other loggers"):
        chosen_loggers({"name": "csv", "none": {}, "csv": {}})


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["logger=none", "+logger.csv={}"],
            "logger=[csv,none]: none (no logger) cannot go with other loggers; choose "
            "logger=none alone, or leave none out",
        ),
        (["logger=custom"], "logger.custom._target_ is required"),
        (["logger=wandb", "logger.wandb.mode=cloud"], "logger.wandb.mode must be null or one of"),
    ],
)
def test_impossible_combinations_are_one_line(args, expected):
    assert expected in config_error("train", *args)


def test_the_same_logger_twice_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        train_composed(tmp_path / "run", "logger=[csv,tensorboard,csv]")
    assert str(err.value) == (
        "logger=[csv,tensorboard,csv]: csv is chosen twice; choose each logger once (its "
        "options: logger.csv.KEY=VALUE)"
    )
    assert not (tmp_path / "run").exists()


def test_a_list_of_loggers_passes_the_command_line_checks():
    """The group names of logger=[a,b] are checked one by one (not as '[a' and 'b]')."""
    assert "none (no logger) cannot go with" in config_error("train", "logger=[none,csv]")
    assert "Did you mean 'tensorboard'" in config_error("train", "logger=[tensorbord,csv]")


def test_hparams_are_flat_scalars_and_the_final_figures_hp_metrics():
    assert flat({"a": {"b": 1, "c": [1, 2], "d": None, "e": {}}, "f": "x"}) == {
        "a.b": 1,
        "a.c": "[1, 2]",
        "a.d": "null",
        "a.e": "{}",
        "f": "x",
    }
    final = {"val/loss": 4.0, "val/ppl": 54.6, "test/ppl": "inf", "test/agreement/acc": 0.5}
    final |= {"test/agreement/acc/category/pp": 0.4, "global_step": 9, "data/types": 3}
    assert hp_metrics(final) == {
        "hp/best_val_loss": 4.0,
        "hp/best_val_ppl": 54.6,
        "hp/test_agreement_acc": 0.5,
    }
