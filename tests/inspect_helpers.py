"""Tiny language models for the lstm-nlp-inspect tests, trained in-process on the grammar in a few
seconds.

:func:`tiny_run` writes a run directory as lstm-nlp-train lays it out (``checkpoints/best.ckpt``
with the tokenizer inside, ``.hydra/config.yaml`` naming the grammar), so the inspect command finds
the run's grammar and generates agreement pairs in the model's vocabulary.
"""

from __future__ import annotations

from pathlib import Path

import torch

GRAMMAR = {"name": "grammar", "seed": 0, "max_lemmas": 6, "max_attractors": 2}
VERB_CATEGORIES = "categories=[simple_agreement,pp,obj_rel]"


def corpus_text(n: int = 1500) -> list[str]:
    from lstm_nlp.grammar.generator import SentenceGenerator
    from lstm_nlp.grammar.params import make_params

    params = make_params(seed=GRAMMAR["seed"], max_lemmas=GRAMMAR["max_lemmas"], max_attractors=2)
    return [s.text() for s in SentenceGenerator(params).corpus(n, "train")]


def build_model(
    vocab_size: int,
    layers: int = 2,
    hidden: int = 12,
    encoder: dict | None = None,
    tie: bool = False,
    head: str = "softmax",
):
    from lstm_nlp.tasks.language_model import LanguageModel

    enc = {"name": "lstm", "hidden_size": hidden, "num_layers": layers, **(encoder or {})}
    model = LanguageModel(
        vocab_size,
        enc,
        {"name": "adam", "lr": 0.01},
        embedding_dim=hidden if tie else 10,
        dropout=0.0,
        tie_weights=tie,
        head=head,
    )
    # the hyper-parameters lstm-nlp-train saves: vocab_size, encoder, optim, options
    return model, dict(model.hparams)


def tokenizer_for(lines: list[str]):
    from lstm_nlp.text.tokenizer import count_words, vocabulary, word_level_tokenizer

    counts = count_words(lines)
    words = list(counts)
    return word_level_tokenizer(vocabulary(words, [counts[w] for w in words]))


def train_briefly(model, tokenizer, lines: list[str], steps: int, seed: int = 0) -> None:
    """A few hundred steps of Adam on the stream ``<eos> line <eos> line ...`` (batch 16, bptt
    20)."""
    torch.manual_seed(seed)
    ids = torch.tensor([i for e in tokenizer.encode_batch(lines) for i in e.ids])
    width = len(ids) // 16
    data = ids[: width * 16].view(16, width).t()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    for step in range(steps):
        start = (step * 20) % (width - 21)
        tokens, targets = data[start : start + 20], data[start + 1 : start + 21]
        logits, _ = model(tokens)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), targets.reshape(-1)
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


def save_run(run: Path, model, hparams: dict, tokenizer) -> Path:
    from lstm_nlp.text.checkpoint_file import TASK_KEY

    (run / "checkpoints").mkdir(parents=True, exist_ok=True)
    (run / ".hydra").mkdir(exist_ok=True)
    torch.save(
        {
            "state_dict": model.state_dict(),
            "hyper_parameters": hparams,
            TASK_KEY: "language_model",
            "tokenizer_json": tokenizer.to_str(),
        },
        run / "checkpoints" / "best.ckpt",
    )
    (run / ".hydra" / "config.yaml").write_text(
        "data:\n" + "".join(f"  {k}: {v}\n" for k, v in GRAMMAR.items())
    )
    return run


def tiny_run(run: Path, steps: int = 150, **model_args) -> Path:
    """Train a tiny LM on the grammar and save it as a run directory; returns ``run``."""
    torch.manual_seed(0)
    lines = corpus_text()
    tokenizer = tokenizer_for(lines)
    model, hparams = build_model(tokenizer.get_vocab_size(), **model_args)
    if steps:
        train_briefly(model, tokenizer, lines, steps)
    return save_run(run, model, hparams, tokenizer)
