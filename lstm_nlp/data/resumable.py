"""Resuming an epoch where it stopped: the data position travels in checkpoints.

Every lstm-nlp training loader serves its batches in an order fixed by ``(seed, epoch)``
(:class:`~lstm_nlp.data.lm_datamodule.EpochWindows`, the sentence tasks'
``BucketBatchSampler``), so "where the run stopped" is two numbers: the epoch and how many
batches of it were trained.  The training loader, a :class:`ResumableLoader`, writes them into
every checkpoint (Lightning stores the state of a loader that has ``state_dict``) and, when a
run resumes from a checkpoint saved in the middle of an epoch, :class:`SkipTrained` makes its
first pass start after those batches — so the resumed run sees exactly the batches the
uninterrupted run would have seen, instead of repeating the epoch from its start.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

if TYPE_CHECKING:
    import lightning.pytorch as pl

POSITION_KEY = "lstm_nlp_position"


class SkipTrained(Sampler):
    """Wraps an epoch-ordered sampler; after :meth:`resume_at`, its next pass over the saved
    epoch skips the batches already trained.  ``set_epoch`` and ``len`` pass through."""

    def __init__(self, inner: Sampler) -> None:
        self.inner = inner
        self.pending: tuple[int, int] | None = None  # (epoch, batches already trained)
        self.epoch = 0

    @property
    def sampler(self) -> SkipTrained:
        """Lightning sets a batch sampler's epoch through its ``sampler`` attribute: this one."""
        return self

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if hasattr(self.inner, "set_epoch"):
            self.inner.set_epoch(epoch)

    def resume_at(self, epoch: int, trained: int) -> None:
        self.pending = (epoch, trained)

    def __iter__(self) -> Iterator[Any]:
        # a generator: the skip is decided at the first batch, after Lightning has called set_epoch
        skip = 0
        if self.pending is not None:
            epoch, trained = self.pending
            self.pending = None
            skip = trained if epoch == self.epoch else 0
        yield from islice(iter(self.inner), skip, None)

    def __len__(self) -> int:
        return len(self.inner)


class ResumableLoader(DataLoader):
    """A training loader that Lightning saves and restores with the loop state (it has
    ``state_dict``/``load_state_dict``); the position comes from the trainer's own count of
    trained batches, which stays right with worker processes that fetch ahead."""

    trainer = None  # set by resumable_loader

    def _skipper(self) -> SkipTrained:
        return self.sampler if isinstance(self.sampler, SkipTrained) else self.batch_sampler

    def state_dict(self) -> dict[str, Any]:
        trainer = self.trainer
        if trainer is None or trainer.state.fn != "fit":
            return {}
        progress = trainer.fit_loop.epoch_loop.batch_progress.current
        return {
            POSITION_KEY: {"epoch": int(trainer.current_epoch), "batches": int(progress.processed)}
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        position = state_dict.get(POSITION_KEY)
        if position:
            self._skipper().resume_at(int(position["epoch"]), int(position["batches"]))


def own_generator(seed: int) -> torch.Generator:
    """A generator for a DataLoader's own draws (its workers' base seed): without one, making an
    iterator draws from torch's global generator, which dropout uses — and a resumed run makes
    its iterators at other moments than an uninterrupted one."""
    return torch.Generator().manual_seed(int(seed))


def resumable_loader(
    trainer: pl.Trainer | None, dataset: Dataset, sampler: Sampler, batched: bool, **kwargs
) -> ResumableLoader:
    """A :class:`ResumableLoader` over ``dataset`` in ``sampler``'s order: ``batched`` when the
    sampler yields lists of indices (a batch sampler), else one index per batch
    (``batch_size=None``)."""
    if batched:
        loader = ResumableLoader(dataset, batch_sampler=SkipTrained(sampler), **kwargs)
    else:
        loader = ResumableLoader(dataset, batch_size=None, sampler=SkipTrained(sampler), **kwargs)
    loader.trainer = trainer
    return loader
