"""Data-parallel settings that cannot work: DDP inside a Hydra multirun, SLURM without a device
count."""

from __future__ import annotations

from omegaconf import DictConfig

from lstm_nlp.errors import ConfigError


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
