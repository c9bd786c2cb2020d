"""Classify a sentence prefix by the form of the word that comes next (agreement probes).

Shared by ``task=number_agreement`` and ``task=pronoun_agreement``: embedding → dropout →
encoder (packed by length) → the encoder's last state → dropout → linear layer → labels.

*Last state*: for a left-to-right encoder, the output at each sequence's true last token
(padding never reaches it: the batch is packed).  For a bidirectional encoder, the
forward half at the last token concatenated with the backward half at position 0, so
both directions have read the whole prefix (the prefix both ways; the word to predict
is never part of the input, so nothing leaks).

Metrics: ``{val,test}/loss`` and ``{val,test}/acc`` over examples, plus accuracy broken
down by metadata (``test/acc/attractors/0``, ``test/acc/number/pl``, ...) and the group
sizes (``test/n/attractors/0``, ...).  Per-example correctness is accumulated over the
epoch at each example's dataset index (``PaddedBatch.index``), then summed across DDP
processes (each evaluates its own share of the batches; the sums are exact), and the
groups are looked up in the split's :class:`~lstm_nlp.tasks.agreement_data.Breakdowns`.
While fitting, only ``val/loss`` and ``val/acc`` are logged (short epoch lines); the final
validation and the test log every breakdown.  Groups without examples are not logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn.functional as F
from omegaconf import DictConfig
from torch import nn
from torchmetrics import MeanMetric

from lstm_nlp.data.sentences import (
    IGNORE_INDEX,
    PaddedBatch,
    SentenceDataModule,
    SentenceDataset,
    encode_sentences,
)
from lstm_nlp.schema.validate import plain
from lstm_nlp.tasks.agreement_data import (
    AgreementSpec,
    Breakdowns,
    breakdowns,
    label_set,
    read_examples,
)
from lstm_nlp.tasks.base import RunContext, TaskParts
from lstm_nlp.tasks.components import build_encoder, corpus_files, require
from lstm_nlp.tasks.optim import optimizers_from_config
from lstm_nlp.tasks.options import AgreementTaskOptions
from lstm_nlp.text.checkpoint_file import TASK_KEY
from lstm_nlp.text.corpus import SPLITS
from lstm_nlp.text.sources import vocabulary_settings
from lstm_nlp.text.tokenizer import (
    PAD,
    build_tokenizer,
    count_words,
    load_tokenizer,
    save_tokenizer,
)

EVAL_SPLITS = {"valid": "val", "test": "test"}  # dataset split -> metric prefix


def last_state(
    output: torch.Tensor,
    lengths: torch.Tensor,
    batch_first: bool = False,
    bidirectional: bool = False,
) -> torch.Tensor:
    """``(batch, features)``: each sequence's output at its last real token.

    ``output`` is ``(seq, batch, features)`` (``(batch, seq, features)`` with ``batch_first``).
    Bidirectional: the forward half (first ``features // 2``) at the last token and the
    backward half at position 0.
    """
    if batch_first:
        output = output.transpose(0, 1)
    batch = output.size(1)
    rows = torch.arange(batch, device=output.device)
    last = (lengths.to(output.device) - 1).clamp(min=0)
    at_end = output[last, rows]
    if not bidirectional:
        return at_end
    half = output.size(-1) // 2
    return torch.cat([at_end[:, :half], output[0, :, half:]], dim=-1)


class PrefixClassifier(pl.LightningModule):
    """Embedding -> dropout -> encoder (packed by length) -> last state -> dropout -> labels.

    ``encoder`` and ``optim`` are those groups' config nodes; the task's options are ``options``
    (an :class:`AgreementTaskOptions`, a dict, or its fields as keywords).
    """

    def __init__(
        self,
        vocab_size: int,
        labels: list[str],
        encoder: Mapping[str, Any],
        optim: Mapping[str, Any],
        pad_id: int,
        task_name: str = "prefix_classifier",
        options: AgreementTaskOptions | Mapping[str, Any] | None = None,
        **option_values: Any,
    ) -> None:
        super().__init__()
        if not isinstance(options, AgreementTaskOptions):
            options = AgreementTaskOptions(**{**dict(options or {}), **option_values})
        self.options = options
        encoder, optim = plain(encoder), plain(optim)
        model = dict(vocab_size=vocab_size, labels=list(labels), pad_id=pad_id, task_name=task_name)
        self.save_hyperparameters(
            {**model, "encoder": encoder, "optim": optim, "options": options.as_dict()}
        )
        require(
            len(labels) >= 2, f"the label set of task={task_name}", "at least two labels", labels
        )
        self.embedding = nn.Embedding(vocab_size, options.embedding_dim, padding_idx=pad_id)
        self.encoder = build_encoder(encoder, input_size=options.embedding_dim)
        self.bidirectional, self.batch_first = self.encoder.bidirectional, self.encoder.batch_first
        self.drop = nn.Dropout(options.dropout)
        self.classifier = nn.Linear(self.encoder.get_output_dim(), len(labels))
        self.losses = nn.ModuleDict({p: MeanMetric() for p in EVAL_SPLITS.values()})
        self.breakdowns: dict[str, Breakdowns] = {}  # metric prefix -> that split's groups
        self._hits: dict[str, torch.Tensor] = {}
        self._seen: dict[str, torch.Tensor] = {}
        self.tokenizer_json: str | None = None  # saved into checkpoints

    # -- model ---------------------------------------------------------------------------------
    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Label logits ``(batch, labels)`` for padded prefixes (``lengths`` on the CPU)."""
        output, _ = self.encoder(self.drop(self.embedding(tokens)), lengths=lengths)
        pooled = last_state(output, lengths, self.batch_first, self.bidirectional)
        return self.classifier(self.drop(pooled))

    def _step(self, batch: PaddedBatch) -> tuple[torch.Tensor, torch.Tensor, int]:
        """Summed loss over examples with a known label, per-example correctness, and their
        count."""
        logits = self(batch.tokens, batch.lengths)
        losses = F.cross_entropy(logits, batch.labels, ignore_index=IGNORE_INDEX, reduction="none")
        known = int((batch.labels != IGNORE_INDEX).sum())
        return losses.sum(), logits.argmax(-1) == batch.labels, known

    def training_step(self, batch: PaddedBatch, batch_idx: int) -> torch.Tensor:
        loss_sum, correct, known = self._step(batch)
        loss = loss_sum / max(known, 1)
        self.log("train/loss", loss, prog_bar=True, batch_size=batch.batch_size)
        self.log("train/acc", correct.float().mean(), batch_size=batch.batch_size)
        return loss

    # -- evaluation ------------------------------------------------------------------------------
    def _eval_start(self, prefix: str) -> None:
        n = len(self.breakdowns[prefix]) if prefix in self.breakdowns else 0
        self._hits[prefix] = torch.zeros(n, device=self.device)
        self._seen[prefix] = torch.zeros(n, device=self.device)

    def _eval_step(self, prefix: str, batch: PaddedBatch) -> None:
        loss_sum, correct, known = self._step(batch)
        if known:
            self.losses[prefix].update(loss_sum / known, weight=known)
        self.record(prefix, batch.index, correct)

    def record(self, prefix: str, index: torch.Tensor, correct: torch.Tensor) -> None:
        """Note which examples (dataset positions ``index``) were classified right."""
        hits, seen = self._hits[prefix], self._seen[prefix]
        if len(index) and int(index.max()) >= len(hits):  # no breakdown table (a bare module): grow
            grow = int(index.max()) + 1 - len(hits)
            hits = self._hits[prefix] = torch.cat([hits, hits.new_zeros(grow)])
            seen = self._seen[prefix] = torch.cat([seen, seen.new_zeros(grow)])
        index = index.to(hits.device)
        hits.index_add_(0, index, correct.to(hits.device, hits.dtype))
        seen.index_add_(0, index, torch.ones_like(hits[index]))

    def accuracies(self, prefix: str, full: bool = True) -> dict[str, float]:
        """``acc`` and, with ``full``, every breakdown group's accuracy and size, from the epoch's
        records."""
        hits, seen = self._hits[prefix], self._seen[prefix]
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            hits, seen = hits.clone(), seen.clone()
            torch.distributed.all_reduce(hits)
            torch.distributed.all_reduce(seen)
        hits, seen = hits.cpu().numpy(), seen.cpu().numpy()
        done = seen > 0
        out = {
            f"{prefix}/acc": float(hits[done].sum() / seen[done].sum())
            if done.any()
            else float("nan")
        }
        table = self.breakdowns.get(prefix)
        if not full or table is None or len(table) != len(hits):
            return out
        for key, codes in table.codes.items():
            for g, name in enumerate(table.names[key]):
                members = done & (codes == g)
                if members.any():
                    out[f"{prefix}/acc/{key}/{name}"] = float(
                        hits[members].sum() / seen[members].sum()
                    )
                    out[f"{prefix}/n/{key}/{name}"] = float(seen[members].sum())
        return out

    def _eval_end(self, prefix: str) -> None:
        loss = self.losses[prefix]
        if loss.update_count:
            # already reduced over the ranks (torchmetrics): sync_dist only says so to Lightning
            self.log(f"{prefix}/loss", loss.compute(), prog_bar=prefix == "val", sync_dist=True)
        loss.reset()
        full = not (
            prefix == "val" and self.trainer.state.fn == "fit"
        )  # breakdowns: final evaluation only
        for key, value in self.accuracies(prefix, full).items():
            self.log(key, value, prog_bar=key == "val/acc", sync_dist=True)  # summed over ranks

    def on_validation_epoch_start(self) -> None:
        self._eval_start("val")

    def validation_step(self, batch: PaddedBatch, batch_idx: int) -> None:
        self._eval_step("val", batch)

    def on_validation_epoch_end(self) -> None:
        self._eval_end("val")

    def on_test_epoch_start(self) -> None:
        self._eval_start("test")

    def test_step(self, batch: PaddedBatch, batch_idx: int) -> None:
        self._eval_step("test", batch)

    def on_test_epoch_end(self) -> None:
        self._eval_end("test")

    def configure_optimizers(self) -> Any:
        return optimizers_from_config(self.parameters(), self.hparams.optim, monitor="val/loss")

    # -- checkpoints -------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint[TASK_KEY] = self.hparams.task_name
        checkpoint["labels"] = list(self.hparams.labels)
        if self.tokenizer_json is not None:
            checkpoint["tokenizer_json"] = self.tokenizer_json

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self.tokenizer_json = checkpoint.get("tokenizer_json", self.tokenizer_json)


def build_agreement_task(cfg: DictConfig, run: RunContext, spec: AgreementSpec) -> TaskParts:
    """Read the examples, build (or reuse) the vocabulary and label set, and the model."""
    opts: AgreementTaskOptions = run.options
    files, data = corpus_files(cfg.data, run.cache_dir)
    vocab = vocabulary_settings(data)
    examples = read_examples(files, spec, opts.format, vocab.get("encoding_errors", "strict"))
    if run.tokenizer_path.is_file():  # a resumed run keeps its vocabulary
        tok = load_tokenizer(run.tokenizer_path)
    else:  # the vocabulary of the training prefixes
        lowercase = vocab.get("lowercase", False)
        counts = count_words(examples["train"].prefixes, lowercase=lowercase)
        tok = build_tokenizer(
            counts, vocab.get("min_freq", 1), vocab.get("max_size"), lowercase=lowercase
        )
        save_tokenizer(tok, run.tokenizer_path)
    labels = label_set(examples["train"].labels, run.run_dir / "labels.json", spec.labels)
    label_ids = {label: i for i, label in enumerate(labels)}
    datasets, unseen = {}, {}
    for split in SPLITS:
        ex = examples[split]
        ids = [label_ids.get(label, IGNORE_INDEX) for label in ex.labels]  # unseen: always wrong
        unseen[split] = sum(1 for i in ids if i == IGNORE_INDEX)
        datasets[split] = SentenceDataset(encode_sentences(ex.prefixes, tok), labels=ids)
    pad_id = tok.token_to_id(PAD)
    module = PrefixClassifier(
        tok.get_vocab_size(), labels, cfg.encoder, cfg.optim, pad_id, spec.name, options=opts
    )
    module.tokenizer_json = tok.to_str()
    module.breakdowns = {
        prefix: breakdowns(examples[split].meta, opts.breakdowns)
        for split, prefix in EVAL_SPLITS.items()
    }
    datamodule = SentenceDataModule(
        datasets,
        pad_id=pad_id,
        batch_size=opts.batch_size,
        eval_batch_size=opts.eval_batch_size,
        batch_first=module.batch_first,
        bucket=opts.bucket,
        seed=run.seed,
        num_workers=opts.num_workers,
    )
    summary = task_summary(files.name, tok.get_vocab_size(), labels, datasets, unseen)
    kwargs = SentenceDataModule.trainer_kwargs
    return TaskParts(module, datamodule, "val/acc", "max", kwargs, summary)


def task_summary(corpus: str, vocab_size: int, labels: list, datasets: dict, unseen: dict) -> dict:
    """Printed at the start and kept in metrics.json (``data/...``)."""
    train_ids = datasets["train"].labels
    majority = int(np.bincount(train_ids[train_ids >= 0], minlength=len(labels)).argmax())
    summary = {
        "corpus": corpus,
        "vocab_size": vocab_size,
        "labels": len(labels),
        **{f"{s}_examples": len(ds) for s, ds in datasets.items()},
        "test_majority_acc": round(float(np.mean(datasets["test"].labels == majority)), 4),
    }
    if unseen["valid"] or unseen["test"]:
        summary["unseen_label_examples"] = unseen["valid"] + unseen["test"]
    return summary
