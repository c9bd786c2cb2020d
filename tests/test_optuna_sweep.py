"""``hparams_search=lm_optuna``: Hydra's Optuna sweeper tunes the LM; the train command returns the
objective."""

import math

import pytest
import yaml
from cli_helpers import metrics, one_line_error, train

from lstm_nlp.cli.optional_plugins import check_optional_plugins, installed
from lstm_nlp.errors import ConfigError
from lstm_nlp.training.objective import check_objective, objective_value

SWEEPER = "hydra_plugins.hydra_optuna_sweeper"
needs_sweeper = pytest.mark.skipif(
    not installed(SWEEPER),
    reason="hydra-optuna-sweeper is not installed: pip install 'lstm-nlp[sweep]'",
)
SMALL = ["data.train_sentences=400", "data.valid_sentences=80", "data.test_sentences=80"]


@pytest.mark.slow
@needs_sweeper
def test_two_trials_and_the_best_value_is_the_best_trials_val_loss(tmp_path):
    sweep = tmp_path / "sweep"
    proc = train(
        "-m", "hparams_search=lm_optuna", "hydra.sweeper.n_trials=2", *SMALL, f"run_dir={sweep}"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    trials = sorted(p for p in sweep.iterdir() if p.is_dir())
    assert len(trials) == 2  # named by their sampled settings: lr-...+dropout-...
    assert all("lr-" in p.name and "dropout-" in p.name for p in trials), trials
    losses = {p.name: metrics(p)["val/loss"] for p in trials}
    result = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    best = min(losses, key=losses.get)
    assert math.isclose(result["best_value"], losses[best], rel_tol=1e-12)
    overrides = yaml.safe_load((sweep / best / ".hydra" / "overrides.yaml").read_text())
    chosen = dict(o.split("=", 1) for o in overrides if o.split("=", 1)[0] in result["best_params"])
    assert set(result["best_params"]) == {
        "optim.lr",
        "task.dropout",
    }  # hidden_size is fixed by the command line
    assert {k: float(v) for k, v in chosen.items()} == pytest.approx(result["best_params"])
    config = yaml.safe_load((sweep / best / ".hydra" / "config.yaml").read_text())
    assert 2.0 <= config["optim"]["lr"] <= 40.0 and 0.0 <= config["task"]["dropout"] <= 0.5
    assert config["encoder"]["hidden_size"] == 16 and config["optimized_metric"] == "val/loss"


@pytest.mark.slow
@needs_sweeper
def test_optuna_without_an_objective_is_refused_before_training(tmp_path):
    line = one_line_error(
        train("-m", "hydra/sweeper=optuna", "hydra.sweeper.n_trials=1", f"run_dir={tmp_path / 's'}")
    )
    assert "optimized_metric" in line
    assert not (tmp_path / "s" / "0" / "metrics.json").exists()


def test_objective_is_the_named_metric():
    m = {"val/loss": 4.5, "val/ppl": 90.0, "test/ppl": "nan", "epochs": 1}
    assert objective_value(m, "val/loss") == 4.5
    assert objective_value(m, None) is None  # no optimized_metric: nothing to optimise
    assert math.isnan(
        objective_value(m, "test/ppl")
    )  # a diverged run: Optuna records a failed trial
    with pytest.raises(
        ConfigError, match=r"optimized_metric=val/acc is not a metric of this run .*val/ppl"
    ):
        objective_value(m, "val/acc")
    check_objective("val/loss", "hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper")
    check_objective(None, "hydra._internal.core_plugins.basic_sweeper.BasicSweeper")
    with pytest.raises(ConfigError, match="optimized_metric"):
        check_objective(None, "hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper")


@pytest.mark.parametrize(
    "argv, asked",
    [
        (["hparams_search=lm_optuna"], "hparams_search=lm_optuna"),
        (["+hparams_search=lm_optuna"], "hparams_search=lm_optuna"),
        (["hydra/sweeper=optuna"], "hydra/sweeper=optuna"),
    ],
)
def test_a_missing_sweeper_is_named_with_its_install_command(monkeypatch, argv, asked):
    import lstm_nlp.cli.optional_plugins as common

    monkeypatch.setattr(common, "installed", lambda module: module != SWEEPER)
    with pytest.raises(ConfigError) as err:
        check_optional_plugins(["-m", *argv, "seed=1"])
    assert str(err.value) == (
        f"{asked} needs the hydra-optuna-sweeper package, which is not installed: "
        "pip install 'lstm-nlp[sweep]'"
    )
    check_optional_plugins(
        ["-m", "experiment=ptb_small", "seed=1,2"]
    )  # no plugin chosen: nothing to say


@pytest.mark.slow
@pytest.mark.skipif(installed(SWEEPER), reason="hydra-optuna-sweeper is installed")
def test_hparams_search_without_the_sweeper_is_one_line(tmp_path):
    line = one_line_error(train("-m", "hparams_search=lm_optuna", f"run_dir={tmp_path / 's'}"))
    assert "pip install 'lstm-nlp[sweep]'" in line


@needs_sweeper
def test_search_space_is_in_the_config():
    from hydra import compose, initialize_config_module

    with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
        cfg = compose("train", overrides=["hparams_search=lm_optuna"], return_hydra_config=True)
    assert cfg.optimized_metric == "val/loss" and cfg.hydra.sweeper.direction == "minimize"
    assert dict(cfg.hydra.sweeper.params) == {
        "optim.lr": "tag(log, interval(2.0, 40.0))",
        "task.dropout": "interval(0.0, 0.5)",
        "encoder.hidden_size": "choice(100, 200, 300)",
    }
