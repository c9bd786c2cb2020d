"""Contiguous-stream batching for truncated back-propagation through time.

``batchify`` cuts a token stream into ``batch_size`` parallel columns, as
pytorch/examples' word_language_model does, so that row ``t+1`` of a column follows
row ``t``; :class:`BPTTBatches` then serves consecutive windows of ``bptt`` rows, so
the hidden state of one batch is the right initial state of the next.
"""

from __future__ import annotations


import numpy as np
import torch
from torch.utils.data import Dataset

from lstm_nlp.errors import ConfigError


def shard(stream: np.ndarray, rank: int, world_size: int) -> np.ndarray:
    """The ``rank``-th of ``world_size`` equal contiguous slices of ``stream`` (the tail is dropped)."""
    size = len(stream) // world_size
    return stream[rank * size : (rank + 1) * size]


def batchify(stream: np.ndarray | torch.Tensor, batch_size: int, split: str = "the",
             key: str = "task.batch_size") -> torch.Tensor:
    """Shape ``(n_rows, batch_size)``: column ``j`` is the ``j``-th contiguous slice of the stream."""
    data = torch.as_tensor(np.asarray(stream))
    n_rows = data.numel() // batch_size
    if n_rows < 2:
        raise ConfigError(
            f"{split} split has {data.numel()} tokens (per process), too few for {key}={batch_size}: "
            f"lower {key} or use more data"
        )
    return data[: n_rows * batch_size].view(batch_size, n_rows).t().contiguous()


def window_lengths(n_rows: int, bptt: int, variable: bool, rng: np.random.Generator | None) -> list[int]:
    """BPTT window lengths covering ``n_rows - 1`` steps.

    With ``variable`` (Merity et al. 2017), each window is ``bptt`` with probability
    0.95 else ``bptt/2``, then jittered by a normal of std 5, never below 5.
    """
    lengths, pos = [], 0
    while pos < n_rows - 1:
        seq = bptt
        if variable and rng is not None:
            base = bptt if rng.random() < 0.95 else bptt / 2
            seq = max(5, int(rng.normal(base, 5)))
        seq = min(seq, n_rows - 1 - pos)
        lengths.append(seq)
        pos += seq
    return lengths


class BPTTBatches(Dataset):
    """Consecutive ``(input, target)`` windows of a batchified stream; ``target`` is shifted by one.

    Indexable (for Lightning's loops), served in order with ``batch_size=None``.
    Call :meth:`set_epoch` to redraw variable window lengths (seeded by epoch).
    """

    def __init__(self, data: torch.Tensor, bptt: int, variable: bool = False, seed: int = 0) -> None:
        if bptt < 1:
            raise ConfigError(f"task.bptt must be >= 1, got {bptt}")
        self.data, self.bptt, self.variable, self.seed = data, bptt, variable, seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        rng = np.random.default_rng([self.seed, epoch]) if self.variable else None
        lengths = window_lengths(self.data.size(0), self.bptt, self.variable, rng)
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.lengths = lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        start, seq = int(self.starts[i]), self.lengths[i]
        inputs = self.data[start : start + seq].long()
        targets = self.data[start + 1 : start + 1 + seq].long()
        return inputs, targets

    @property
    def n_tokens(self) -> int:
        return int(sum(self.lengths)) * self.data.size(1)


