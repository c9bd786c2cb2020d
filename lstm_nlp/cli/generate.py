"""``lstm-nlp-generate``: sample text from a trained language model."""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import Command, run_app
from lstm_nlp.cli.errors import guard
from lstm_nlp.schema import options_from_node
from lstm_nlp.tasks.generation import GenerateOptions

PROG = "lstm-nlp-generate"


COMMAND = Command(PROG, "generate", GenerateOptions, files=("out",), inputs=("checkpoint",))


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="generate", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    from lstm_nlp.atomic import write_text
    from lstm_nlp.tasks.checked_load import load_checked_language_model
    from lstm_nlp.tasks.generation import generate_text, prompt_ids

    with guard(PROG):
        options = options_from_node(cfg, GenerateOptions)
        model, tokenizer = load_checked_language_model(options.checkpoint)
        _, unknown = prompt_ids(tokenizer, options.prompt)
        if unknown:
            print(
                f"{PROG}: note: prompt words outside the vocabulary, read as <unk>: "
                + ", ".join(unknown),
                file=sys.stderr,
            )
        text = generate_text(options, model, tokenizer)
        if options.out:
            write_text(options.out, text)
        print(text, end="", flush=True)


def main() -> None:
    run_app(COMMAND, _app)


if __name__ == "__main__":
    main()
