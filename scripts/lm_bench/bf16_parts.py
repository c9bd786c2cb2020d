"""bf16-mixed with one half of the model kept in fp32, to find which half costs quality.

``only="output"``: the LSTM runs in fp32 (autocast off around it, its inputs and state in fp32),
the output layer in bf16; ``only="lstm"``: the LSTM in bf16, the output layer and loss in fp32.
Patches lstm-nlp's classes for the duration of the ``with`` block (benchmark use only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from lstm_nlp.modules import lm_head, lstm_encoder


def _fp32(t):
    return t.float() if isinstance(t, torch.Tensor) else t


@contextlib.contextmanager
def bf16_only(only: str | None) -> Iterator[None]:
    if only is None:
        yield
        return
    if only == "output":
        owner, name = lstm_encoder.LSTMEncoder, "_run"
        original = owner._run

        def patched(self, lstm, x, hx):
            with torch.autocast("cpu", enabled=False):
                state = None if hx is None else tuple(_fp32(t) for t in hx)
                return original(self, lstm, _fp32(x), state)
    elif only == "lstm":
        owner, name = lm_head, "linear_cross_entropy"
        original = owner.linear_cross_entropy

        def patched(hidden, weight, bias, targets):
            with torch.autocast("cpu", enabled=False):
                return original(hidden.float(), weight, bias, targets)
    else:
        raise ValueError(f"only must be lstm or output, got {only!r}")
    setattr(owner, name, patched)
    try:
        yield
    finally:
        setattr(owner, name, original)
