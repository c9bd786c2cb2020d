"""One text through the model as validation reads a split: ``batch_size`` parallel columns
(:func:`lstm_nlp.data.lm_stream.batchify`), windows of ``bptt`` tokens
(:class:`~lstm_nlp.data.lm_stream.BPTTBatches`), the hidden state carried from each window to
the next.  Every target's log-probability under the model is summed; a cache
(:mod:`lstm_nlp.perplexity.cache`) mixes its own distribution in, and an adapter
(:mod:`lstm_nlp.perplexity.dynamic`) updates the weights after each window is scored.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from lstm_nlp.evaluation.logprobs import map_hidden, model_device
from lstm_nlp.perplexity.windows import no_cudnn, target_logprobs, windows

if TYPE_CHECKING:
    from lstm_nlp.perplexity.cache import CacheGrid
    from lstm_nlp.perplexity.dynamic import Adapter


@dataclass
class StreamScore:
    """Summed negative log-likelihoods of one pass over a text."""

    tokens: int  # targets scored
    model_nll: float  # the model's own (under the weights of the moment, when adapted)
    cache_nll: np.ndarray | None = None  # (thetas, lambdahs) with the cache mixed in

    @property
    def nll(self) -> float:
        """The pass's result: the cache's first setting when there is a cache."""
        return float(self.cache_nll[0, 0]) if self.cache_nll is not None else self.model_nll


def score_stream(
    model: torch.nn.Module,
    ids: np.ndarray | torch.Tensor,
    batch_size: int,
    bptt: int,
    cache: CacheGrid | None = None,
    adapter: Adapter | None = None,
) -> StreamScore:
    """Score ``ids`` from a zero hidden state (and an empty cache); with ``adapter``, update the
    weights on each window once it is scored (Krause et al.: score a segment, then learn it)."""
    device = model_device(model)
    model.eval()
    if cache is not None:
        cache.reset()
    hidden: Any = None
    model_nll, tokens = torch.zeros((), dtype=torch.float64, device=device), 0
    cache_nll = None
    with no_cudnn(device) if adapter is not None else contextlib.nullcontext():
        for inputs, targets in windows(ids, batch_size, bptt):
            inputs, targets = inputs.to(device), targets.to(device)
            with torch.set_grad_enabled(adapter is not None):
                output, hidden = model.encode(inputs, hidden)
                logprobs = target_logprobs(model, output, targets)
            model_nll -= logprobs.detach().double().sum()
            tokens += targets.numel()
            if cache is not None:
                window = cache.nll(output.detach(), targets, logprobs.detach())
                cache_nll = window if cache_nll is None else cache_nll + window
            if adapter is not None:
                adapter.step(-logprobs.mean())
            hidden = map_hidden(hidden, torch.Tensor.detach)
    grid = None if cache_nll is None else cache_nll.cpu().numpy()
    return StreamScore(tokens, float(model_nll), grid)
