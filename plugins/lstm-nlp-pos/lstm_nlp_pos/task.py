"""``task=pos_tagging``: embedding → bidirectional LSTM → linear layer to POS tags, token
accuracy."""

from __future__ import annotations

from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn.functional as F
from omegaconf import DictConfig, OmegaConf
from torch import nn
from torchmetrics import MeanMetric

from lstm_nlp.data.sentences import (
    IGNORE_INDEX,
    PaddedBatch,
    SentenceDataModule,
    SentenceDataset,
    encode_sentences,
)
from lstm_nlp.errors import ConfigError
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.components import build_encoder, corpus_files
from lstm_nlp.tasks.optim import optimizers_from_config
from lstm_nlp.text.prepare import vocab_tokenizer
from lstm_nlp.text.sources import vocabulary_settings
from lstm_nlp.text.tokenizer import PAD, load_tokenizer, save_tokenizer
from lstm_nlp_pos.data import UNK_TAG, read_tagged, tag_set

SPLITS = ("train", "valid", "test")


class PosTagger(pl.LightningModule):
    def __init__(
        self,
        vocab_size: int,
        num_tags: int,
        encoder: dict,
        optim: dict,
        pad_id: int,
        embedding_dim: int = 100,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        self.encoder = build_encoder(encoder, input_size=embedding_dim)
        self.drop = nn.Dropout(dropout)
        self.classifier = nn.Linear(self.encoder.get_output_dim(), num_tags)
        self.val_loss, self.val_acc, self.test_loss, self.test_acc = (
            MeanMetric() for _ in range(4)
        )
        self.extras: dict[str, Any] = {}  # tokenizer_json, tags: saved into checkpoints

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Tag logits shaped like ``tokens`` plus a tag dimension; ``lengths`` (CPU) packs the
        batch."""
        output, _ = self.encoder(self.drop(self.embedding(tokens)), lengths=lengths)
        return self.classifier(self.drop(output))

    def _step(self, batch: PaddedBatch) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean loss over the real tokens, and whether each real token is tagged right."""
        logits = self(batch.tokens, batch.lengths)
        gold = batch.token_labels
        loss = F.cross_entropy(logits.flatten(0, 1), gold.flatten(), ignore_index=IGNORE_INDEX)
        real = gold != IGNORE_INDEX
        return loss, (logits.argmax(-1) == gold)[real].float()

    def training_step(self, batch: PaddedBatch, batch_idx: int) -> torch.Tensor:
        loss, correct = self._step(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=batch.batch_size)
        self.log("train/acc", correct.mean(), batch_size=batch.batch_size)
        return loss

    def _eval_step(self, split: str, batch: PaddedBatch) -> None:
        loss, correct = self._step(batch)
        getattr(self, f"{split}_loss").update(loss, weight=correct.numel())
        getattr(self, f"{split}_acc").update(correct)

    def _eval_end(self, split: str) -> None:
        for name in ("loss", "acc"):
            metric = getattr(self, f"{split}_{name}")
            # torchmetrics reduced it over the ranks: sync_dist only tells Lightning so
            self.log(f"{split}/{name}", metric.compute(), prog_bar=split == "val", sync_dist=True)
            metric.reset()

    def validation_step(self, batch: PaddedBatch, batch_idx: int) -> None:
        self._eval_step("val", batch)

    def on_validation_epoch_end(self) -> None:
        self._eval_end("val")

    def test_step(self, batch: PaddedBatch, batch_idx: int) -> None:
        self._eval_step("test", batch)

    def on_test_epoch_end(self) -> None:
        self._eval_end("test")

    def configure_optimizers(self) -> Any:
        return optimizers_from_config(self.parameters(), self.hparams.optim, monitor="val/loss")

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint.update(self.extras)

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self.extras.update(
            {k: checkpoint[k] for k in ("tokenizer_json", "tags") if k in checkpoint}
        )


def encoder_config(cfg: DictConfig, options: Any) -> dict:
    """``cfg.encoder`` with ``bidirectional`` set as ``task.bidirectional`` asks."""
    encoder = OmegaConf.to_container(cfg.encoder, resolve=True)
    if options.bidirectional:
        encoder["bidirectional"] = True
    elif encoder.get("bidirectional"):
        raise ConfigError(
            "task.bidirectional=false asks for a left-to-right tagger but "
            "encoder.bidirectional=true; set encoder.bidirectional=false too"
        )
    return encoder


def build_task(cfg: DictConfig, run: RunContext) -> TaskParts:
    opts = run.options  # PosTaggingConfig, checked by lstm-nlp before the run
    encoder = encoder_config(cfg, opts)
    files, data = corpus_files(cfg.data, run.cache_dir)
    vocab = vocabulary_settings(data)
    tagged = {split: read_tagged(files, split, vocab["encoding_errors"]) for split in SPLITS}
    if run.tokenizer_path.is_file():  # a resumed run keeps its vocabulary
        tok = load_tokenizer(run.tokenizer_path)
    else:
        tok = vocab_tokenizer(files.splits["train"], cache_dir=run.cache_dir, **vocab)
        save_tokenizer(tok, run.tokenizer_path)
    tags = tag_set(tagged["train"][1], run.run_dir / "tags.json")
    tag_ids = {tag: i for i, tag in enumerate(tags)}
    datasets = {}
    for split, (lines, sent_tags) in tagged.items():
        labels = [[tag_ids.get(tag, tag_ids[UNK_TAG]) for tag in sent] for sent in sent_tags]
        datasets[split] = SentenceDataset(encode_sentences(lines, tok), token_labels=labels)
    pad_id = tok.token_to_id(PAD)
    datamodule = SentenceDataModule(
        datasets,
        pad_id=pad_id,
        batch_size=opts.batch_size,
        eval_batch_size=opts.eval_batch_size,
        batch_first=bool(encoder.get("batch_first", False)),
        bucket=opts.bucket,
        seed=run.seed,
        num_workers=opts.num_workers,
    )
    module = PosTagger(
        vocab_size=tok.get_vocab_size(),
        num_tags=len(tags),
        encoder=encoder,
        optim=OmegaConf.to_container(cfg.optim, resolve=True),
        pad_id=pad_id,
        embedding_dim=opts.embedding_dim,
        dropout=opts.dropout,
    )
    module.extras = {"tokenizer_json": tok.to_str(), "tags": tags}
    # The accuracy of always answering the most frequent training tag: what test/acc must beat.
    most_frequent = np.bincount(datasets["train"].token_labels).argmax()
    majority = float(np.mean(datasets["test"].token_labels == most_frequent))
    summary = {
        "corpus": files.name,
        "vocab_size": tok.get_vocab_size(),
        "tags": len(tags) - 1,
        **{f"{s}_sentences": len(ds) for s, ds in datasets.items()},
        "test_tokens": datasets["test"].num_tokens,
        "test_majority_acc": round(majority, 4),
    }
    return TaskParts(
        module,
        datamodule,
        monitor="val/acc",
        mode="max",
        trainer_kwargs=SentenceDataModule.trainer_kwargs,
        summary=summary,
    )
