"""``lstm-nlp-train``: compose the run from ``conf/`` and the command line, then train.

The task function returns the run's ``optimized_metric`` (a key of ``metrics.json``,
e.g. ``val/loss``; set by ``hparams_search=...``), which is what a Hydra sweeper such
as Optuna's minimises; without that key it returns None.
"""

from __future__ import annotations

from pathlib import Path

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import guard, run_app
from lstm_nlp.errors import ConfigError

PROG = "lstm-nlp-train"


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="train", version_base="1.3")
def _app(cfg: DictConfig) -> float | None:
    from hydra.core.hydra_config import HydraConfig
    from lightning.fabric.utilities.rank_zero import rank_zero_only

    from lstm_nlp.plugins import load_plugins_dir
    from lstm_nlp.train import train

    with guard(PROG):
        hydra_cfg = HydraConfig.get()
        check_objective(cfg.get("optimized_metric"), str(hydra_cfg.sweeper.get("_target_", "")))
        if cfg.get("plugins_dir"):
            load_plugins_dir(cfg.plugins_dir)
        metrics = train(
            cfg, Path(hydra_cfg.runtime.output_dir), overrides=list(hydra_cfg.overrides.task)
        )
        if "interrupted" in metrics:  # stopped by SIGTERM/SIGUSR1; the run said so
            return None
        objective = objective_value(metrics, cfg.get("optimized_metric"))
    shown = [
        f"{k} {v:.4f}" if k.endswith("acc") else f"{k} {v:.2f}"
        for k, v in metrics.items()
        if k in ("val/ppl", "test/ppl", "val/acc", "test/acc") and isinstance(v, float)
    ]
    if rank_zero_only.rank == 0:  # under DDP every rank returns here
        print(
            f"{PROG}: " + " | ".join(shown + [f"run dir {hydra_cfg.runtime.output_dir}"]),
            flush=True,
        )
    return objective  # the value a Hydra sweeper optimises


def check_objective(key: str | None, sweeper: str) -> None:
    """An optimising sweeper (Optuna) needs to know which metric to optimise, before the first trial
    trains."""
    if not key and "optuna" in sweeper.lower():
        raise ConfigError(
            "hydra/sweeper=optuna optimises the metric named by optimized_metric: add "
            "+optimized_metric=val/loss (or use hparams_search=lm_optuna, which sets it)"
        )


def objective_value(metrics: dict, key: str | None) -> float | None:
    """``metrics[key]`` as a float (NaN for a non-finite value); None without a key."""
    if not key:
        return None
    if key not in metrics:
        known = ", ".join(k for k, v in metrics.items() if isinstance(v, (float, str)) and "/" in k)
        raise ConfigError(
            f"optimized_metric={key} is not a metric of this run (metrics.json has: {known})"
        )
    return float(metrics[key])


def check_before_start(cfg: DictConfig, overrides: list[str]) -> None:
    from lstm_nlp.config_checks import check_config

    check_config(cfg, overrides)


def main() -> None:
    run_app(PROG, _app, "train", check=check_before_start)


if __name__ == "__main__":
    main()
