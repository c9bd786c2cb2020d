"""Checks of the composed config that run before any work, each naming the key at fault."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig

from lstm_nlp.errors import ConfigError

# trainer key -> (smallest allowed integer, whether null is allowed); values are Lightning's own rules
TRAINER_INTS = {
    "max_epochs": (-1, True), "min_epochs": (0, True), "max_steps": (-1, True), "num_nodes": (1, False),
    "log_every_n_steps": (1, True), "check_val_every_n_epoch": (1, True), "num_sanity_val_steps": (-1, True),
    "accumulate_grad_batches": (1, False),
}
TRAINER_FRACTIONS = ("limit_train_batches", "limit_val_batches", "limit_test_batches", "val_check_interval")
OPEN_GROUPS = ("trainer", "hydra")  # groups where +key=value may add keys (Trainer arguments)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_trainer(trainer: DictConfig) -> None:
    for key, (low, nullable) in TRAINER_INTS.items():
        value = trainer.get(key)
        if key not in trainer or (value is None and nullable):
            continue
        if not is_int(value) or value < low:
            raise ConfigError(f"trainer.{key} must be an integer >= {low}{' or null' if nullable else ''}, got {value!r}")
    for key in TRAINER_FRACTIONS:
        value = trainer.get(key)
        if key in trainer and value is not None and not (is_int(value) and value >= 0 or
                                                         isinstance(value, float) and 0.0 <= value <= 1.0):
            raise ConfigError(f"trainer.{key} must be a fraction in [0, 1] or a number of batches, got {value!r}")
    clip = trainer.get("gradient_clip_val")
    if clip is not None and (not is_number(clip) or clip < 0):
        raise ConfigError(f"trainer.gradient_clip_val must be a number >= 0 or null, got {clip!r}")


def check_optim(optim: DictConfig) -> None:
    """Build the optimiser and schedule on a dummy parameter: every key they read is checked."""
    import torch

    from lstm_nlp.tasks.optim import optimizers_from_config

    try:
        optimizers_from_config([torch.nn.Parameter(torch.zeros(1))], optim)
    except (TypeError, ValueError) as err:
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(f"optim: {err}") from None


def check_added_keys(cfg: DictConfig, overrides: list[str]) -> None:
    """``+task.X=...`` etc. would be ignored silently by the component: refuse them."""
    for override in overrides:
        if not override.startswith("+") or override.startswith("++"):
            continue
        key = override[1:].partition("=")[0]
        group = key.split(".")[0]
        if "." not in key or group in OPEN_GROUPS or group == "encoder":  # encoders check their own arguments
            continue
        node = cfg.get(group)
        known = sorted(k for k in node if f"{group}.{k}" != key) if isinstance(node, DictConfig) else []
        name = node.get("name") if isinstance(node, DictConfig) else None
        hint = "; a corpus folder is data=text data.path=DIR" if key == "data.path" else ""
        raise ConfigError(f"{key} is not an option of {group} {name!r} (options: {', '.join(known)}){hint}")


def check_config(cfg: DictConfig, overrides: list[str]) -> None:
    seed = cfg.get("seed")
    if not is_int(seed):
        raise ConfigError(f"seed must be an integer, got {seed!r}")
    threads = cfg.get("threads")
    if threads is not None and (not is_int(threads) or threads < 1):
        raise ConfigError(f"threads must be null or an integer >= 1, got {threads!r}")
    check_added_keys(cfg, overrides)
    if cfg.get("agreement") and cfg.task.name != "language_model":
        raise ConfigError(f"agreement=suite scores a language model; task={cfg.task.name} is not one "
                          "(use lstm-nlp-eval on a language-model checkpoint, or agreement=null)")
    check_trainer(cfg.trainer)
    check_optim(cfg.optim)
