"""A token span: what the scorers run through a language model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A token sequence read from its first token; targets ``start <= t < stop`` are scored.

    Target ``t`` is ``ids[t + 1]`` given ``ids[: t + 1]``.
    """

    ids: tuple[int, ...]
    start: int
    stop: int

    @property
    def count(self) -> int:
        return self.stop - self.start
