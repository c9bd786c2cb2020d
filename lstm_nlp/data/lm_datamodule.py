"""LightningDataModule for language modelling on contiguous token streams.

The streams are usually read-only memory maps of the token cache: every rank and
worker on a machine reads the same pages.  Pickled (``trainer.strategy=ddp_spawn``
sends the module to its processes), a stream that maps a whole cache file travels as
the file's name and is mapped again on arrival, not copied.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import lightning.pytorch as pl
import numpy as np
from torch.utils.data import DataLoader, Sampler

from lstm_nlp.data.lm_stream import BPTTBatches, batchify, shard
from lstm_nlp.data.resumable import own_generator, resumable_loader
from lstm_nlp.text.id_file import mapped_file, open_ids


@dataclass(frozen=True)
class MappedStream:
    """A stream in transit: the ``.npy`` file to map again."""

    path: str


class EpochWindows(Sampler[int]):
    """Serves the windows of a :class:`BPTTBatches` in order; Lightning calls ``set_epoch`` on it
    before every epoch (resumed runs too), which redraws variable BPTT lengths for that epoch."""

    def __init__(self, batches: BPTTBatches) -> None:
        self.batches = batches

    def set_epoch(self, epoch: int) -> None:
        self.batches.set_epoch(epoch)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.batches)))

    def __len__(self) -> int:
        return len(self.batches)


class LMStreamDataModule(pl.LightningDataModule):
    """Serves TBPTT windows; each DDP rank reads its own contiguous shard of every split."""

    def __init__(
        self,
        streams: dict[str, np.ndarray],
        batch_size: int,
        eval_batch_size: int,
        bptt: int,
        variable_bptt: bool = False,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.streams = streams
        self.batch_size, self.eval_batch_size = batch_size, eval_batch_size
        self.bptt, self.variable_bptt, self.seed = bptt, variable_bptt, seed
        self.datasets: dict[str, BPTTBatches] = {}

    def setup(self, stage: str | None = None) -> None:
        rank, world = 0, 1
        if self.trainer is not None:
            rank, world = self.trainer.global_rank, self.trainer.world_size
        for split, stream in self.streams.items():
            if split in self.datasets:
                continue
            train = split == "train"
            size, key = (
                (self.batch_size, "task.batch_size")
                if train
                else (self.eval_batch_size, "task.eval_batch_size")
            )
            data = batchify(shard(stream, rank, world), size, split=f"the {split}", key=key)
            # one seed for every rank: DDP ranks must draw the same window lengths, hence run
            # the same number of steps, or their gradient all-reduces never pair up (a hang)
            self.datasets[split] = BPTTBatches(
                data, self.bptt, variable=train and self.variable_bptt, seed=self.seed
            )

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["streams"] = {
            split: MappedStream(name) if (name := mapped_file(stream)) else stream
            for split, stream in self.streams.items()
        }
        state["datasets"] = {}  # views of the streams: setup() makes them again
        return state

    def __setstate__(self, state: dict) -> None:
        state["streams"] = {
            split: open_ids(s.path) if isinstance(s, MappedStream) else s
            for split, s in state["streams"].items()
        }
        self.__dict__.update(state)

    def _loader(self, split: str) -> DataLoader:
        data = self.datasets[split]
        if split == "train":
            # with variable BPTT the epoch's window count varies: Lightning reloads this loader
            # every epoch to know it
            if self.trainer is not None:
                data.set_epoch(self.trainer.current_epoch)
            return resumable_loader(
                self.trainer,
                data,
                EpochWindows(data),
                batched=False,
                generator=own_generator(self.seed),
            )
        return DataLoader(
            data,
            batch_size=None,
            sampler=EpochWindows(data),
            num_workers=0,
            generator=own_generator(self.seed),
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader("train")

    def val_dataloader(self) -> DataLoader:
        return self._loader("valid")

    def test_dataloader(self) -> DataLoader:
        return self._loader("test")
