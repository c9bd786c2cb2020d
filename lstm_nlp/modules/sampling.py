"""Sampling word ids from a language model, one at a time (``lstm-nlp-generate``,
``LanguageModel.generate`` and exported models)."""

from __future__ import annotations

import torch

from lstm_nlp.errors import ConfigError


@torch.no_grad()
def sample_ids(
    model: torch.nn.Module,
    prompt: list[int],
    n_words: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> list[int]:
    """``n_words`` ids sampled after ``prompt`` (at least one id) from ``model(tokens, hidden)
    -> (logits, hidden)``; the same draws for one generator whatever the model's class."""
    if temperature <= 0:
        raise ConfigError(f"temperature must be > 0, got {temperature}")
    model.eval()
    device = next(model.parameters()).device
    tokens = torch.tensor(prompt, dtype=torch.long, device=device).view(-1, 1)
    logits, hidden = model(tokens)
    out = []
    for _ in range(n_words):
        last = logits[-1, 0].double()
        probs = torch.softmax((last - last.max()) / temperature, dim=-1)
        word = torch.multinomial(probs, 1, generator=generator)
        out.append(int(word))
        logits, hidden = model(word.view(1, 1), hidden)
    return out
