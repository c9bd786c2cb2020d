"""Checks of the composed config that run before any work, each naming the key at fault."""

from __future__ import annotations

from typing import Any

from omegaconf import DictConfig, OmegaConf

from lstm_nlp.errors import ConfigError

# trainer key -> (smallest allowed integer, whether null is allowed); values are Lightning's own
# rules
TRAINER_INTS = {
    "max_epochs": (-1, True),
    "min_epochs": (0, True),
    "max_steps": (-1, True),
    "num_nodes": (1, False),
    "log_every_n_steps": (1, True),
    "check_val_every_n_epoch": (1, True),
    "num_sanity_val_steps": (-1, True),
    "accumulate_grad_batches": (1, False),
}
TRAINER_FRACTIONS = (
    "limit_train_batches",
    "limit_val_batches",
    "limit_test_batches",
    "val_check_interval",
)
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
            raise ConfigError(
                f"trainer.{key} must be an integer >= {low}{' or null' if nullable else ''}, got "
                f"{value!r}"
            )
    for key in TRAINER_FRACTIONS:
        value = trainer.get(key)
        if (
            key in trainer
            and value is not None
            and not (
                is_int(value) and value >= 0 or isinstance(value, float) and 0.0 <= value <= 1.0
            )
        ):
            raise ConfigError(
                f"trainer.{key} must be a fraction in [0, 1] or a number of batches, got {value!r}"
            )
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
        group, _, parent = key.split(".")[0], None, key.rpartition(".")[0]
        if (
            "." not in key or group in OPEN_GROUPS or group == "encoder"
        ):  # encoders check their own arguments
            continue
        if parent != group and isinstance(OmegaConf.select(cfg, parent), DictConfig):
            # an entry of a mapping option (+data.construction_mix.pp=3): the schema checks it
            continue
        node = cfg.get(group)
        known = (
            sorted(k for k in node if f"{group}.{k}" != key) if isinstance(node, DictConfig) else []
        )
        name = node.get("name") if isinstance(node, DictConfig) else None
        hint = "; a corpus folder is data=text data.path=DIR" if key == "data.path" else ""
        raise ConfigError(
            f"{key} is not an option of {group} {name!r} (options: {', '.join(known)}){hint}"
        )


def devices_per_node(trainer: DictConfig) -> int | None:
    """The number of devices ``trainer.devices`` asks for on each node; None when Lightning decides
    (-1, auto)."""
    devices = trainer.get("devices", 1)
    if isinstance(devices, str):
        text = devices.strip()
        if text.lstrip("-").isdigit():
            devices = int(text)
        elif "," in text:  # "0,1": device indices
            return len([d for d in text.split(",") if d.strip()])
        else:  # "auto"
            return None
    if is_int(devices):
        return None if devices < 0 else devices
    try:
        return len(devices)  # a list of device indices
    except TypeError:
        return None


def check_ddp_multirun(trainer: DictConfig, multirun: bool, launcher: str | None = None) -> None:
    """Refuse DDP on several devices inside ``-m`` unless each sweep job gets its own SLURM
    allocation.

    Lightning's DDP starts ranks 1..N-1 by running the command line again; inside a
    multirun that would start the whole sweep again in every rank.  The ``spawn``/``fork``
    strategies start their processes without the command line, and with
    ``hydra/launcher=slurm`` submitit's srun starts them (Lightning's SLURMEnvironment).
    """
    if "submitit" in str(launcher) and "Slurm" in str(launcher):
        if (
            devices_per_node(trainer) is None
        ):  # slurm.yaml asks for tasks_per_node = trainer.devices
            raise ConfigError(
                "hydra/launcher=slurm needs trainer.devices set to the number of GPUs per node, "
                f"got {trainer.get('devices')!r} (e.g. trainer.devices=4, or scripts/slurm.sh 4 "
                "...)"
            )
        return
    if not multirun:
        return
    strategy = str(trainer.get("strategy") or "auto")
    if (
        any(word in strategy for word in ("spawn", "fork", "notebook"))
        or strategy == "single_device"
    ):
        return
    devices, nodes = devices_per_node(trainer), trainer.get("num_nodes", 1)
    several_nodes = is_int(nodes) and nodes > 1
    if devices is None:  # all of the node's devices: one on CPU, every GPU otherwise
        if str(trainer.get("accelerator")) == "cpu" and not several_nodes:
            return
    elif devices <= 1 and not several_nodes:
        return
    setting = f"trainer.strategy={strategy} with trainer.devices={trainer.get('devices')}"
    setting += f" trainer.num_nodes={nodes}" if several_nodes else ""
    raise ConfigError(
        f"{setting} cannot run inside a Hydra multirun (-m): Lightning's DDP starts its other "
        "processes by re-running the command, which would re-run the whole sweep. Launch one "
        "DDP job per sweep point instead: a shell loop (for lr in 10 20; do "
        f"scripts/train_multi_gpu.sh {devices or 'N'} optim.lr=$lr run_dir=runs/lr$lr; done), or "
        "on SLURM -m with hydra/launcher=slurm (scripts/slurm.sh), which gives every job its "
        "own nodes and GPUs; on one machine trainer.strategy=ddp_spawn also works inside -m "
        "(slower to start)"
    )


def check_hydra_mode(cfg: DictConfig) -> None:
    """The multirun checks, when the config comes from a running Hydra app (not from compose())."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    if not HydraConfig.initialized():
        return
    hydra_cfg = HydraConfig.get()
    launcher = hydra_cfg.launcher.get("_target_") if hydra_cfg.get("launcher") is not None else None
    check_ddp_multirun(cfg.trainer, hydra_cfg.mode == RunMode.MULTIRUN, launcher)


NONFINITE_POLICIES = ("stop", "skip")


def check_nonfinite_policy(policy: Any) -> str:
    if policy not in NONFINITE_POLICIES:
        raise ConfigError(
            f"nonfinite_loss must be one of {', '.join(NONFINITE_POLICIES)}, got {policy!r}"
        )
    return policy


def check_config(cfg: DictConfig, overrides: list[str]) -> None:
    """Everything that can be checked before work starts: the schemas (every key's type and range,
    :mod:`lstm_nlp.schema`), then the rules that span keys."""
    from lstm_nlp.schema import check_schemas

    check_added_keys(cfg, overrides)
    check_schemas(cfg)
    if cfg.get("agreement") and cfg.task.name != "language_model":
        raise ConfigError(
            f"agreement=suite scores a language model; task={cfg.task.name} is not one "
            "(use lstm-nlp-eval on a language-model checkpoint, or agreement=null)"
        )
    check_trainer(cfg.trainer)
    check_hydra_mode(cfg)
    check_optim(cfg.optim)
