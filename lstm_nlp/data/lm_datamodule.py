"""LightningDataModule for language modelling on contiguous token streams."""

from __future__ import annotations

import lightning.pytorch as pl
import numpy as np
from torch.utils.data import DataLoader

from lstm_nlp.data.lm_stream import BPTTBatches, batchify, shard


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
            data = batchify(shard(stream, rank, world), self.batch_size if train else self.eval_batch_size)
            self.datasets[split] = BPTTBatches(data, self.bptt, variable=train and self.variable_bptt,
                                               seed=self.seed + rank)

    def _loader(self, split: str) -> DataLoader:
        return DataLoader(self.datasets[split], batch_size=None, shuffle=False, num_workers=0)

    def train_dataloader(self) -> DataLoader:
        ds = self.datasets["train"]
        if self.trainer is not None:
            ds.set_epoch(self.trainer.current_epoch)
        return self._loader("train")

    def val_dataloader(self) -> DataLoader:
        return self._loader("valid")

    def test_dataloader(self) -> DataLoader:
        return self._loader("test")
