"""Tiny language models built in-process, and checkpoints saved as lstm-nlp-train saves them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import torch

from lstm_nlp.tasks.language_model import LanguageModel
from lstm_nlp.text.checkpoint_file import TASK_KEY
from lstm_nlp.text.tokenizer import build_tokenizer

WORDS = (
    "the cat cats dog dogs is are was were sees see likes like near of that who ate "
    "a big small red her himself herself themselves . ,"
).split()


def tiny_model(
    words=WORDS,
    hidden: int = 12,
    layers: int = 2,
    seed: int = 0,
    dropout: float = 0.0,
    init_range: float = 0.5,
):
    """A random LanguageModel over ``words`` (plus specials) and its tokenizer."""
    tok = build_tokenizer(Counter(words))
    torch.manual_seed(seed)
    encoder = {"name": "lstm", "hidden_size": hidden, "num_layers": layers, "dropout": dropout}
    model = LanguageModel(
        tok.get_vocab_size(),
        encoder,
        {"name": "sgd", "lr": 1.0},
        embedding_dim=hidden,
        dropout=dropout,
        init_range=init_range,
    )
    model.tokenizer_json = tok.to_str()
    return model.eval(), tok


def save_checkpoint(model: LanguageModel, path: Path) -> Path:
    """The keys lstm-nlp-train's checkpoints have (Lightning's, plus the task and the tokenizer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(
        {
            "state_dict": model.state_dict(),
            "hyper_parameters": dict(model.hparams),
            TASK_KEY: "language_model",
            "tokenizer_json": model.tokenizer_json,
            "epoch": 0,
            "global_step": 1,
        },
        path,
    )
    return path


def write_jsonl(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def bias_model(log_probs: dict[str, float] | None = None, boost: dict[str, float] | None = None):
    """A model whose next-word distribution ignores the context: decoder weights 0, bias
    ``boost``."""
    model, tok = tiny_model()
    with torch.no_grad():
        model.decoder.decoder.weight.zero_()
        model.decoder.decoder.bias.zero_()
        for word, value in (boost or {}).items():
            model.decoder.decoder.bias[tok.token_to_id(word)] = value
    return model, tok


def unigram_logprob(model: LanguageModel, tok, word: str) -> float:
    """log P(word) under a :func:`bias_model`."""
    return float(torch.log_softmax(model.decoder.decoder.bias.detach(), -1)[tok.token_to_id(word)])
