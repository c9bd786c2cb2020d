"""``lstm-nlp-train``: compose the run from ``conf/`` and the command line, then train."""

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

    from lstm_nlp.plugins import load_plugins_dir
    from lstm_nlp.train import train

    with guard(PROG):
        hydra_cfg = HydraConfig.get()
        refuse_ddp_in_multirun(cfg, hydra_cfg.mode)
        if cfg.get("plugins_dir"):
            load_plugins_dir(cfg.plugins_dir)
        metrics = train(cfg, Path(hydra_cfg.runtime.output_dir), overrides=list(hydra_cfg.overrides.task))
    shown = [f"{k} {v:.4f}" if k.endswith("acc") else f"{k} {v:.2f}" for k, v in metrics.items()
             if k in ("val/ppl", "test/ppl", "val/acc", "test/acc") and isinstance(v, float)]
    print(f"{PROG}: " + " | ".join(shown + [f"run dir {hydra_cfg.runtime.output_dir}"]), flush=True)
    return metrics.get("val/loss")  # the value a Hydra sweeper optimises


def refuse_ddp_in_multirun(cfg: DictConfig, mode) -> None:
    """Lightning's DDP relaunches the command line; inside ``-m`` that would re-run the whole sweep."""
    from hydra.types import RunMode

    strategy = str(cfg.trainer.get("strategy", "auto"))
    if mode == RunMode.MULTIRUN and strategy.startswith("ddp") and "spawn" not in strategy:
        raise ConfigError(
            f"trainer.strategy={strategy} cannot run inside a Hydra multirun (-m): DDP relaunches the command, "
            "which would re-run the sweep; launch each job on its own or use trainer.strategy=ddp_spawn"
        )


def main() -> None:
    run_app(PROG, _app, "train")


if __name__ == "__main__":
    main()
