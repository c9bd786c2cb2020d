"""Token-id files: ``.npy`` arrays of int32 written piece by piece and read memory-mapped.

:class:`IdWriter` appends ids as they are made and writes the array's length into the
header when it is closed, so a stream of any size is written without being held in
memory.  :func:`open_ids` maps a file read-only: pages are read on demand and shared
through the page cache by every process on the machine that maps the same file
(DataLoader workers, DDP ranks).
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import numpy as np

DTYPE = np.dtype("<i4")
_MAGIC = b"\x93NUMPY\x01\x00"
HEADER_BYTES = 128  # room for any length; a multiple of 64 as the format asks
SPILL_IDS = 1 << 24  # ids (64 MiB) that SpillingIds keeps in memory


def _header(length: int) -> bytes:
    text = f"{{'descr': '<i4', 'fortran_order': False, 'shape': ({length:d},), }}"
    text = text.ljust(HEADER_BYTES - len(_MAGIC) - 2 - 1) + "\n"
    return _MAGIC + struct.pack("<H", len(text)) + text.encode("latin1")


class IdWriter:
    """Write int32 ids to a ``.npy`` file in pieces: ``with IdWriter(path) as w: w.write(ids)``."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path, self.length = Path(path), 0
        self._file = open(self.path, "wb")
        self._file.write(_header(0))

    def write(self, ids: np.ndarray) -> None:
        self._file.write(np.ascontiguousarray(ids, dtype=DTYPE).data)
        self.length += len(ids)

    def close(self) -> None:
        if not self._file.closed:
            self._file.seek(0)
            self._file.write(_header(self.length))
            self._file.close()

    def __enter__(self) -> IdWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._file.close()


class SpillingIds:
    """Ids written in pieces and read back once: kept in memory up to ``limit`` ids, beyond
    that moved to a temporary ``.npy`` file in ``folder`` (removed by :meth:`close`)."""

    def __init__(self, folder: str | os.PathLike | None = None, limit: int | None = None) -> None:
        self.folder, self.limit = folder, SPILL_IDS if limit is None else limit
        self.parts: list[np.ndarray] = []
        self.length = 0
        self._writer: IdWriter | None = None

    def write(self, ids: np.ndarray) -> None:
        if self._writer is None and self.length + len(ids) > self.limit:
            fd, name = tempfile.mkstemp(prefix=".ids-", suffix=".npy", dir=self.folder)
            os.close(fd)
            self._writer = IdWriter(name)
            for part in self.parts:
                self._writer.write(part)
            self.parts = []
        if self._writer is not None:
            self._writer.write(ids)
        else:
            self.parts.append(np.asarray(ids, dtype=DTYPE))
        self.length += len(ids)

    def blocks(self) -> Iterator[np.ndarray]:
        """The ids written, in order, a block at a time."""
        if self._writer is None:
            yield from self.parts
            return
        self._writer.close()
        yield from iter_blocks(open_ids(self._writer.path))

    def close(self) -> None:
        self.parts = []
        if self._writer is not None:
            self._writer.close()
            self._writer.path.unlink(missing_ok=True)

    def __enter__(self) -> SpillingIds:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_ids(path: str | os.PathLike) -> np.ndarray:
    """The ids of ``path``, memory-mapped read-only; ``ValueError`` if it is not a 1-d int32
    array."""
    ids = np.load(path, mmap_mode="r", allow_pickle=False)
    if ids.dtype != DTYPE or ids.ndim != 1:
        raise ValueError(f"{path}: not a 1-d int32 array")
    return ids


def iter_blocks(ids: np.ndarray, block: int = 1 << 22) -> Iterator[np.ndarray]:
    """``ids`` in consecutive pieces of ``block``; a mapped file is read with plain reads, so
    that its pages are not left mapped (resident) in this process."""
    name = mapped_file(ids)
    if name is None:
        for start in range(0, len(ids), block):
            yield np.asarray(ids[start : start + block])
        return
    buf = np.empty(min(block, len(ids)), dtype=DTYPE)
    with open(name, "rb") as f:
        f.seek(ids.offset)
        for start in range(0, len(ids), block):
            n = min(block, len(ids) - start)
            got = f.readinto(memoryview(buf[:n]).cast("B"))
            if got != n * DTYPE.itemsize:
                raise OSError(f"{name}: short read ({got} of {n * DTYPE.itemsize} bytes)")
            yield buf[:n]


def mapped_file(ids: np.ndarray) -> str | None:
    """The ``.npy`` file that ``ids`` maps whole (as :func:`open_ids` returned it), else
    ``None``."""
    name = getattr(ids, "filename", None)
    if not isinstance(ids, np.memmap) or name is None or not ids.flags.c_contiguous:
        return None
    try:
        whole = open_ids(name)
    except (OSError, ValueError, EOFError):
        return None
    same = whole.shape == ids.shape and whole.offset == ids.offset
    return name if same else None
