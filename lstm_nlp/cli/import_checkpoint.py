"""``lstm-nlp-import``: a published LSTM language model (pytorch/examples word_language_model,
colorlessgreenRNNs, AWD-LSTM) as an lstm-nlp checkpoint, read without running any of its code."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.importing.options import ImportOptions
from lstm_nlp.schema import options_from_node

PROG = "lstm-nlp-import"

COMMAND = Command(PROG, "import", ImportOptions, files=("out",), inputs=("checkpoint", "vocab"))


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="import", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.importing.write import import_checkpoint

    with guard(PROG):
        result = import_checkpoint(options_from_node(cfg, ImportOptions))
        print(f"{PROG}: {result.summary()}", flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
