"""Dynamic evaluation (Krause, Kahembwe, Murray & Renals 2018; benkrause/dynamic-evaluation).

The weights adapt to the text as it is read: each window (segment) is scored first, then the
gradient of its mean loss moves the weights, which also decay back toward the trained ones:

- ``sgd``: ``w <- w - lr g + lamb (w0 - w)``
- ``rms``: ``w <- w - lr g / (MS + epsilon) + lamb d (w0 - w)``, where ``MS`` is the root mean
  square of each weight's gradient over windows of a training text (:func:`gradient_stats`),
  and ``d = MS / mean(MS)`` (the mean over parameter tensors of their mean), clipped at
  ``1 / lamb``, as in Krause et al.'s code.

The trained weights are copied on creation and put back by :meth:`Adapter.restore`; nothing
is ever written to the checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lstm_nlp.evaluation.logprobs import map_hidden, model_device
from lstm_nlp.perplexity.windows import no_cudnn, target_logprobs, windows


@dataclass
class GradientStats:
    """Root mean squared gradient per parameter (in ``model.parameters()`` order)."""

    rms: list[torch.Tensor]
    windows: int  # windows gathered over
    tokens: int  # targets in them


def trainable(model: torch.nn.Module) -> list[torch.nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]


def gradient_stats(
    model: torch.nn.Module,
    ids: np.ndarray | torch.Tensor,
    batch_size: int,
    bptt: int,
    max_windows: int | None = None,
) -> GradientStats:
    """The RMS of each weight's gradient of the mean loss of each window of ``ids`` (eval mode,
    the hidden state carried; Krause et al.'s ``gradstat``)."""
    device = model_device(model)
    params = trainable(model)
    squares = [torch.zeros_like(p) for p in params]
    hidden, count, tokens = None, 0, 0
    model.eval()
    with no_cudnn(device):
        for inputs, targets in windows(ids, batch_size, bptt, max_windows):
            inputs, targets = inputs.to(device), targets.to(device)
            output, hidden = model.encode(inputs, hidden)
            loss = -target_logprobs(model, output, targets).mean()
            grads = torch.autograd.grad(loss, params, allow_unused=True)
            for square, grad in zip(squares, grads):
                if grad is not None:
                    square.add_(grad * grad)
            hidden = map_hidden(hidden, torch.Tensor.detach)
            count, tokens = count + 1, tokens + targets.numel()
    return GradientStats([torch.sqrt(s / count) for s in squares], count, tokens)


class Adapter:
    """Updates ``model``'s weights after each scored window (see the module's docstring)."""

    def __init__(
        self,
        model: torch.nn.Module,
        method: str,
        lr: float,
        lamb: float,
        epsilon: float = 2e-5,
        stats: GradientStats | None = None,
    ) -> None:
        if method == "rms" and stats is None:
            raise ValueError("the rms update needs gradient statistics")
        self.params = trainable(model)
        self.trained = [p.detach().clone() for p in self.params]
        self.lr = lr
        if method == "rms":
            self.scales: Sequence[torch.Tensor | float] = [1.0 / (ms + epsilon) for ms in stats.rms]
            self.decays: Sequence[torch.Tensor | float] = decay_rates(stats.rms, lamb)
        else:
            self.scales = [1.0] * len(self.params)
            self.decays = [float(lamb)] * len(self.params)

    @torch.no_grad()
    def _apply(self, grads: Sequence[torch.Tensor | None]) -> None:
        for p, p0, grad, scale, decay in zip(
            self.params, self.trained, grads, self.scales, self.decays
        ):
            if not isinstance(decay, float) or decay:
                p.lerp_(p0, decay)  # p += decay (p0 - p), in one pass
            if grad is None:
                continue
            if isinstance(scale, float):
                p.add_(grad, alpha=-self.lr * scale)
            else:
                p.addcmul_(grad, scale, value=-self.lr)

    def step(self, loss: torch.Tensor) -> None:
        """One update from ``loss`` (a window's mean negative log-likelihood)."""
        self._apply(torch.autograd.grad(loss, self.params, allow_unused=True))

    @torch.no_grad()
    def restore(self) -> None:
        """The trained weights back in place."""
        for p, p0 in zip(self.params, self.trained):
            p.copy_(p0)


def decay_rates(rms: Sequence[torch.Tensor], lamb: float) -> list[torch.Tensor]:
    """``lamb * min(MS / mean(MS), 1 / lamb)`` per weight: Krause et al.'s scaled decay (the
    clip keeps one step from overshooting the trained value)."""
    mean = torch.stack([ms.mean() for ms in rms]).mean().clamp_min(1e-30)
    return [torch.clamp(lamb * ms / mean, max=1.0) for ms in rms]
