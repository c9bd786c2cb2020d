"""The language-model step as one module: ``(ids, h, c) -> (log-probabilities, h, c)``.

``ids`` is ``(seq, batch)`` (int64), ``h`` and ``c`` are ``(layers * directions, batch,
state size)`` (zeros start a text), ``log_probs`` is ``(seq, batch, vocab)`` in fp32: the shapes
of ``torch.nn.LSTM``.  This is what ``format=onnx`` and ``format=torchscript`` write, and the
inputs it is traced and checked with.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from lstm_nlp.errors import DataError

INPUTS, OUTPUTS = ("input_ids", "h", "c"), ("log_probs", "h_out", "c_out")


class LMStep(nn.Module):
    """A language model's step with an explicit state (see the module docstring)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, ids: torch.Tensor, h: torch.Tensor, c: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        output, (h_out, c_out) = self.model.encode(ids, (h, c))
        return self.model.decoder.log_probs(output), h_out, c_out


def step_of(model: Any) -> LMStep:
    """The step of ``model`` (eval mode); an encoder whose state is not ``(h, c)`` is refused."""
    layout = tuple(getattr(model.encoder, "state_layout", ()))
    if layout != ("h", "c"):
        raise DataError(
            f"the model's encoder ({type(model.encoder).__name__}) has the state {layout}; "
            "format=onnx and format=torchscript export LSTM steps, whose state is (h, c)"
        )
    return LMStep(model).eval()


def state_shape(model: Any, batch: int) -> tuple[int, int, int]:
    """``(layers * directions, batch, state size)`` of the model's encoder."""
    enc = model.encoder
    rows = enc.num_layers * (2 if enc.bidirectional else 1)
    return rows, batch, getattr(enc, "state_size", enc.hidden_size)


def example_inputs(model: Any, seq: int, batch: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Random ids and a random state of these sizes (the same for one seed)."""
    generator = torch.Generator().manual_seed(seed)
    vocab = model.embedding.num_embeddings
    ids = torch.randint(0, vocab, (seq, batch), generator=generator)
    shape = state_shape(model, batch)
    h, c = (torch.randn(shape, generator=generator) * 0.5 for _ in range(2))
    return ids, h, c


def max_difference(expected: tuple[torch.Tensor, ...], found: tuple[Any, ...]) -> float:
    """The largest absolute difference between two tuples of outputs (infinite when their
    shapes differ)."""
    found = tuple(torch.as_tensor(b, dtype=torch.float32) for b in found)
    if [a.shape for a in expected] != [b.shape for b in found]:
        return float("inf")
    return max(float((b - a.float()).abs().max()) for a, b in zip(expected, found))
