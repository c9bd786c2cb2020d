"""``lstm-nlp-generate``: sample text from a trained language model."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import fail, run_app
from lstm_nlp.errors import ConfigError, LstmNlpError

PROG = "lstm-nlp-generate"


def generate_text(cfg: DictConfig) -> str:
    import torch

    from lstm_nlp.atomic import write_text
    from lstm_nlp.checkpoints import load_language_model
    from lstm_nlp.text.tokenizer import EOS

    if not isinstance(cfg.words, int) or cfg.words < 1:
        raise ConfigError(f"words must be an integer >= 1, got {cfg.words!r}")
    model, tok = load_language_model(cfg.checkpoint)
    prompt = [tok.token_to_id(EOS)]
    if cfg.prompt:
        prompt += tok.encode(str(cfg.prompt), add_special_tokens=False).ids
    gen = torch.Generator().manual_seed(int(cfg.seed))
    ids = model.generate(prompt, cfg.words, temperature=float(cfg.temperature), generator=gen)
    lines, line = [], [str(cfg.prompt)] if cfg.prompt else []
    for word in (tok.id_to_token(i) for i in ids):
        if word == EOS:
            lines.append(" ".join(line))
            line = []
        else:
            line.append(word)
    text = "\n".join(lines + ([" ".join(line)] if line else [])) + "\n"
    if cfg.out:
        write_text(cfg.out, text)
    return text


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="generate", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    try:
        print(generate_text(cfg), end="", flush=True)
    except LstmNlpError as err:
        fail(PROG, err)


def main() -> None:
    run_app(PROG, _app)


if __name__ == "__main__":
    main()
