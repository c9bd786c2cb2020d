"""``lstm-nlp-inspect``: look inside a trained LSTM language model (gates, number units, probes)."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import guard, run_app

PROG = "lstm-nlp-inspect"


def inspect(cfg: DictConfig) -> list[str]:
    """Run the mode named in the config; returns the lines to print."""
    from lstm_nlp.insight.options import check_mode

    mode = check_mode(cfg.mode)
    if mode == "gates":
        from lstm_nlp.insight.mode_gates import run
    elif mode == "units":
        from lstm_nlp.insight.mode_units import run
    else:
        from lstm_nlp.insight.mode_probe import run
    return run(cfg)


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="inspect", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    with guard(PROG):
        print("\n".join(inspect(cfg)), flush=True)


def main() -> None:
    run_app(PROG, _app, "inspect")


if __name__ == "__main__":
    main()
