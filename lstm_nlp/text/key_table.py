"""A hash table from word keys (see :mod:`lstm_nlp.text.word_keys`) to ids, used on whole arrays.

Open addressing with linear probing; lookups and insertions handle every key of an
array in a few NumPy passes (one per probe step), so a chunk's words are numbered
without a Python step per word.  Entries are ``(key, ext1, ext2) -> id``; short words
have ``ext`` zero.  The table doubles whenever it would be more than a quarter full.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
LOAD = 4  # slots per key at least: few keys are ever displaced from their first slot


class KeyTable:
    """Word key -> id, for arrays of keys (``2**bits`` slots to start with)."""

    def __init__(self, bits: int = 18) -> None:
        self.count = 0
        self._alloc(bits)

    def _alloc(self, bits: int) -> None:
        size = 1 << bits
        self.bits, self.mask = bits, size - 1
        self.k0 = np.zeros(size, dtype=np.uint64)
        self.ext = np.zeros((size, 2), dtype=np.uint64)
        self.val = np.full(size, -1, dtype=np.int32)

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        slot = keys * _GOLDEN
        slot >>= np.uint64(64 - self.bits)
        return slot.view(np.int64)  # < 2**bits: the same value as a signed index

    def _ext_equal(self, pos: np.ndarray, ext: np.ndarray) -> np.ndarray:
        return (self.ext[pos, 0] == ext[:, 0]) & (self.ext[pos, 1] == ext[:, 1])

    def lookup(
        self, keys: np.ndarray, long: np.ndarray, ext: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """int32 id of each key (``-1`` where absent) and the indices of the absent keys;
        ``ext[i]`` belongs to ``keys[long[i]]``."""
        pos = self._slot(keys)
        ids = self.val[pos]
        hit = self.k0[pos] == keys
        if long.size:
            hit[long] &= self._ext_equal(pos[long], ext)
        probe = np.flatnonzero(~hit)
        if not probe.size:
            return ids, probe
        ids[probe] = -1
        held = self.val[pos[probe]] >= 0  # slot held by another key: look further
        absent = [probe[~held]]
        probe = probe[held]
        pos = pos[probe]
        row = np.searchsorted(long, probe)  # ext row of each probed key, where it is long
        is_long = row < len(long)
        is_long[is_long] = long[row[is_long]] == probe[is_long]
        while probe.size:
            pos = (pos + 1) & self.mask
            hit = self.k0[pos] == keys[probe]
            if is_long.any():
                hit[is_long] &= self._ext_equal(pos[is_long], ext[row[is_long]])
            v = self.val[pos]
            ids[probe[hit]] = v[hit]
            absent.append(probe[v < 0])
            go_on = ~hit & (v >= 0)
            probe, pos, row, is_long = probe[go_on], pos[go_on], row[go_on], is_long[go_on]
        absent = np.concatenate(absent)
        absent.sort()
        return ids, absent

    def renumbered(self, new_ids: np.ndarray) -> KeyTable:
        """A copy whose ids are ``new_ids[id]``."""
        other = KeyTable.__new__(KeyTable)
        other.count, other.bits, other.mask = self.count, self.bits, self.mask
        other.k0, other.ext, other.val = self.k0.copy(), self.ext.copy(), self.val.copy()
        held = other.val >= 0
        other.val[held] = new_ids[other.val[held]]
        return other

    def insert(self, keys: np.ndarray, ext: np.ndarray, ids: np.ndarray) -> None:
        """Add distinct keys that are not in the table yet (``ext``: one row per key).

        Where keys compete for a slot the later one wins it: pass frequent keys last.
        """
        if (self.count + len(keys)) * LOAD > self.mask + 1:
            held = np.flatnonzero(self.val >= 0)
            held = held[
                np.argsort(-self.val[held], kind="stable")
            ]  # low ids (frequent, or met early) last
            old = self.k0[held], self.ext[held], self.val[held]
            bits = self.bits
            while (self.count + len(keys)) * LOAD > (1 << bits):
                bits += 1
            self._alloc(bits)
            self._place(*old)
        self._place(keys, ext, ids)
        self.count += len(keys)

    def _place(self, keys: np.ndarray, ext: np.ndarray, ids: np.ndarray) -> None:
        todo = np.arange(len(keys))
        pos = self._slot(keys)
        while todo.size:
            free = self.val[pos] < 0
            cand, slot = todo[free], pos[free]
            self.val[slot] = (
                cand  # where several want one slot, one of them (in practice the last) wins it
            )
            won = np.zeros(len(todo), dtype=bool)
            won[free] = self.val[slot] == cand
            slot = pos[won]
            self.k0[slot], self.ext[slot], self.val[slot] = (
                keys[todo[won]],
                ext[todo[won]],
                ids[todo[won]],
            )
            todo, pos = todo[~won], (pos[~won] + 1) & self.mask
