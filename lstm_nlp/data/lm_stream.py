"""Contiguous-stream batching for truncated back-propagation through time.

``batchify`` cuts a token stream into ``batch_size`` parallel columns, as
pytorch/examples' word_language_model does, so that row ``t+1`` of a column follows
row ``t``; :class:`BPTTBatches` then serves consecutive windows of ``bptt`` rows, so
the hidden state of one batch is the right initial state of the next.

Nothing is copied up front: the columns are a strided view of the stream (a read-only
memory map of int32 ids, see :mod:`lstm_nlp.text.token_store`), and each window is made
as a small contiguous int64 tensor when it is asked for.  A corpus thus costs 4 bytes
per token, in the page cache that all processes mapping it share.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch.utils.data import Dataset

from lstm_nlp.errors import ConfigError


def shard(stream: np.ndarray, rank: int, world_size: int) -> np.ndarray:
    """The ``rank``-th of ``world_size`` equal contiguous slices of ``stream`` (the tail is
    dropped)."""
    size = len(stream) // world_size
    return stream[rank * size : (rank + 1) * size]


def as_tensor(stream: np.ndarray | torch.Tensor) -> torch.Tensor:
    """``stream`` as a tensor sharing its memory (a read-only map included: it is never written)."""
    if isinstance(stream, torch.Tensor):
        return stream
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(np.asarray(stream))


def batchify(
    stream: np.ndarray | torch.Tensor,
    batch_size: int,
    split: str = "the",
    key: str = "task.batch_size",
) -> torch.Tensor:
    """Shape ``(n_rows, batch_size)``: column ``j`` is the ``j``-th contiguous slice of the stream.

    A view of ``stream`` (no copy; not contiguous).
    """
    data = as_tensor(stream)
    n_rows = data.numel() // batch_size
    if n_rows < 2:
        raise ConfigError(
            f"{split} split has {data.numel()} tokens (per process), too few for "
            f"{key}={batch_size}: lower {key} or use more data"
        )
    return data[: n_rows * batch_size].view(batch_size, n_rows).t()


def window_lengths(
    n_rows: int, bptt: int, variable: bool, rng: np.random.Generator | None
) -> np.ndarray:
    """BPTT window lengths covering ``n_rows - 1`` steps.

    With ``variable`` (Merity et al. 2017), each window is ``bptt`` with probability
    0.95 else ``bptt/2``, then jittered by a normal of std 5, never below 5.
    """
    steps = max(n_rows - 1, 0)
    if not (variable and rng is not None):
        lengths = np.full(-(-steps // bptt), bptt, dtype=np.int64)
        if steps % bptt:
            lengths[-1] = steps % bptt
        return lengths
    lengths, pos = [], 0
    while pos < steps:
        base = bptt if rng.random() < 0.95 else bptt / 2
        seq = min(max(5, int(rng.normal(base, 5))), steps - pos)
        lengths.append(seq)
        pos += seq
    return np.array(lengths, dtype=np.int64)


class BPTTBatches(Dataset):
    """Consecutive ``(input, target)`` windows of a batchified stream; ``target`` is shifted by one.

    Indexable (for Lightning's loops), served in order with ``batch_size=None``.
    Call :meth:`set_epoch` to redraw variable window lengths (seeded by epoch).
    """

    def __init__(
        self, data: torch.Tensor, bptt: int, variable: bool = False, seed: int = 0
    ) -> None:
        if bptt < 1:
            raise ConfigError(f"task.bptt must be >= 1, got {bptt}")
        self.data, self.bptt, self.variable, self.seed = data, bptt, variable, seed
        self.set_epoch(0)

    def set_epoch(self, epoch: int) -> None:
        rng = np.random.default_rng([self.seed, epoch]) if self.variable else None
        self.lengths = window_lengths(
            self.data.size(0), self.bptt, self.variable, rng
        )  # int64, one per window
        self.starts = np.cumsum(self.lengths) - self.lengths

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        start, seq = int(self.starts[i]), int(self.lengths[i])
        rows = (
            self.data[start : start + seq + 1].to(torch.long, copy=True).contiguous()
        )  # never a view of the corpus
        return rows[:-1], rows[1:]

    @property
    def n_tokens(self) -> int:
        return int(self.lengths.sum()) * self.data.size(1)
