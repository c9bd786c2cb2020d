"""Seeded Zipfian and weighted sampling.

:class:`Zipf` ranks a word list by a seeded permutation and samples rank ``r`` (0-based)
with probability proportional to ``1 / (r + 1 + OFFSET) ** exponent``, so a corpus drawn from it
has a realistic frequency distribution.  Like Zipf-Mandelbrot, ranks are shifted by
``OFFSET`` so that the very first ranks of a small word class do not swamp it.  :class:`Weighted`
samples fixed weights.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")
OFFSET = 2.0


class Weighted(Generic[T]):
    """Items with fixed relative weights; ``sample(rng)`` draws one."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if not items or len(items) != len(weights):
            raise ValueError("Weighted needs as many weights as items, and at least one item")
        self.items = tuple(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def sample(self, rng: random.Random) -> T:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]

    def __len__(self) -> int:
        return len(self.items)


class Zipf(Weighted[T]):
    """``items`` in a seeded random rank order, sampled with Zipfian weights; ``limit`` keeps the
    first ranks only, and the items ``keep`` accepts besides (after them, in their order)."""

    def __init__(
        self,
        items: Sequence[T],
        seed: str,
        exponent: float = 1.0,
        limit: int | None = None,
        keep: Callable[[T], bool] | None = None,
    ) -> None:
        ranked = list(items)
        random.Random(seed).shuffle(ranked)
        if limit:
            kept = [x for x in ranked[limit:] if keep and keep(x)]
            ranked = ranked[:limit] + kept
        super().__init__(
            ranked, [1.0 / (rank + 1 + OFFSET) ** exponent for rank in range(len(ranked))]
        )
