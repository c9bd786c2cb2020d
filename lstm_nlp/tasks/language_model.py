"""The ``language_model`` task: next-word prediction with truncated BPTT, perplexity on valid/test.

Model: embedding (with word-type dropout) → dropout → encoder → dropout → decoder
(optionally tied to the embedding).  The hidden state is carried from one batch to
the next, detached every step, and reset at the start of each epoch and of each
evaluation pass, as pytorch/examples' word_language_model does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning.pytorch as pl
import torch
from omegaconf import DictConfig
from torch import nn
from torchmetrics import MeanMetric

from lstm_nlp.data.lm_datamodule import LMStreamDataModule
from lstm_nlp.modules.buffer_pool import POOL
from lstm_nlp.modules.dropout import embedding_dropout
from lstm_nlp.modules.heads import build_head
from lstm_nlp.modules.lm_head import LMHead
from lstm_nlp.modules.sampling import sample_ids
from lstm_nlp.schema.validate import plain
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.components import build_encoder, corpus_files
from lstm_nlp.tasks.optim import optimizers_from_config
from lstm_nlp.tasks.options import LanguageModelOptions, check_language_model_encoder
from lstm_nlp.text.checkpoint_file import (
    TASK_KEY,
)
from lstm_nlp.text.prepare import prepare_corpus
from lstm_nlp.text.sources import vocabulary_settings

HIDDEN_KEY = "lstm_nlp_hidden"  # the training hidden state carried to the next batch, one per rank


def carried_state(module: pl.LightningModule, hidden: Any) -> dict[str, Any]:
    """``hidden`` (a tensor or a tuple of them) of every DDP rank, stacked on a new first
    dimension."""
    parts = (hidden,) if isinstance(hidden, torch.Tensor) else tuple(hidden)
    if module._trainer is not None and module.trainer.world_size > 1:
        stacked = tuple(module.all_gather(h).cpu() for h in parts)
    else:
        stacked = tuple(h.unsqueeze(0).cpu() for h in parts)
    return {"ranks": stacked, "tensor": isinstance(hidden, torch.Tensor)}


def rank_state(saved: dict[str, Any], rank: int, world_size: int) -> Any:
    """This rank's carried hidden state from :func:`carried_state`; None (start afresh) when the run
    resumes on another number of processes (the data shards differ then anyway)."""
    parts = saved["ranks"]
    if not parts or parts[0].size(0) != world_size:
        return None
    mine = tuple(h[rank] for h in parts)
    return mine[0] if saved["tensor"] else mine


def first_tensor(hidden: Any) -> torch.Tensor:
    return hidden if isinstance(hidden, torch.Tensor) else first_tensor(hidden[0])


def to_device(hidden: Any, device: torch.device) -> Any:
    if isinstance(hidden, torch.Tensor):
        return hidden.to(device)
    return tuple(to_device(h, device) for h in hidden)


def detach(hidden: Any) -> Any:
    """Cut the graph behind a hidden state (a tensor or a tuple of them): repackage_hidden."""
    if isinstance(hidden, torch.Tensor):
        return hidden.detach()
    return tuple(detach(h) for h in hidden)


class LanguageModel(pl.LightningModule):
    """Embedding (with word-type dropout) -> dropout -> encoder -> dropout -> decoder.

    ``encoder`` and ``optim`` are the config nodes of those groups (plain dicts); the task's own
    options are ``options`` (a :class:`LanguageModelOptions`, a dict of its fields, or its fields
    as keywords: ``LanguageModel(vocab, encoder, optim, embedding_dim=400, tie_weights=True)``).
    """

    def __init__(
        self,
        vocab_size: int,
        encoder: Mapping[str, Any],
        optim: Mapping[str, Any],
        options: LanguageModelOptions | Mapping[str, Any] | None = None,
        **option_values: Any,
    ) -> None:
        super().__init__()
        if not isinstance(options, LanguageModelOptions):
            options = LanguageModelOptions(**{**dict(options or {}), **option_values})
        self.options = opts = options
        encoder, optim = plain(encoder), plain(optim)
        self.save_hyperparameters(
            {
                "vocab_size": vocab_size,
                "encoder": encoder,
                "optim": optim,
                "options": opts.as_dict(),
            },
            logger=False,  # the loggers get the run's whole composed config instead
        )
        check_language_model_encoder(encoder)
        self.embedding = nn.Embedding(vocab_size, opts.embedding_dim)
        self.encoder = build_encoder(encoder, input_size=opts.embedding_dim)
        self.drop = nn.Dropout(opts.dropout)
        self.decoder = build_head(
            opts.head,
            self.encoder.get_output_dim(),
            vocab_size,
            tie_to=self.embedding if opts.tie_weights else None,
            cutoffs=opts.adaptive_cutoffs,
            div_value=opts.adaptive_div_value,
        )
        self._init_weights(opts.init, opts.init_range)
        self.val_nll, self.test_nll = MeanMetric(), MeanMetric()
        self._hidden: dict[str, Any] = {}
        self.tokenizer_json: str | None = None  # saved into checkpoints, see on_save_checkpoint

    def _init_weights(self, scheme: str, init_range: float) -> None:
        """``task.init``: ``pytorch_examples`` (word_language_model's ``init_weights``: embedding
        and decoder ~ U(-r, r), decoder bias 0, the encoder as torch built it); ``zaremba`` (every
        parameter, the encoder's weights and biases included, ~ U(-r, r), as Zaremba et al.'s
        ``module:getParameters():uniform(-init_weight, init_weight)``); ``torch`` (nothing
        changed)."""
        if scheme == "torch":
            return
        if scheme == "zaremba":
            for param in self.parameters():  # a tied matrix is one parameter: drawn once
                nn.init.uniform_(param, -init_range, init_range)
            return
        nn.init.uniform_(self.embedding.weight, -init_range, init_range)
        if not isinstance(self.decoder, LMHead):
            return  # the adaptive softmax keeps PyTorch's initialisation
        decoder = self.decoder.decoder
        if decoder.weight is not self.embedding.weight:
            nn.init.uniform_(decoder.weight, -init_range, init_range)
        if decoder.bias is not None:
            nn.init.zeros_(decoder.bias)

    # -- model ------------------------------------------------------------------------
    def encode(self, tokens: torch.Tensor, hidden: Any = None) -> tuple[torch.Tensor, Any]:
        """Encoder outputs ``(seq, batch, hidden)`` for token ids ``(seq, batch)``."""
        emb = embedding_dropout(
            self.embedding, tokens, self.options.embedding_dropout, self.training
        )
        output, hidden = self.encoder(self.drop(emb), hidden)
        return output, hidden

    def forward(self, tokens: torch.Tensor, hidden: Any = None) -> tuple[torch.Tensor, Any]:
        """Logits ``(seq, batch, vocab)`` and the final hidden state."""
        output, hidden = self.encode(tokens, hidden)
        return self.decoder(self.drop(output)), hidden

    # -- steps -------------------------------------------------------------------------
    def on_train_epoch_start(self) -> None:
        self._hidden.pop("train", None)

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> dict:
        """The objective (regularisers included) under ``loss``; the cross-entropy it reports
        under ``train/loss``."""
        tokens, targets = batch
        carried = self._hidden.get("train")
        if (
            carried is not None and first_tensor(carried).device != tokens.device
        ):  # restored from a checkpoint
            carried = to_device(carried, tokens.device)
        output, hidden = self.encode(tokens, carried)
        self._hidden["train"] = detach(hidden)
        dropped = self.drop(output)
        nll = self.decoder.nll(dropped, targets)
        loss = nll
        if self.options.ar_alpha:
            loss = loss + self.options.ar_alpha * dropped.pow(2).mean()
        if self.options.tar_beta and output.size(0) > 1:  # a 1-step window has no step to penalise
            loss = loss + self.options.tar_beta * (output[1:] - output[:-1]).pow(2).mean()
        if self.options.variable_bptt:  # Merity et al.: scale the step by window length / bptt
            loss = loss * tokens.size(0) / self.options.bptt
        # per step, and as the epoch's token-weighted mean over every rank (train/loss_step,
        # train/loss_epoch in the loggers; one scalar all-reduced per step under DDP)
        tokens_logged = {"batch_size": targets.numel(), "sync_dist": True}
        self.log("train/loss", nll, prog_bar=True, on_step=True, on_epoch=True, **tokens_logged)
        return {"loss": loss, "train/loss": nll.detach()}

    def _eval_step(
        self, split: str, metric: MeanMetric, batch: tuple[torch.Tensor, torch.Tensor]
    ) -> None:
        tokens, targets = batch
        output, hidden = self.encode(tokens, self._hidden.get(split))
        self._hidden[split] = detach(hidden)
        nll = self.decoder.nll(self.drop(output), targets)
        metric.update(nll, weight=targets.numel())

    def _eval_end(self, split: str, metric: MeanMetric) -> None:
        loss = metric.compute()
        metric.reset()
        self._hidden.pop(split, None)
        self.log(
            f"{split}/loss", loss, prog_bar=split == "val", sync_dist=True
        )  # already reduced: no warning
        self.log(f"{split}/ppl", torch.exp(loss), prog_bar=split == "val", sync_dist=True)

    def on_validation_epoch_start(self) -> None:
        self._hidden.pop("val", None)

    def validation_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._eval_step("val", self.val_nll, batch)

    def on_validation_epoch_end(self) -> None:
        self._eval_end("val", self.val_nll)

    def on_test_epoch_start(self) -> None:
        self._hidden.pop("test", None)

    def test_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> None:
        self._eval_step("test", self.test_nll, batch)

    def on_test_epoch_end(self) -> None:
        self._eval_end("test", self.test_nll)

    def on_fit_end(self) -> None:
        POOL.clear()  # the output layer's and embedding's step buffers: not needed after fit

    def configure_optimizers(self) -> Any:
        return optimizers_from_config(self.parameters(), self.hparams["optim"], monitor="val/loss")

    # -- checkpoints and generation -------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint[TASK_KEY] = "language_model"
        if self.tokenizer_json is not None:
            checkpoint["tokenizer_json"] = self.tokenizer_json
        if (
            self._hidden.get("train") is not None
        ):  # carried into the next batch: part of an exact resume
            checkpoint[HIDDEN_KEY] = carried_state(self, self._hidden["train"])

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self.tokenizer_json = checkpoint.get("tokenizer_json", self.tokenizer_json)
        if HIDDEN_KEY in checkpoint:
            rank, world = (
                (self.trainer.global_rank, self.trainer.world_size)
                if self._trainer is not None
                else (0, 1)
            )
            self._hidden["train"] = rank_state(checkpoint[HIDDEN_KEY], rank, world)

    @torch.no_grad()
    def generate(
        self,
        prompt: list[int],
        n_words: int,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> list[int]:
        """Sample ``n_words`` ids after ``prompt`` (at least one id), one at a time."""
        return sample_ids(self, prompt, n_words, temperature, generator)


def build_task(cfg: DictConfig, run: RunContext) -> TaskParts:
    """``task=language_model``: prepare the corpus, the stream batches and the model."""
    opts: LanguageModelOptions = run.options
    files, data = corpus_files(cfg.data, run.cache_dir)
    corpus = prepare_corpus(
        files,
        tokenizer_path=run.tokenizer_path,
        cache_dir=run.cache_dir,
        **vocabulary_settings(data),
    )
    datamodule = LMStreamDataModule(
        corpus.streams,
        batch_size=opts.batch_size,
        eval_batch_size=opts.eval_batch_size,
        bptt=opts.bptt,
        variable_bptt=opts.variable_bptt,
        seed=run.seed,
    )
    module = LanguageModel(corpus.vocab_size, cfg.encoder, cfg.optim, options=opts)
    module.tokenizer_json = corpus.tokenizer.to_str()
    summary = {
        "corpus": files.name,
        "vocab_size": corpus.vocab_size,
        "types": corpus.num_types,
        **{f"{s}_tokens": int(len(x)) for s, x in corpus.streams.items()},
    }
    trainer_kwargs = {"use_distributed_sampler": False}
    if opts.variable_bptt:  # the number of windows differs from epoch to epoch
        trainer_kwargs["reload_dataloaders_every_n_epochs"] = 1
    return TaskParts(module, datamodule, "val/loss", "min", trainer_kwargs, summary)
