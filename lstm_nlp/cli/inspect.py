"""``lstm-nlp-inspect``: look inside a trained LSTM language model (gates, number units, probes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import hydra
from omegaconf import DictConfig, OmegaConf

from lstm_nlp.cli.common import Command, check_options, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.insight.options import InspectOptions
from lstm_nlp.schema import options_from_node

if TYPE_CHECKING:
    import torch

    from lstm_nlp.insight.states import Inspectable

PROG = "lstm-nlp-inspect"


def check(cfg: DictConfig, overrides: list[str]) -> None:
    from lstm_nlp.insight.images_to_loggers import check_logger

    check_options(COMMAND, cfg)  # the logger's own options too
    check_logger(cfg.get("logger"))


COMMAND = Command(
    PROG,
    "inspect",
    InspectOptions,
    groups=("logger", "source"),
    required=("source",),
    check=check,
    folders=("out",),
    inputs=("checkpoint", "path"),
)


def load_inspectable(checkpoint: str, device: str | torch.device = "cpu") -> Inspectable:
    """The checkpoint (a .ckpt or a run directory) ready to inspect."""
    from lstm_nlp.insight.states import Inspectable
    from lstm_nlp.tasks.checked_load import load_checked_language_model
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    path = resolve_checkpoint(checkpoint)
    model, tokenizer = load_checked_language_model(path)
    return Inspectable(model.to(device).eval(), tokenizer, path)


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="inspect", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    import importlib

    import torch

    from lstm_nlp.evaluation.evaluate import device_of
    from lstm_nlp.insight.images_to_loggers import check_logger

    with guard(PROG):
        options = options_from_node(cfg, InspectOptions, skip=("logger", "source"))
        source = OmegaConf.to_container(cfg.source, resolve=True)
        logger = check_logger(cfg.get("logger"))
        torch.set_num_threads(options.threads)
        insp = load_inspectable(options.checkpoint, device_of(options.device))
        mode = importlib.import_module(f"lstm_nlp.insight.mode_{options.mode}")
        print("\n".join(mode.run(options, insp, logger, source)), flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
