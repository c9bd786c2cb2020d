"""Training tokens and training time: what tokens/s is computed from (the progress bar, the
progress lines of a log file, the logged ``train/tokens_per_s``, the epoch line).

- :func:`batch_tokens`: the tokens of a training batch (a padded batch's real ones);
- :class:`TokenRate`: tokens per second of training time, paused during validation;
- :class:`TrainingTokens`: a callback keeping a :class:`TokenRate` of the training batches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import lightning.pytorch as pl


def batch_tokens(batch: Any) -> int:
    """Tokens in a training batch: a padded batch's real tokens, else the input tensor's size."""
    if hasattr(batch, "num_tokens"):
        return int(batch.num_tokens)
    first = batch[0] if isinstance(batch, (tuple, list)) and batch else batch
    return int(first.numel()) if hasattr(first, "numel") else 0


class TokenRate:
    """Tokens per second of training time; ``clock`` is injectable (tests use a fake one)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.tokens, self._spent, self._since = 0, 0.0, None

    def start(self) -> None:
        """A new epoch: count from zero, the clock running."""
        self.tokens, self._spent, self._since = 0, 0.0, self.clock()

    def pause(self) -> None:
        if self._since is not None:
            self._spent += self.clock() - self._since
            self._since = None

    def resume(self) -> None:
        if self._since is None:
            self._since = self.clock()

    def add(self, tokens: int) -> None:
        self.tokens += tokens

    def elapsed(self) -> float:
        return self._spent + (self.clock() - self._since if self._since is not None else 0.0)

    def rate(self) -> float | None:
        """Tokens per second so far this epoch (None before the first batch)."""
        seconds = self.elapsed()
        return self.tokens / seconds if self.tokens and seconds > 0 else None


class TrainingTokens(pl.Callback):
    """A callback counting the training tokens (all ranks) and the training time since
    :meth:`restart` (each epoch restarts it; validation does not count): ``self.tokens``."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__()
        self.tokens = TokenRate(clock)

    def restart(self) -> None:
        """Count from zero, the clock running."""
        self.tokens.start()

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.restart()

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        self.tokens.add(batch_tokens(batch) * trainer.world_size)

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.tokens.pause()

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.state.fn == "fit" and not trainer.sanity_checking:
            self.tokens.resume()
