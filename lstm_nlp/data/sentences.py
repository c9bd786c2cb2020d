"""Sentence-level batching: variable-length token-id sequences in padded batches.

For tasks that see one sentence at a time (tagging, sentence classification,
agreement probes), unlike the contiguous LM streams of :mod:`lstm_nlp.data.lm_stream`.

- :class:`SentenceDataset`: token-id sequences (stored flat), with optional per-token
  labels (``token_labels``, same length as the sequence) and/or one label per
  sequence (``labels``);
- :class:`SentenceCollator`: pads a list of items into a :class:`PaddedBatch`,
  time-major ``(seq, batch)`` by default or ``(batch, seq)`` with ``batch_first``;
  ``lengths`` stays on the CPU even when Lightning moves the batch to a GPU
  (``pack_padded_sequence`` wants it there);
- :class:`BucketBatchSampler`: batches of similar lengths (less padding), reshuffled
  each epoch from ``(seed, epoch)``, optionally sharded across DDP ranks
  (:class:`EpochShuffle` is its seeded per-epoch permutation);
- :class:`SentenceDataModule`: the three above as a LightningDataModule over
  ``train``/``valid``/``test`` datasets; pass ``SentenceDataModule.trainer_kwargs``
  on to ``TaskParts`` (it does its own DDP sharding).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

import lightning.pytorch as pl
import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, Sampler

from lstm_nlp.data.resumable import own_generator, resumable_loader
from lstm_nlp.errors import ConfigError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

IGNORE_INDEX = -100  # torch.nn.functional.cross_entropy's default ignore_index


def encode_sentences(lines: Sequence[str], tokenizer: Tokenizer) -> list[np.ndarray]:
    """Ids of each line's whitespace tokens, exactly one id per token (no ``<eos>``).

    Words go to the tokenizer pre-split, so ``len(ids) == len(line.split())`` always holds,
    whatever the tokenizer's pre-tokenizer considers whitespace.
    """
    words = [line.split() for line in lines]
    encs = tokenizer.encode_batch_fast(words, is_pretokenized=True, add_special_tokens=False)
    return [np.asarray(e.ids, dtype=np.int64) for e in encs]


class Sentence(NamedTuple):
    index: int  # position in the dataset
    ids: np.ndarray
    token_labels: np.ndarray | None
    label: int | None


class SentenceDataset(Dataset):
    """Variable-length token-id sequences with optional per-token and per-sequence labels.

    ``sequences``: iterables of ints, each non-empty; ``token_labels``: one int sequence
    per sequence, of the same length; ``labels``: one int per sequence.
    """

    def __init__(
        self,
        sequences: Sequence[Sequence[int]],
        token_labels: Sequence[Sequence[int]] | None = None,
        labels: Sequence[int] | None = None,
    ) -> None:
        seqs = [np.asarray(s, dtype=np.int64).reshape(-1) for s in sequences]
        self.lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        empty = np.flatnonzero(self.lengths == 0)
        if len(empty):
            raise ValueError(
                f"sequence {int(empty[0])} is empty; drop empty sentences before batching"
            )
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.ids = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64)
        self.token_labels = None
        if token_labels is not None:
            tl = [np.asarray(t, dtype=np.int64).reshape(-1) for t in token_labels]
            if len(tl) != len(seqs):
                raise ValueError(f"{len(tl)} token-label sequences for {len(seqs)} sequences")
            bad = next((i for i, (t, n) in enumerate(zip(tl, self.lengths)) if len(t) != n), None)
            if bad is not None:
                raise ValueError(
                    f"sequence {bad} has {self.lengths[bad]} tokens but {len(tl[bad])} token labels"
                )
            self.token_labels = np.concatenate(tl) if tl else np.zeros(0, dtype=np.int64)
        self.labels = None
        if labels is not None:
            self.labels = np.asarray(labels, dtype=np.int64).reshape(-1)
            if len(self.labels) != len(seqs):
                raise ValueError(f"{len(self.labels)} labels for {len(seqs)} sequences")

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> Sentence:
        i = int(i)
        if i < 0:
            i += len(self)
        a, b = self.offsets[i], self.offsets[i + 1]
        tl = None if self.token_labels is None else self.token_labels[a:b]
        label = None if self.labels is None else int(self.labels[i])
        return Sentence(i, self.ids[a:b], tl, label)

    @property
    def num_tokens(self) -> int:
        return int(self.lengths.sum())


@dataclass
class PaddedBatch:
    """A padded batch; ``tokens`` and ``token_labels`` share one layout, ``(seq, batch)`` unless
    ``batch_first``."""

    tokens: Tensor  # int64, padded with the collator's pad_id
    lengths: Tensor  # int64 (batch,), always on the CPU
    index: Tensor  # int64 (batch,), dataset positions of the rows (batches are reordered by length)
    token_labels: Tensor | None = (
        None  # int64, padded with label_pad_id (-100: ignored by cross_entropy)
    )
    labels: Tensor | None = None  # int64 (batch,)
    batch_first: bool = False

    def to(self, device: torch.device | str, non_blocking: bool = False) -> PaddedBatch:
        """Move everything but ``lengths`` (Lightning calls this to move a batch)."""
        move = lambda t: None if t is None else t.to(device, non_blocking=non_blocking)  # noqa: E731
        return replace(
            self,
            tokens=move(self.tokens),
            token_labels=move(self.token_labels),
            labels=move(self.labels),
            index=move(self.index),
        )

    def pin_memory(self) -> PaddedBatch:
        pin = lambda t: None if t is None else t.pin_memory()  # noqa: E731
        return replace(
            self,
            tokens=pin(self.tokens),
            token_labels=pin(self.token_labels),
            labels=pin(self.labels),
        )

    @property
    def batch_size(self) -> int:
        return int(self.lengths.numel())

    @property
    def num_tokens(self) -> int:
        return int(self.lengths.sum())

    def __len__(self) -> int:
        return self.batch_size

    def mask(self) -> Tensor:
        """Bool tensor shaped like ``tokens``, True at real (non-padding) positions, on ``tokens``'
        device."""
        time_dim = 1 if self.batch_first else 0
        steps = torch.arange(self.tokens.size(time_dim), device=self.tokens.device)
        lengths = self.lengths.to(self.tokens.device)
        return (
            steps[None, :] < lengths[:, None]
            if self.batch_first
            else steps[:, None] < lengths[None, :]
        )


class SentenceCollator:
    """``collate_fn`` turning :class:`Sentence` items into a :class:`PaddedBatch` (picklable for
    workers)."""

    def __init__(
        self, pad_id: int, label_pad_id: int = IGNORE_INDEX, batch_first: bool = False
    ) -> None:
        self.pad_id, self.label_pad_id, self.batch_first = (
            int(pad_id),
            int(label_pad_id),
            bool(batch_first),
        )

    def _pad(self, rows: list[np.ndarray], lengths: np.ndarray, value: int) -> Tensor:
        out = np.full((len(rows), int(lengths.max())), value, dtype=np.int64)
        for r, row in enumerate(rows):
            out[r, : len(row)] = row
        t = torch.from_numpy(out)
        return t if self.batch_first else t.t().contiguous()

    def __call__(self, items: Sequence[Sentence]) -> PaddedBatch:
        if not items:
            raise ValueError("cannot collate an empty batch")
        lengths = np.array([len(it.ids) for it in items], dtype=np.int64)
        token_labels = labels = None
        if items[0].token_labels is not None:
            token_labels = self._pad([it.token_labels for it in items], lengths, self.label_pad_id)
        if items[0].label is not None:
            labels = torch.tensor([it.label for it in items], dtype=torch.int64)
        return PaddedBatch(
            tokens=self._pad([it.ids for it in items], lengths, self.pad_id),
            lengths=torch.from_numpy(lengths),
            index=torch.tensor([it.index for it in items], dtype=torch.int64),
            token_labels=token_labels,
            labels=labels,
            batch_first=self.batch_first,
        )


def collate_sentences(
    items: Sequence[Sentence],
    pad_id: int,
    label_pad_id: int = IGNORE_INDEX,
    batch_first: bool = False,
) -> PaddedBatch:
    return SentenceCollator(pad_id, label_pad_id, batch_first)(items)


class EpochShuffle(Sampler[int]):
    """The indices ``0..n-1``, permuted by ``np.random.default_rng([seed, epoch])`` when
    ``shuffle``."""

    def __init__(self, n: int, shuffle: bool = True, seed: int = 0) -> None:
        self.n, self.shuffle, self.seed, self.epoch = int(n), shuffle, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def order(self) -> np.ndarray:
        return (
            np.random.default_rng([self.seed, self.epoch]).permutation(self.n)
            if self.shuffle
            else np.arange(self.n)
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self.order().tolist())

    def __len__(self) -> int:
        return self.n


class BucketBatchSampler(Sampler[list[int]]):
    """Index batches for a DataLoader's ``batch_sampler``, optionally grouped by length.

    With ``shuffle``, each epoch permutes the indices with ``np.random.default_rng([seed, epoch])``
    (:meth:`set_epoch`; Lightning calls ``batch_sampler.sampler.set_epoch`` before each epoch,
    which is this sampler's :class:`EpochShuffle`); with ``bucket``, each pool of
    ``pool_size`` batches' worth of indices is sorted by length before it is cut into
    batches, and the batches are then shuffled, so a batch holds sentences of similar
    length but the order stays random.  Without ``shuffle``, ``bucket`` sorts the whole
    dataset by length (deterministic, least padding: for evaluation).

    ``num_replicas``/``rank`` shard the batches across DDP processes (every rank builds
    the same list and takes every ``num_replicas``-th batch); ``equal_shards`` drops the
    last few batches so every rank gets as many (training under DDP must).
    """

    def __init__(
        self,
        lengths: Sequence[int] | np.ndarray,
        batch_size: int,
        *,
        shuffle: bool = True,
        bucket: bool = True,
        pool_size: int = 50,
        seed: int = 0,
        num_replicas: int = 1,
        rank: int = 0,
        equal_shards: bool = False,
    ) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"batch size must be an integer >= 1, got {batch_size!r}")
        if not isinstance(pool_size, int) or pool_size < 1:
            raise ConfigError(f"bucket pool size must be an integer >= 1, got {pool_size!r}")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"rank {rank} is not in [0, {num_replicas})")
        self.lengths = np.asarray(lengths, dtype=np.int64)
        self.sampler = EpochShuffle(len(self.lengths), shuffle, seed)
        self.batch_size, self.shuffle, self.bucket, self.pool_size = (
            batch_size,
            shuffle,
            bucket,
            pool_size,
        )
        self.seed, self.num_replicas, self.rank, self.equal_shards = (
            seed,
            num_replicas,
            rank,
            equal_shards,
        )

    @property
    def epoch(self) -> int:
        return self.sampler.epoch

    def set_epoch(self, epoch: int) -> None:
        self.sampler.set_epoch(epoch)

    def batches(self) -> list[np.ndarray]:
        """Every rank's batches of this epoch, in order (before sharding)."""
        n, bs = len(self.lengths), self.batch_size
        order = self.sampler.order()
        if self.bucket and n:
            pool = bs * self.pool_size if self.shuffle else n
            order = np.concatenate(
                [
                    chunk[np.argsort(self.lengths[chunk], kind="stable")]
                    for chunk in np.split(order, range(pool, n, pool))
                ]
            )
        batches = [order[i : i + bs] for i in range(0, n, bs)]
        if (
            self.shuffle and self.bucket
        ):  # else the order is already random, or meant to be sequential
            perm = np.random.default_rng([self.seed, self.epoch, 1]).permutation(len(batches))
            batches = [batches[i] for i in perm]
        return batches

    def _shard_count(self, n_batches: int) -> int:
        if self.equal_shards:
            return n_batches // self.num_replicas
        return len(range(self.rank, n_batches, self.num_replicas))

    def __iter__(self) -> Iterator[list[int]]:
        batches = self.batches()
        mine = batches[self.rank :: self.num_replicas][: self._shard_count(len(batches))]
        return iter([b.tolist() for b in mine])

    def __len__(self) -> int:
        return self._shard_count(-(-len(self.lengths) // self.batch_size))


class SentenceDataModule(pl.LightningDataModule):
    """Padded, length-bucketed sentence batches for the ``train``/``valid``/``test`` datasets given.

    Training batches are shuffled each epoch (seeded); evaluation batches are sorted by
    length.  Under DDP each rank takes its share of the batches itself, so a task must
    return ``TaskParts(..., trainer_kwargs=SentenceDataModule.trainer_kwargs)``.
    """

    trainer_kwargs = {"use_distributed_sampler": False}

    def __init__(
        self,
        datasets: dict[str, SentenceDataset],
        *,
        pad_id: int,
        batch_size: int,
        eval_batch_size: int | None = None,
        label_pad_id: int = IGNORE_INDEX,
        batch_first: bool = False,
        bucket: bool = True,
        pool_size: int = 50,
        seed: int = 0,
        num_workers: int = 0,
    ) -> None:
        super().__init__()
        eval_batch_size = batch_size if eval_batch_size is None else eval_batch_size
        for key, value in (("batch_size", batch_size), ("eval_batch_size", eval_batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"task.{key} must be an integer >= 1, got {value!r}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ConfigError(f"task.num_workers must be an integer >= 0, got {num_workers!r}")
        self.datasets = datasets
        self.collator = SentenceCollator(pad_id, label_pad_id, batch_first)
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.bucket, self.pool_size, self.seed, self.num_workers = (
            bucket,
            pool_size,
            seed,
            num_workers,
        )

    def _loader(self, split: str, train: bool) -> DataLoader:
        if split not in self.datasets:
            raise ConfigError(f"no {split!r} split to load (splits: {', '.join(self.datasets)})")
        rank, world = 0, 1
        if self.trainer is not None:
            rank, world = self.trainer.global_rank, self.trainer.world_size
        ds = self.datasets[split]
        sampler = BucketBatchSampler(
            ds.lengths,
            self.batch_size if train else self.shared_batch_size(split, world),
            shuffle=train,
            bucket=self.bucket,
            pool_size=self.pool_size,
            seed=self.seed,
            num_replicas=world,
            rank=rank,
            equal_shards=train,
        )
        kwargs = dict(
            collate_fn=self.collator,
            num_workers=self.num_workers,
            persistent_workers=self.num_workers > 0,
            generator=own_generator(self.seed),
        )
        if train:
            return resumable_loader(self.trainer, ds, sampler, batched=True, **kwargs)
        return DataLoader(ds, batch_sampler=sampler, **kwargs)

    def shared_batch_size(self, split: str, world: int) -> int:
        """``eval_batch_size``, or smaller so that each of ``world`` processes gets at least one
        batch of a small evaluation split (the accuracy is summed over the processes, so it is
        the same whatever the batch size)."""
        n = len(self.datasets[split])
        if n < world:
            raise ConfigError(
                f"the {split} split has {n} example(s), fewer than the {world} processes that "
                "evaluate it: use more data or fewer processes"
            )
        if -(-n // self.eval_batch_size) >= world:  # enough batches as they are
            return self.eval_batch_size
        return max(1, n // world)

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", train=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("valid", train=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", train=False)
