"""lstm-nlp's side of the training benchmark: the LanguageModel task's step, run by a Lightning
Trainer."""

from __future__ import annotations

import time

import lightning.pytorch as pl
import numpy as np
import torch

from lstm_nlp.data.lm_datamodule import LMStreamDataModule
from lstm_nlp.tasks.language_model import LanguageModel


def build_model(
    vocab: int,
    emb: int,
    hidden: int,
    layers: int,
    dropout: float = 0.2,
    head: str = "softmax",
    cutoffs: list[int] | None = None,
) -> LanguageModel:
    """The model of pytorch/examples' defaults (SGD lr 20, dropout 0.2, untied) as our task builds
    it."""
    encoder = dict(
        name="lstm",
        hidden_size=hidden,
        num_layers=layers,
        bias=True,
        batch_first=False,
        dropout=dropout,
        bidirectional=False,
        input_dropout=0.0,
        hidden_dropout=0.0,
        output_dropout=0.0,
        weight_drop=0.0,
    )
    optim = dict(name="sgd", lr=20.0, momentum=0.0, weight_decay=0.0, scheduler=dict(name="none"))
    return LanguageModel(
        vocab_size=vocab,
        encoder=encoder,
        optim=optim,
        embedding_dim=emb,
        dropout=dropout,
        head=head,
        adaptive_cutoffs=cutoffs,
    )


def copy_reference_weights(ours: LanguageModel, reference: torch.nn.Module) -> None:
    """Start from exactly the reference model's weights (for the perplexity comparison)."""
    ref = reference.state_dict()
    ours.embedding.weight.data.copy_(ref["encoder.weight"])
    ours.encoder.load_nn_lstm_state_dict(
        {k[len("rnn.") :]: v for k, v in ref.items() if k.startswith("rnn.")}
    )
    ours.decoder.decoder.weight.data.copy_(ref["decoder.weight"])
    ours.decoder.decoder.bias.data.copy_(ref["decoder.bias"])


class StepTimes(pl.Callback):
    def __init__(self) -> None:
        self.starts: list[float] = []
        self.tokens: list[int] = []
        self.end = 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self.starts.append(time.perf_counter())
        self.tokens.append(batch[1].numel())

    def on_train_end(self, trainer, pl_module) -> None:
        self.end = time.perf_counter()


def trainer(
    max_steps: int,
    callbacks=(),
    clip: float = 0.25,
    precision: str = "32-true",
    validate_every: int = 0,
) -> pl.Trainer:
    """A bare Trainer for ``max_steps`` steps; ``validate_every``: validate on the whole valid
    split every so many steps (0: never)."""
    validation = (
        {
            "limit_val_batches": 1.0,
            "val_check_interval": validate_every,
            "check_val_every_n_epoch": None,
        }
        if validate_every
        else {"limit_val_batches": 0}
    )
    return pl.Trainer(
        precision=precision,
        max_steps=max_steps,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        gradient_clip_val=clip,
        num_sanity_val_steps=0,
        callbacks=list(callbacks),
        **validation,
    )


class LightningLoop:
    """Runs ``steps`` training steps of ``model`` per call through ``Trainer.fit``; times steps
    after warm-up."""

    def __init__(
        self,
        model: LanguageModel,
        streams: dict[str, np.ndarray],
        batch_size: int,
        bptt: int,
        precision: str = "32-true",
    ) -> None:
        self.model, self.precision = model, precision
        self.data = LMStreamDataModule(
            streams, batch_size=batch_size, eval_batch_size=10, bptt=bptt
        )

    def tokens_per_second(self, steps: int, warmup: int = 2) -> float:
        times = StepTimes()
        trainer(steps + warmup, [times], precision=self.precision).fit(
            self.model, datamodule=self.data
        )
        return sum(times.tokens[warmup:]) / (times.end - times.starts[warmup])

    def train(self, steps: int) -> None:
        trainer(steps, precision=self.precision).fit(self.model, datamodule=self.data)

    def validation_ppl(self) -> float:
        t = pl.Trainer(
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        return float(t.validate(self.model, datamodule=self.data, verbose=False)[0]["val/ppl"])
