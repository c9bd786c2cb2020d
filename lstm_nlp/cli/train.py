"""``lstm-nlp-train``: compose the run from ``conf/`` and the command line, then train.

The task function returns the run's ``optimized_metric`` (a key of ``metrics.json``, e.g.
``val/loss``; set by ``hparams_search=...``), which a Hydra sweeper such as Optuna's minimises;
without that key it returns None.
"""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.training.options import TrainerOptions, TrainOptions

PROG = "lstm-nlp-train"
SHOWN = ("val/ppl", "test/ppl", "val/acc", "test/acc")


RUN_DIRS: dict[Path, Path | None] = {}  # run_dir -> the outermost folder Hydra will make for it


def check_before_start(cfg: DictConfig, overrides: list[str]) -> None:
    """The config's checks; and which folders Hydra will make for its run_dir (a command that
    fails before training removes only folders it made)."""
    from lstm_nlp.training.checks import check_config
    from lstm_nlp.training.run_start import outermost_missing

    check_config(cfg, overrides)
    try:
        run_dir = Path(cfg.run_dir).absolute()
    except Exception:  # an interpolation only Hydra's run resolves
        return
    RUN_DIRS[run_dir] = outermost_missing(run_dir)


def made_for_this_command(run_dir: Path) -> Path | None:
    """The outermost folder Hydra made for ``run_dir``: as checked before Hydra ran; a multirun
    job's own folder (not checked) when it is empty."""
    run_dir = run_dir.absolute()
    if run_dir in RUN_DIRS:
        return RUN_DIRS[run_dir]
    return None if any(run_dir.iterdir()) else run_dir


COMMAND = Command(
    PROG,
    "train",
    TrainOptions,
    groups=("task", "encoder", "data", "optim", "optim/scheduler", "logger", "agreement"),
    required=("task", "encoder", "data", "optim", "trainer"),
    extra_help=(
        (
            "trainer (trainer=NAME picks a preset; +trainer.KEY=VALUE adds any "
            "lightning.pytorch.Trainer argument):",
            TrainerOptions,
            "trainer.",
        ),
    ),
    check=check_before_start,
)


def final_line(metrics: dict, run_dir: str) -> str:
    shown = [
        f"{k} {v:.4f}" if k.endswith("acc") else f"{k} {v:.2f}"
        for k, v in metrics.items()
        if k in SHOWN and isinstance(v, float)
    ]
    return f"{PROG}: " + " | ".join([*shown, f"run dir {run_dir}"])


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="train", version_base="1.3")
def _app(cfg: DictConfig) -> float | None:
    from hydra.core.hydra_config import HydraConfig

    from lstm_nlp.training.objective import check_objective, objective_value
    from lstm_nlp.training.runner import train

    with guard(PROG):
        hydra_cfg = HydraConfig.get()
        check_objective(cfg.get("optimized_metric"), str(hydra_cfg.sweeper.get("_target_", "")))
        run_dir = Path(hydra_cfg.runtime.output_dir)
        overrides = list(hydra_cfg.overrides.task)
        metrics = train(cfg, run_dir, overrides, made=made_for_this_command(run_dir))
        if "interrupted" in metrics:  # stopped by SIGTERM/SIGUSR1; the run said so
            return None
        objective = objective_value(metrics, cfg.get("optimized_metric"))
    from lightning.fabric.utilities.rank_zero import rank_zero_only  # after the lock: at once

    if rank_zero_only.rank == 0:  # under DDP every rank returns here
        print(final_line(metrics, str(run_dir)), flush=True)
    return objective  # the value a Hydra sweeper optimises


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
