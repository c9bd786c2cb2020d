"""Re-running a run directory compares the settings with the saved ones: the changes a user makes
on resume pass (and are noted), any other is refused unless resume=force (noted as forced); a
re-run never drops a figure from metrics.json."""

from __future__ import annotations

import json

import pytest
import yaml
from cli_helpers import SMALL_LM, metrics, one_line_error, run_in_process
from omegaconf import OmegaConf

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.errors import ConfigError
from lstm_nlp.training.config_diff import changeable, check_resume, differences
from lstm_nlp.training.metrics_file import merged_metrics


def load(*overrides):
    prepare(COMMAND, [])
    return compose("train", list(overrides))


def saved(run_dir, *overrides):
    (run_dir / ".hydra").mkdir(parents=True)
    (run_dir / ".hydra" / "config.yaml").write_text(OmegaConf.to_yaml(load(*overrides)))


def test_the_changes_a_user_makes_on_resume_pass_and_are_returned(tmp_path):
    saved(tmp_path, "trainer.max_epochs=3", "logger=csv")
    new = load("trainer.max_epochs=5", "logger=tensorboard", "threads=2", "test=false")
    changes = check_resume(new, tmp_path, "auto")
    assert changes == {
        "logger.csv": ({}, "(absent)"),
        "logger.name": ("csv", "tensorboard"),
        "logger.tensorboard": ("(absent)", {}),
        "test": (True, False),
        "threads": (1, 2),
        "trainer.max_epochs": (3, 5),
    }


def test_other_changes_are_refused_in_one_line_listing_them_unless_forced(tmp_path):
    saved(tmp_path, "optim.lr=20")
    given = ["optim.lr=5", "+trainer.max_steps=9", "optim/scheduler=cosine"]
    new = load(*given)
    with pytest.raises(ConfigError) as refused:
        check_resume(new, tmp_path, "auto", given)
    line = str(refused.value)
    assert "\n" not in line and "optim.lr (20, now 5)" in line
    assert "optim.scheduler.name ('plateau', now 'cosine')" in line and "and " in line
    assert "trainer.max_steps" not in line  # allowed
    assert "add resume=force to go on with these" in line
    forced = check_resume(new, tmp_path, "force")
    assert forced["optim.lr"] == (20, 5) and forced["trainer.max_steps"] == ("(absent)", 9)


def test_interpolations_compare_by_value_and_a_missing_saved_config_compares_nothing(tmp_path):
    preset = load("experiment=awd_lstm", "task.embedding_dim=12")
    assert differences(preset, load("experiment=awd_lstm", "task.embedding_dim=12")) == {}
    assert "encoder.last_layer_size" in differences(
        preset, load("experiment=awd_lstm", "task.embedding_dim=14")
    )
    assert check_resume(load("optim.lr=1"), tmp_path, "auto") == {}


def test_an_unreadable_saved_config_is_one_line_and_force_goes_past_it(tmp_path):
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "config.yaml").write_text("a: [unclosed\n")
    with pytest.raises(ConfigError, match=r"config.yaml: the run's saved settings are unreadable"):
        check_resume(load(), tmp_path, "auto")
    assert check_resume(load(), tmp_path, "force") == {}


@pytest.mark.parametrize(
    "key, allowed",
    [
        ("trainer.max_epochs", True),
        ("logger.project", True),
        ("trainer.devices", True),
        ("run_dir", True),
        ("trainer.max_epochs_extra", False),
        ("optim.lr", False),
        ("trainer.precision", False),
        ("data.path", False),
    ],
)
def test_changeable_keys(key, allowed):
    assert changeable(key) is allowed


def test_metrics_of_a_rerun_keep_what_it_did_not_measure():
    old = {"val/ppl": 9.0, "test/ppl": 8.0, "global_step": 100, "epochs": 1}
    same_weights = {"val/ppl": 9.0, "global_step": 100, "epochs": 1}
    assert merged_metrics(old, same_weights) == old
    trained_on = {"val/ppl": 7.0, "global_step": 200, "epochs": 2}
    moved = merged_metrics(old, trained_on)
    assert moved == {**trained_on, "earlier/test/ppl": 8.0, "earlier/global_step": 100}
    again = {"val/ppl": 6.0, "global_step": 300, "epochs": 3}
    assert merged_metrics(moved, again) == {
        **again,
        "earlier/test/ppl": 8.0,
        "earlier/global_step": 100,
    }
    tested = {**again, "test/ppl": 5.0}
    assert merged_metrics(moved, tested) == tested  # measured again: the earlier figure goes


BASE = [*SMALL_LM, "logger=none"]


def commands(run_dir):
    return [json.loads(line) for line in (run_dir / "commands.jsonl").read_text().splitlines()]


def test_reruns_of_a_run_directory_end_to_end(tmp_path):
    run_dir = tmp_path / "run"
    assert run_in_process("train", *BASE, f"run_dir={run_dir}").returncode == 0
    first = metrics(run_dir)
    (entry,) = commands(run_dir)
    assert entry["changed"] == {} and entry["resumed_from"] is None

    # a finished run again with test=false: nothing to train, test/ppl stays
    proc = run_in_process("train", *BASE, f"run_dir={run_dir}", "test=false")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert metrics(run_dir)["test/ppl"] == first["test/ppl"]
    assert commands(run_dir)[-1]["changed"] == {"test": [True, False]}

    # another learning rate: refused, then forced; the record says so
    line = one_line_error(run_in_process("train", *BASE, f"run_dir={run_dir}", "optim.lr=5"))
    assert "optim.lr (20.0, now 5)" in line
    forced = [*BASE, f"run_dir={run_dir}", "optim.lr=5", "resume=force", "trainer.max_epochs=2"]
    proc = run_in_process("train", *forced, "test=false")
    assert proc.returncode == 0, proc.stderr[-2000:]
    entry = commands(run_dir)[-1]
    assert entry["forced"] == ["optim.lr"] and entry["resume"] == "force"
    assert entry["resumed_from"] == "checkpoints/last.ckpt"
    assert entry["changed"]["trainer.max_epochs"] == [1, 2]
    assert yaml.safe_load((run_dir / ".hydra" / "config.yaml").read_text())["optim"]["lr"] == 5
    overrides = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text())
    assert overrides[-3:] == ["resume=force", "trainer.max_epochs=2", "test=false"]
    after = metrics(run_dir)  # trained on: the old test figure is kept as an earlier one
    assert after["epochs"] == 2 and "test/ppl" not in after
    assert after["earlier/test/ppl"] == first["test/ppl"]
    assert after["earlier/global_step"] == first["global_step"]


def test_a_setting_newer_than_the_run_is_no_change_unless_given(tmp_path):
    """A run saved before an option existed resumes at that option's default; giving the option
    on the command line is a change like any other."""
    from omegaconf import OmegaConf

    from lstm_nlp.training.config_diff import check_resume

    (tmp_path / ".hydra").mkdir()
    OmegaConf.save(OmegaConf.create({"task": {"dropout": 0.2}}), tmp_path / ".hydra/config.yaml")
    new = OmegaConf.create({"task": {"dropout": 0.2, "new_option": 3}})
    changes = check_resume(new, tmp_path, "auto", overrides=["trainer.max_epochs=3"])
    assert changes == {"task.new_option": ("(absent)", 3)}  # noted, not refused
    with pytest.raises(ConfigError, match=r"task.new_option \(\(absent\), now 3\)"):
        check_resume(new, tmp_path, "auto", overrides=["task.new_option=3"])
