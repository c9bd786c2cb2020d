"""What a person at a terminal sees while a run trains: a progress bar with tokens/s, a parameter
table; in a log file, one plain line at an interval instead of the bar.

- :class:`~lstm_nlp.training.tokens.TokenRate` counts the tokens of the training batches and
  the time spent training in the current epoch (validation excluded):
  ``rate() = tokens / seconds``.
- The progress bar is Lightning's :class:`RichProgressBar` when ``rich`` is installed,
  its :class:`TQDMProgressBar` otherwise, either showing ``tok/s`` beside the loss.
- :class:`ParameterSummary` prints the parameters per module down to ``max_depth``
  (embedding, encoder, decoder, ...), an LSTM's parameters split per layer (a stacked
  ``nn.LSTM`` is one module, its layers are not).  It is printed, not logged, so it
  shows whatever the logging configuration.

:func:`display_callbacks` turns the Trainer arguments ``enable_progress_bar`` and
``enable_model_summary`` (and ``progress_every_seconds``) into these callbacks.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

import lightning.pytorch as pl
from lightning.pytorch.callbacks import ModelSummary, RichProgressBar, TQDMProgressBar

from lstm_nlp.training.tokens import TokenRate, TrainingTokens, batch_tokens

__all__ = ["TokenRate", "TrainingTokens", "batch_tokens", "display_callbacks", "progress_bar"]

RATE_KEY = "tok/s"


def rich_available() -> bool:
    return importlib.util.find_spec("rich") is not None


class TokensPerSecond:
    """Mixin for a Lightning progress bar: adds ``tok/s`` to the metrics it shows."""

    def __init__(
        self, *args: Any, clock: Callable[[], float] = time.perf_counter, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.token_rate = TokenRate(clock)

    def on_train_epoch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.token_rate.start()
        super().on_train_epoch_start(trainer, pl_module)

    def on_train_batch_end(
        self,
        trainer: pl.Trainer,
        pl_module: pl.LightningModule,
        outputs: Any,
        batch: Any,
        batch_idx: int,
    ) -> None:
        self.token_rate.add(
            batch_tokens(batch) * trainer.world_size
        )  # every rank trains as many as rank 0
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)

    def on_validation_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.token_rate.pause()  # validation inside an epoch is not training time
        super().on_validation_start(trainer, pl_module)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.state.fn == "fit" and not trainer.sanity_checking:
            self.token_rate.resume()
        super().on_validation_end(trainer, pl_module)

    def get_metrics(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> dict[str, Any]:
        metrics = super().get_metrics(trainer, pl_module)
        metrics.pop("v_num", None)  # the logger's version number: not a figure to watch
        rate = self.token_rate.rate() if trainer.state.fn == "fit" else None
        if rate is not None:
            metrics[RATE_KEY] = f"{rate:,.0f}"
        return metrics


class TQDMTokensBar(TokensPerSecond, TQDMProgressBar):
    """Lightning's tqdm bar with ``tok/s``."""


class RichTokensBar(TokensPerSecond, RichProgressBar):
    """Lightning's rich bar with ``tok/s`` (needs the ``rich`` package)."""


def progress_bar(
    use_rich: bool | None = None, clock: Callable[[], float] = time.perf_counter
) -> pl.Callback:
    """A progress bar with ``tok/s``: rich when installed (or as ``use_rich`` says), else tqdm."""
    use_rich = rich_available() if use_rich is None else use_rich
    return RichTokensBar(clock=clock) if use_rich else TQDMTokensBar(clock=clock)


_LAYER = re.compile(r"_l(\d+)(?:_reverse)?$")


def parameter_rows(module: Any, max_depth: int = 2) -> list[tuple[str, str, int]]:
    """``(name, type, parameters)`` per module down to ``max_depth`` levels (modules without
    parameters left out), an LSTM's layers (parameters named ``*_l<k>``) as ``name[layer k]``."""
    rows = []
    for name, child in module.named_modules():
        depth = name.count(".") + 1
        count = sum(p.numel() for p in child.parameters())
        if not name or depth > max_depth or not count:
            continue
        rows.append((name, type(child).__name__, count))
        layers: dict[int, int] = {}
        for pname, param in child.named_parameters(recurse=False):
            match = _LAYER.search(pname)
            if match:
                layers[int(match[1])] = layers.get(int(match[1]), 0) + param.numel()
        if len(layers) > 1:
            rows += [(f"{name}[layer {k}]", "", n) for k, n in sorted(layers.items())]
    return rows


def parameter_table(module: Any, max_depth: int = 2) -> str:
    """The rows of :func:`parameter_rows` and the totals, as aligned text."""
    rows = parameter_rows(module, max_depth)
    total = sum(p.numel() for p in module.parameters())
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    width = max([len(r[0]) for r in rows] + [6])
    kinds = max([len(r[1]) for r in rows] + [4])
    lines = [f"  {'module':<{width}}  {'type':<{kinds}}  {'parameters':>12}"]
    lines += [f"  {name:<{width}}  {kind:<{kinds}}  {count:>12,}" for name, kind, count in rows]
    lines.append(f"  {'total':<{width}}  {'':<{kinds}}  {total:>12,}  ({trainable:,} trainable)")
    return "\n".join(lines)


class ParameterSummary(ModelSummary):
    """Prints :func:`parameter_table` when fitting starts (rank 0); replaces Lightning's summary."""

    def __init__(self, max_depth: int = 2) -> None:
        super().__init__(max_depth=max_depth)
        self.depth = max_depth

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.depth and trainer.is_global_zero:
            print(
                "lstm-nlp: parameters per module\n" + parameter_table(pl_module, self.depth),
                flush=True,
            )


def display_callbacks(
    trainer_kwargs: Mapping[str, Any],
    every_seconds: float | None = None,
    terminal: bool | None = None,
    max_depth: int = 2,
) -> list[pl.Callback]:
    """What shows the run's progress, and the parameter summary when ``enable_model_summary``.

    On a terminal (``terminal``; None: whether stdout is one): the bar when
    ``enable_progress_bar`` is true.  Otherwise (a batch job's log file) never a bar, but one
    plain line every ``every_seconds`` (:mod:`~lstm_nlp.training.batch_log`), standing in for
    the bar when ``enable_progress_bar`` asks for one."""
    from lstm_nlp.training.batch_log import BatchLog, BatchLogBar

    terminal = sys.stdout.isatty() if terminal is None else terminal
    callbacks: list[pl.Callback] = []
    if terminal and trainer_kwargs.get("enable_progress_bar"):
        callbacks.append(progress_bar())
    elif not terminal and trainer_kwargs.get("enable_progress_bar"):
        callbacks.append(BatchLogBar(every_seconds))
    elif not terminal and every_seconds:
        callbacks.append(BatchLog(every_seconds))
    if trainer_kwargs.get("enable_model_summary", True):
        callbacks.append(ParameterSummary(max_depth))
    return callbacks
