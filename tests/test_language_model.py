"""The LanguageModel task's losses and perplexities equal an independent computation from its
logits."""

import math

import lightning.pytorch as pl
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstm_nlp.data.lm_datamodule import LMStreamDataModule
from lstm_nlp.data.lm_stream import batchify
from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import TASKS
from lstm_nlp.tasks.language_model import LanguageModel
from lstm_nlp.tasks.options import LanguageModelOptions

VOCAB = 40
ENCODER = {"name": "lstm", "hidden_size": 12, "num_layers": 2, "dropout": 0.0}
OPTIM = {"name": "sgd", "lr": 1.0, "scheduler": {"name": "none"}}


def model(**kwargs) -> LanguageModel:
    torch.manual_seed(0)
    return LanguageModel(VOCAB, ENCODER, OPTIM, embedding_dim=8, dropout=0.0, **kwargs)


def stream(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.zipf(1.3, n) % VOCAB).astype(np.int32)


def independent_ppl(lm: LanguageModel, data: np.ndarray, batch: int, bptt: int) -> float:
    """Perplexity from the model's logits: windows in order, hidden state carried, summed NLL."""
    source = batchify(data, batch)
    hidden, total, count = None, 0.0, 0
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, bptt):
            x = source[i : i + bptt].long()
            y = source[i + 1 : i + 1 + x.size(0)].long()
            x = x[: y.size(0)]
            logits, hidden = lm(x, hidden)
            total += F.cross_entropy(
                logits.reshape(-1, VOCAB), y.reshape(-1), reduction="sum"
            ).item()
            count += y.numel()
    return math.exp(total / count)


def trainer(**kwargs) -> pl.Trainer:
    return pl.Trainer(
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


@pytest.mark.parametrize("head", ["softmax", "adaptive"])
def test_validation_perplexity_equals_the_logits_perplexity(head):
    kwargs = (
        {"head": head, "adaptive_cutoffs": [10, 25], "adaptive_div_value": 2.0}
        if head == "adaptive"
        else {}
    )
    lm = model(**kwargs)
    valid = stream(997, 1)
    data = LMStreamDataModule(
        {"train": stream(2000, 0), "valid": valid}, batch_size=4, eval_batch_size=3, bptt=7
    )
    reported = trainer().validate(lm, datamodule=data, verbose=False)[0]["val/ppl"]
    lm.eval()
    assert reported == pytest.approx(independent_ppl(lm, valid, 3, 7), rel=1e-5)


@pytest.mark.parametrize("head", ["softmax", "adaptive"])
def test_training_loss_is_the_cross_entropy_of_the_logits_and_it_falls(head):
    kwargs = (
        {"head": head, "adaptive_cutoffs": [10, 25], "adaptive_div_value": 2.0}
        if head == "adaptive"
        else {}
    )
    lm = model(**kwargs)
    tokens = torch.from_numpy(stream(4 * 9, 2).astype(np.int64)).view(9, 4)
    x, y = tokens[:-1], tokens[1:]
    step = lm.training_step((x, y), 0)  # no regulariser: the objective is the cross-entropy
    logits, _ = lm(x)
    expected = F.cross_entropy(logits.reshape(-1, VOCAB), y.reshape(-1)).item()
    assert step["loss"].item() == pytest.approx(expected, rel=1e-5)
    assert step["train/loss"].item() == pytest.approx(expected, rel=1e-5)
    data = LMStreamDataModule(
        {"train": stream(3000, 3), "valid": stream(500, 4)}, batch_size=4, eval_batch_size=4, bptt=8
    )
    before = trainer().validate(lm, datamodule=data, verbose=False)[0]["val/loss"]
    trainer(max_epochs=3, limit_val_batches=0).fit(lm, datamodule=data)
    after = trainer().validate(lm, datamodule=data, verbose=False)[0]["val/loss"]
    assert after < before - 0.3


def test_head_choices_are_checked():
    with pytest.raises(ConfigError, match="^head must be one of softmax, adaptive"):
        model(head="hierarchical")
    with pytest.raises(ConfigError, match="^tie_weights=true is not supported"):
        LanguageModel(VOCAB, ENCODER, OPTIM, embedding_dim=12, tie_weights=True, head="adaptive")
    with pytest.raises(ConfigError, match="^tie_weights=true is not supported"):
        LanguageModelOptions(tie_weights=True, head="adaptive")
    # from a config, the same rules name the task's keys
    with pytest.raises(ConfigError, match=r"^task\.head must be one of softmax, adaptive"):
        TASKS.options({"name": "language_model", "head": "hierarchical"})
    with pytest.raises(ConfigError, match="tie_weights=true is not supported"):
        TASKS.options({"name": "language_model", "head": "adaptive", "tie_weights": True})


def test_a_checkpoint_of_the_flat_hyperparameter_layout_still_loads(tmp_path):
    """Checkpoints written before the options dataclass kept each option as its own
    hyper-parameter; ``LanguageModel(**hyper_parameters)`` reads both layouts."""
    from collections import Counter

    import torch

    from lstm_nlp.tasks.checked_load import load_language_model
    from lstm_nlp.text.checkpoint_file import TASK_KEY
    from lstm_nlp.text.tokenizer import build_tokenizer

    tok = build_tokenizer(Counter({"a": 3, "b": 2}))
    old = dict(vocab_size=tok.get_vocab_size(), encoder=ENCODER, optim=OPTIM, embedding_dim=8)
    old.update(dropout=0.0, tie_weights=False, bptt=7)
    model = LanguageModel(**old)
    (tmp_path / "checkpoints").mkdir()
    path = tmp_path / "checkpoints" / "best.ckpt"
    saved = {"state_dict": model.state_dict(), "hyper_parameters": old}
    torch.save({**saved, TASK_KEY: "language_model", "tokenizer_json": tok.to_str()}, path)
    loaded, _ = load_language_model(tmp_path)
    assert loaded.options.bptt == 7 and loaded.options.embedding_dim == 8
    assert set(loaded.hparams) == {"vocab_size", "encoder", "optim", "options"}
