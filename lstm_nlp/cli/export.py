"""``lstm-nlp-export``: a trained language model as a folder that loads without Lightning or
Hydra (``model.safetensors``, ``config.json``, ``tokenizer.json``, ``README.md``), optionally with
its step as ONNX or TorchScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.export.options import ExportOptions
from lstm_nlp.schema import options_from_node

if TYPE_CHECKING:
    from lstm_nlp.export.write import ExportResult

PROG = "lstm-nlp-export"


COMMAND = Command(PROG, "export", ExportOptions, folders=("out",), inputs=("checkpoint",))


def summary_line(result: ExportResult) -> str:
    """What was written, and how close the step file is to the model."""
    files = ", ".join(result.files)
    checked = (
        f" | step checked: max difference {result.step_difference:.1e}"
        if result.step_difference is not None
        else ""
    )
    return f"{PROG}: {result.checkpoint} -> {result.folder} ({files}){checked}"


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="export", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.export.write import export_checkpoint

    with guard(PROG):
        result = export_checkpoint(options_from_node(cfg, ExportOptions))
        print(summary_line(result), flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
