"""``lstm-nlp-generate``: sample text from a trained language model."""

from __future__ import annotations

import math

import hydra
from omegaconf import DictConfig

from lstm_nlp.cli.common import guard, run_app
from lstm_nlp.errors import ConfigError

PROG = "lstm-nlp-generate"


def check_options(cfg: DictConfig) -> tuple[int, float]:
    words, temperature = cfg.words, cfg.temperature
    if not isinstance(words, int) or isinstance(words, bool) or words < 1:
        raise ConfigError(f"words must be an integer >= 1, got {words!r}")
    if (
        not isinstance(temperature, (int, float))
        or not math.isfinite(temperature)
        or temperature <= 0
    ):
        raise ConfigError(f"temperature must be a finite number > 0, got {temperature!r}")
    return words, float(temperature)


def generate_text(cfg: DictConfig) -> str:
    import torch

    from lstm_nlp.atomic import write_text
    from lstm_nlp.checkpoints import load_language_model
    from lstm_nlp.text.tokenizer import EOS

    words, temperature = check_options(cfg)
    model, tok = load_language_model(cfg.checkpoint)
    prompt = [tok.token_to_id(EOS)]
    if cfg.prompt:
        prompt += tok.encode(str(cfg.prompt), add_special_tokens=False).ids
    gen = torch.Generator().manual_seed(int(cfg.seed))
    ids = model.generate(prompt, words, temperature=temperature, generator=gen)
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
    with guard(PROG):
        print(generate_text(cfg), end="", flush=True)


def main() -> None:
    run_app(PROG, _app, "generate")


if __name__ == "__main__":
    main()
