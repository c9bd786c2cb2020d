"""Large CPU buffers kept from one training step to the next.

A tensor above glibc's largest reuse threshold (32 MiB) is mapped fresh from the kernel when
it is made and unmapped when it dies, so writing it costs a page fault per 4 KiB: at
WikiText-2 scale (33,278 x 650) a fresh fp32 gradient costs ~30 ms before any arithmetic.
The output layer, its loss and the embedding's gradient therefore take their big buffers from
:data:`POOL`:

* ``take`` hands out a flat buffer for the time between a forward and its backward, and
  ``give`` puts it back;
* ``lend`` is for a tensor handed on for good, such as a gradient that autograd stores as
  ``param.grad``: the pool keeps only an alias of its memory and hands that memory out again
  once nobody else holds it (after ``optimizer.zero_grad()`` set the gradient to ``None``).

A buffer is handed out only while the pool's own reference is the only one to its memory, so
a caller that keeps a gradient (or a view of a buffer) never sees it overwritten.
"""

from __future__ import annotations

import threading

import torch
from torch import Tensor

KEEP = 4  # buffers kept per (dtype, device): the largest ones
SMALL = 1 << 20  # elements: below this malloc reuses memory by itself, so the pool stays out


def _storage_refs(tensor: Tensor) -> int | None:
    """Strong references to ``tensor``'s memory (None where this torch cannot say)."""
    count = getattr(torch._C, "_storage_Use_Count", None)
    return None if count is None else count(tensor.untyped_storage()._cdata)


_ALONE = _storage_refs(torch.empty(1))  # one tensor holding its memory, as this count reads it


def _only_ours(buf: Tensor) -> bool:
    return _ALONE is not None and _storage_refs(buf) == _ALONE


class BufferPool:
    """Flat buffers reused across steps (see the module's doc)."""

    def __init__(self, keep: int = KEEP, small: int = SMALL) -> None:
        self._free: dict[tuple, list[Tensor]] = {}
        self._keep, self.small = keep, small
        self._lock = threading.Lock()

    def pays(self, numel: int) -> bool:
        """Whether a buffer of ``numel`` elements is worth pooling (else a plain allocation is
        as fast, without the pool's bookkeeping)."""
        return numel >= self.small

    def take(self, numel: int, like: Tensor, dtype: torch.dtype | None = None) -> Tensor:
        """A 1-D buffer of ``numel`` elements of ``dtype`` (default ``like``'s) on ``like``'s
        device; its contents are undefined."""
        dtype = like.dtype if dtype is None else dtype
        if not self.pays(numel):
            return torch.empty(numel, dtype=dtype, device=like.device)
        with self._lock:
            free = self._free.get((dtype, like.device), [])
            for i, buf in enumerate(free):  # smallest first
                if buf.numel() >= numel and _only_ours(buf):
                    return free.pop(i)[:numel]
        return torch.empty(numel, dtype=dtype, device=like.device)

    def give(self, buf: Tensor) -> None:
        """Put back a buffer from :meth:`take`. Views of it may still be alive: the memory is
        handed out again only once they are gone."""
        self._keep_alias(buf)

    def lend(self, tensor: Tensor) -> Tensor:
        """Return ``tensor`` (made in a :meth:`take` buffer) to be handed on for good, keeping
        an alias of its memory to reuse once nobody else holds it. The alias is no view of
        ``tensor``, so autograd may store ``tensor`` itself as a ``.grad``."""
        self._keep_alias(tensor)
        return tensor

    def clear(self) -> None:
        """Drop every kept buffer (its memory goes back to the system once unused)."""
        with self._lock:
            self._free.clear()

    def _keep_alias(self, tensor: Tensor) -> None:
        if not self.pays(tensor.numel()):
            return
        # the pool's own flat tensor over the memory: a normal tensor even when ``tensor`` was
        # made under inference mode, so evaluation's buffers may serve training and back
        storage = tensor.untyped_storage()
        with torch.inference_mode(False):
            alias = torch.empty(0, dtype=tensor.dtype, device=tensor.device)
            alias.set_(storage, 0, (storage.nbytes() // tensor.element_size(),), (1,))
        with self._lock:
            free = self._free.setdefault((alias.dtype, alias.device), [])
            free.append(alias)
            free.sort(key=Tensor.numel)
            del free[: -self._keep]


POOL = BufferPool()
