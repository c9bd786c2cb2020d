"""``lstm-nlp-generate``: sample text from a trained language model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lstm_nlp.schema import CommandOptions, option
from lstm_nlp.schema.limits import MAX_SEED


@dataclass
class GenerateOptions(CommandOptions):
    """lstm-nlp-generate: sample text from a trained language model.

    Examples:
      lstm-nlp-generate checkpoint=RUN_DIR words=50 temperature=0.8
      lstm-nlp-generate checkpoint=RUN_DIR prompt="the keys to the" words=20 out=sample.txt"""

    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    prompt: str = option("", help="words to start from (whitespace-separated); empty: after <eos>")
    words: int = option(50, ge=1, le=1_000_000, help="how many words to sample")
    temperature: float = option(1.0, gt=0, help="lower is more conservative")
    seed: int = option(1234, ge=0, le=MAX_SEED, help="the sampling seed")
    out: str | None = option(None, help="also write the text to this file")


def prompt_ids(tokenizer: Any, prompt: str) -> tuple[list[int], list[str]]:
    """``<eos>`` and the prompt's ids, and the prompt words outside the vocabulary (read as
    ``<unk>``)."""
    from lstm_nlp.text.tokenizer import EOS, UNK

    words = prompt.split()
    ids = (
        tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False).ids if words else []
    )
    unknown = [w for w, i in zip(words, ids) if i == tokenizer.token_to_id(UNK) and w != UNK]
    return [tokenizer.token_to_id(EOS), *ids], list(dict.fromkeys(unknown))


def generate_text(options: GenerateOptions, model: Any, tokenizer: Any) -> str:
    """The prompt and ``options.words`` sampled words, one line per sampled ``<eos>``."""
    import torch

    from lstm_nlp.text.tokenizer import EOS

    prompt, _ = prompt_ids(tokenizer, options.prompt)
    generator = torch.Generator().manual_seed(options.seed)
    ids = model.generate(
        prompt, options.words, temperature=options.temperature, generator=generator
    )
    lines, line = [], [options.prompt] if options.prompt else []
    for word in (tokenizer.id_to_token(i) for i in ids):
        if word == EOS:
            lines.append(" ".join(line))
            line = []
        else:
            line.append(word)
    return "\n".join(lines + ([" ".join(line)] if line else [])) + "\n"
