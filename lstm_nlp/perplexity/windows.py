"""A text's windows as validation reads a split, and the model's log-probability of each
target in them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch

from lstm_nlp.data.lm_stream import BPTTBatches, batchify
from lstm_nlp.evaluation.logprobs import LOGITS_BUDGET


def windows(
    ids: np.ndarray | torch.Tensor, batch_size: int, bptt: int, max_windows: int | None = None
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """``(input, target)`` windows ``(seq, batch_size)`` of ``ids`` cut into columns."""
    batches = BPTTBatches(batchify(ids, batch_size, key="batch_size"), bptt)
    for i in range(len(batches) if max_windows is None else min(max_windows, len(batches))):
        yield batches[i]


def target_logprobs(
    model: torch.nn.Module, output: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """``log p(target)`` at every position of the encoder's ``output (seq, batch, dim)``, the
    full softmax (or adaptive softmax) computed a few rows at a time without gradients."""
    decoder = model.decoder
    if torch.is_grad_enabled():
        return decoder.log_probs(output).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    vocab = model.embedding.num_embeddings
    rows = max(1, LOGITS_BUDGET // (vocab * output.size(1)))
    parts = [
        _window_logprobs(decoder, output[s : s + rows], targets[s : s + rows])
        for s in range(0, output.size(0), rows)
    ]
    return torch.cat(parts)


def _window_logprobs(
    decoder: torch.nn.Module, output: torch.Tensor, targets: torch.Tensor
) -> torch.Tensor:
    """``log p(targets)`` ``(seq, batch)`` of a few rows; through ``log_probs_at`` where the
    decoder has it (exact target logits under bf16 autocast)."""
    if not hasattr(decoder, "log_probs_at"):
        return decoder.log_probs(output).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    flat = output.reshape(-1, output.size(-1))
    rows = torch.arange(flat.size(0), device=flat.device)
    return decoder.log_probs_at(flat, rows, targets.reshape(-1)).view(targets.shape)


def no_cudnn(device: torch.device) -> contextlib.AbstractContextManager:
    """cuDNN's LSTM computes gradients in training mode only; dynamic evaluation needs them in
    eval mode (no dropout), so it runs PyTorch's own kernels there."""
    if device.type == "cuda":
        return torch.backends.cudnn.flags(enabled=False)
    return contextlib.nullcontext()
