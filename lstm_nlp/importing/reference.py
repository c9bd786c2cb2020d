"""The check before anything is written: the imported model's log-probabilities against the
original architecture computed in plain torch on the file's own tensors (embedding -> each LSTM
layer -> decoder -> log-softmax), on a few fixed random ids."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from lstm_nlp.errors import DataError
from lstm_nlp.importing.source import SourceModel

TOLERANCE = 1e-4  # largest |difference| of a log-probability allowed (float32 kernels differ)


@torch.no_grad()
def source_log_probs(source: SourceModel, ids: torch.Tensor) -> torch.Tensor:
    """``(seq, batch, vocab)`` log-probabilities of the original model (eval mode, zero state)."""
    x = F.embedding(ids, source.embedding.float())
    for layer in source.layers:
        lstm = nn.LSTM(layer.input_size, layer.hidden_size, bias=layer.bias_ih is not None)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            if getattr(layer, name) is not None:
                getattr(lstm, f"{name}_l0").copy_(getattr(layer, name).float())
        x, _ = lstm(x)
    bias = None if source.decoder_bias is None else source.decoder_bias.float()
    return torch.log_softmax(F.linear(x, source.decoder_weight.float(), bias), dim=-1)


@torch.no_grad()
def largest_difference(model: Any, source: SourceModel, seq: int = 6, batch: int = 2) -> float:
    """The largest |log p| difference between ``model`` and the source; over
    :data:`TOLERANCE` is a :class:`DataError` (the conversion would be wrong)."""
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, source.vocab_size, (seq, batch), generator=generator)
    ours = torch.log_softmax(model(ids)[0].float(), dim=-1)[..., : source.vocab_size]
    difference = float((ours - source_log_probs(source, ids)).abs().max())
    if not difference <= TOLERANCE:
        raise DataError(
            f"{source.path}: the imported model's log-probabilities differ from the original's "
            f"by {difference:.2e} (more than {TOLERANCE:g}); nothing was written"
        )
    return difference
