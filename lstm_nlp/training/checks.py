"""Everything about a composed ``lstm-nlp-train`` config that can be checked before work starts.

Each option is checked by the dataclass that defines it (type, range, choices, unknown keys with
a did-you-mean); then the rules that span groups.  Runs before Hydra creates or touches a run
directory, so a mistake in a re-run leaves the existing run as it was.
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import fields

from omegaconf import DictConfig

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import REGISTRIES, check_components
from lstm_nlp.schema import options_from_node
from lstm_nlp.schema.paths import check_folder
from lstm_nlp.schema.validate import unknown_key, validate_node
from lstm_nlp.tasks.options import check_language_model_encoder
from lstm_nlp.training.ddp_checks import check_hydra_mode
from lstm_nlp.training.lightning_names import check_accelerator, check_strategy
from lstm_nlp.training.options import MoreTrainerOptions, TrainerOptions, TrainOptions

EXTRA_ROOT_KEYS = ("optimized_metric",)  # set by hparams_search=... for a Hydra sweeper


def check_choice_overrides(overrides: list[str]) -> None:
    """``optim.scheduler.name=cosine`` would rename a node without swapping its options."""
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        for registry in REGISTRIES.values():
            if key == f"{registry.package}.name":
                raise ConfigError(
                    f"{key} is set by choosing the option: use {registry.group}={value or 'NAME'}"
                )


OPEN_GROUPS = ("trainer", "callbacks")  # config groups without a registry


def check_root(cfg: DictConfig) -> TrainOptions:
    groups = {registry.package.split(".")[0] for registry in REGISTRIES.values()}
    groups |= set(OPEN_GROUPS)
    for key in cfg:  # ++allbacks.x=1 makes a group of options nobody reads
        if isinstance(cfg.get(key), DictConfig) and key not in groups:
            known = [f.name for f in fields(TrainOptions)] + sorted(groups)
            raise unknown_key(key, "", "lstm-nlp-train", known)
    skip = (*groups, *EXTRA_ROOT_KEYS)
    options = options_from_node(cfg, TrainOptions, "", "lstm-nlp-train", skip=skip)
    for key in ("run_dir", "cache_dir"):  # the runner reads them as they are: text or null
        if not isinstance(cfg.get(key), (str, type(None))):
            raise ConfigError(
                f"{key} must be a folder path, got the number {cfg.get(key)!r} (quote a folder "
                f"named so: {key}='{cfg.get(key)}')"
            )
    check_folder("run_dir", options.run_dir)  # run_dir= would train into the current folder
    check_folder("cache_dir", options.cache_dir)
    return options


def check_callbacks(cfg: DictConfig) -> None:
    for name, node in (cfg.get("callbacks") or {}).items():
        if not isinstance(node, DictConfig) or not isinstance(node.get("_target_"), str):
            raise ConfigError(
                f"callbacks.{name} must be a group of options with a _target_ (the callback's "
                f"class, e.g. +callbacks.{name}._target_=lightning.pytorch.callbacks.EarlyStopping)"
            )


def check_trainer_arguments(trainer: DictConfig) -> None:
    """``+trainer.KEY=VALUE`` beyond :class:`TrainerOptions` must be a Trainer argument (Lightning
    is imported only when such a key is given)."""
    known = {f.name for f in fields(TrainerOptions)}
    extra = [key for key in trainer if key not in known]
    if not extra:
        return
    import lightning.pytorch as pl

    arguments = [p for p in inspect.signature(pl.Trainer.__init__).parameters if p != "self"]
    for key in extra:
        if key not in arguments:
            hint = difflib.get_close_matches(key, arguments, n=1)
            raise ConfigError(
                f"trainer.{key} is not an argument of lightning.pytorch.Trainer"
                + (f"; did you mean trainer.{hint[0]}?" if hint else "")
            )


def check_custom_optimizer(cfg: DictConfig) -> None:
    """A ``_target_`` optimiser or schedule is built on a dummy parameter: its arguments are
    checked by the class itself."""
    if "custom" not in (cfg.optim.name, cfg.optim.get("scheduler", {}).get("name")):
        return
    import torch

    from lstm_nlp.tasks.optim import optimizers_from_config

    try:
        optimizers_from_config([torch.nn.Parameter(torch.zeros(1))], cfg.optim)
    except (TypeError, ValueError) as err:
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(f"optim: {err}") from None


def check_config(cfg: DictConfig, overrides: list[str]) -> None:
    """Every option by its dataclass, then the rules that span keys."""
    check_choice_overrides(overrides)
    check_root(cfg)
    check_components(cfg)
    options_from_node(cfg.trainer, TrainerOptions, "trainer.", "trainer", strict=False)
    validate_node(cfg.trainer, MoreTrainerOptions, "trainer.", "trainer", strict=False)
    check_trainer_arguments(cfg.trainer)
    check_strategy(str(cfg.trainer.strategy))
    check_accelerator(str(cfg.trainer.accelerator))
    check_callbacks(cfg)
    if cfg.task.name == "language_model":
        check_language_model_encoder(cfg.encoder)
    if cfg.get("agreement") and cfg.task.name != "language_model":
        raise ConfigError(
            f"agreement={cfg.agreement.name} scores a language model; task={cfg.task.name} is "
            "not one (use lstm-nlp-eval on a language-model checkpoint, or agreement=null)"
        )
    check_hydra_mode(cfg)
    check_custom_optimizer(cfg)
