"""Every shipped config composes, the presets say what their sources say, and state only what
differs from the defaults."""

from pathlib import Path

import pytest
import torch
import yaml
from omegaconf import OmegaConf

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.errors import ConfigError
from lstm_nlp.training.checks import check_config

CONF = Path(__file__).resolve().parent.parent / "conf"
EXPERIMENTS = ["ptb_small", "ptb_medium", "ptb_large", "awd_lstm", "awd_lstm_wt2"]
EXPERIMENTS += ["zaremba_small", "zaremba_medium", "zaremba_large", "gulordava2018"]
PRESET_GROUPS = ["experiment", "hparams_search", "debug", "trainer", "callbacks"]


def load(*overrides):
    prepare(COMMAND, [])
    return compose("train", list(overrides))


def presets():
    for group in PRESET_GROUPS:
        for path in sorted((CONF / group).glob("*.yaml")):
            yield pytest.param(group, path, id=f"{group}/{path.stem}")


def leaves(node, prefix=""):
    """Dotted key -> value of every leaf of a nested mapping."""
    for key, value in node.items():
        if isinstance(value, dict) and value:
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def group_overrides(defaults) -> list[str]:
    """A preset's ``override /group: option`` entries as command-line overrides."""
    out = []
    for entry in defaults or []:
        for key, value in entry.items() if isinstance(entry, dict) else ():
            group = str(key).removeprefix("override").strip().lstrip("/")
            if not group.startswith("hydra"):
                out.append(f"{group}={value}")
    return out


def test_default_config_trains_an_lm_on_the_embedded_corpus():
    cfg = load()
    assert (cfg.task.name, cfg.data.name, cfg.encoder.name, cfg.logger.name) == (
        "language_model",
        "grammar",
        "lstm",
        "csv",
    )
    assert (cfg.optim.name, cfg.optim.scheduler.name, cfg.threads) == ("sgd", "plateau", 1)


@pytest.mark.parametrize("group, path", presets())
def test_no_preset_repeats_a_default(group, path):
    """A preset's every value differs from what the config it changes already holds (the
    defaults, with the preset's own group choices applied)."""
    text = yaml.safe_load(path.read_text()) or {}
    body = {k: v for k, v in text.items() if k not in ("defaults", "hydra")}
    package = "" if group in ("experiment", "hparams_search", "debug") else f"{group}."
    if group == "callbacks":
        return  # a callbacks preset adds entries: nothing in the defaults to repeat
    if group == "trainer":
        base = OmegaConf.to_container(load().trainer)  # the preset's own `defaults: - default`
        repeated = [k for k, v in leaves(body) if base.get(k, object()) == v]
    else:
        base = load(*group_overrides(text.get("defaults")))
        repeated = [k for k, v in leaves(body) if OmegaConf.select(base, package + k) == v]
    assert not repeated, f"{path.name} repeats the defaults of {repeated}"


def test_the_repetition_check_finds_a_repeated_default():
    base = load("optim=sgd")
    body = {"optim": {"lr": 20.0}, "task": {"bptt": 70}}
    assert [k for k, v in leaves(body) if OmegaConf.select(base, k) == v] == ["optim.lr"]


@pytest.mark.parametrize("group, path", presets())
def test_every_preset_composes_and_passes_the_checks(group, path):
    if group == "hparams_search":
        pytest.importorskip("hydra_plugins.hydra_optuna_sweeper")
    option = f"callbacks=[default,{path.stem}]" if group == "callbacks" else f"{group}={path.stem}"
    cfg = load(option)
    accelerator = OmegaConf.select(cfg, "trainer.accelerator")
    if accelerator == "gpu" and not torch.cuda.is_available():  # checked against this machine
        with pytest.raises(ConfigError, match=r"trainer.accelerator=gpu: this machine has no gpu"):
            check_config(cfg, [])
        return
    check_config(cfg, [])


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiments_cite_a_source(name):
    assert "Source:" in (CONF / "experiment" / f"{name}.yaml").read_text()
    assert load(f"experiment={name}").encoder.bidirectional is False


def test_ptb_small_is_pytorch_examples_defaults():
    cfg = load("experiment=ptb_small")
    assert (cfg.encoder.num_layers, cfg.encoder.hidden_size, cfg.task.embedding_dim) == (
        2,
        200,
        200,
    )
    assert (cfg.encoder.dropout, cfg.task.dropout) == (0.2, 0.2)
    assert (cfg.optim.name, cfg.optim.lr) == ("sgd", 20.0)
    assert plateau_factor(cfg) == 0.25  # pytorch/examples divides the rate by 4
    assert (cfg.trainer.gradient_clip_val, cfg.task.bptt, cfg.task.batch_size) == (0.25, 35, 20)
    assert (cfg.task.eval_batch_size, cfg.task.init_range, cfg.trainer.max_epochs) == (10, 0.1, 40)


def test_zaremba_and_awd_presets():
    medium, large = load("experiment=ptb_medium"), load("experiment=ptb_large")
    assert (medium.encoder.hidden_size, medium.encoder.dropout) == (650, 0.5)
    assert (medium.optim.scheduler.name, medium.optim.scheduler.start_epoch) == ("decay_after", 6)
    assert (large.encoder.hidden_size, large.encoder.dropout) == (1500, 0.65)
    awd = load("experiment=awd_lstm")
    assert (awd.encoder.num_layers, awd.encoder.hidden_size, awd.task.embedding_dim) == (
        3,
        1150,
        400,
    )
    assert awd.task.tie_weights and awd.encoder.weight_drop == 0.5 and awd.task.variable_bptt
    assert (awd.optim.name, awd.optim.lr, awd.task.batch_size) == ("nt_asgd", 30.0, 20)
    assert awd.encoder.last_layer_size == 400  # AWD: the last layer as wide as the embedding


def plateau_factor(cfg):
    """The factor of the plateau schedule the config builds."""
    import torch

    from lstm_nlp.tasks.optim import optimizers_from_config

    built = optimizers_from_config([torch.nn.Parameter(torch.zeros(1))], cfg.optim)
    return built["lr_scheduler"]["scheduler"].factor


def test_agreement_presets_keep_halving_adams_rate():
    for name in ("number_agreement", "pronoun_agreement"):
        cfg = load(f"experiment={name}")
        assert cfg.optim.name == "adam" and plateau_factor(cfg) == 0.5
