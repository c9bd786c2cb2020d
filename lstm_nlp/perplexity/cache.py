"""The neural cache pointer (Grave, Joulin & Usunier 2017; awd-lstm-lm's ``pointer.py``).

At position ``t`` the cache remembers the last ``window`` positions ``i`` of the same stream
column: the model's last-layer output ``h_i`` and the word that followed it (its target).  It
predicts ``p_cache(w) = sum_i softmax_i(theta * h_t . h_i) [target_i = w]`` and the score is
``p = (1 - lambdah) p_model + lambdah p_cache``.  Only the target's probability is needed, so
``p_cache(target_t)`` is the attention mass on the remembered positions whose word was it.

Unlike ``pointer.py``, which mixes only once ``window`` positions have been seen, the cache
is used from the second token of a column on, over what it holds so far (Grave et al.'s
definition); the first token of each column is scored by the model alone.  A grid of thetas
and lambdahs is scored in the same pass (the search costs one pass).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


class CacheGrid:
    """Each stream column's cache, scoring every (theta, lambdah) of a grid at once."""

    def __init__(self, window: int, thetas: Sequence[float], lambdahs: Sequence[float]) -> None:
        self.window = window
        self.thetas, self.lambdahs = list(thetas), list(lambdahs)
        self.keys: torch.Tensor | None = None  # (remembered, batch, dim)
        self.words: torch.Tensor | None = None  # (remembered, batch): the word after each

    def reset(self) -> None:
        self.keys = self.words = None

    def target_probs(
        self, outputs: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``p_cache(target)`` ``(thetas, seq, batch)`` for a window's ``outputs (seq, batch,
        dim)`` and ``targets (seq, batch)``, and which positions had any history ``(seq,)``;
        then the window joins the cache."""
        seq = outputs.size(0)
        held = 0 if self.keys is None else self.keys.size(0)
        keys = outputs if self.keys is None else torch.cat([self.keys, outputs])
        words = targets if self.words is None else torch.cat([self.words, targets])
        position = held + torch.arange(seq, device=outputs.device).unsqueeze(1)  # (seq, 1)
        key = torch.arange(keys.size(0), device=outputs.device).unsqueeze(0)  # (1, keys)
        seen = (key < position) & (key >= position - self.window)  # (seq, keys)
        scores = torch.einsum("sbd,kbd->bsk", outputs, keys)
        same = words.t().unsqueeze(1) == targets.t().unsqueeze(2)  # (batch, seq, keys)
        probs = []
        for theta in self.thetas:
            attention = torch.softmax((theta * scores).masked_fill(~seen, float("-inf")), -1)
            mass = attention.nan_to_num(0.0).masked_fill(~same, 0.0).sum(-1)  # (batch, seq)
            probs.append(mass.t())
        self.keys, self.words = keys[-self.window :], words[-self.window :]
        return torch.stack(probs), seen.any(-1)

    def nll(
        self, outputs: torch.Tensor, targets: torch.Tensor, logprobs: torch.Tensor
    ) -> torch.Tensor:
        """Summed ``-log p`` of the window for every (theta, lambdah): ``(thetas, lambdahs)``;
        ``logprobs (seq, batch)`` are the model's ``log p(target)``; fp32 under bf16 autocast."""
        with torch.autocast(outputs.device.type, enabled=False):
            cached, has_history = self.target_probs(outputs.float(), targets)
        return -mix(logprobs, cached, self.lambdahs, has_history).sum((-2, -1))


def mix(
    logprobs: torch.Tensor,
    cached: torch.Tensor,
    lambdahs: Sequence[float],
    has_history: torch.Tensor,
) -> torch.Tensor:
    """``log((1 - lambdah) p_model + lambdah p_cache)`` ``(thetas, lambdahs, seq, batch)`` in
    float64; the model's own where a position had no history."""
    lam = torch.tensor(lambdahs, dtype=torch.float64, device=logprobs.device).view(1, -1, 1, 1)
    model = logprobs.double().unsqueeze(0).unsqueeze(0)
    mixed = torch.logaddexp(
        model + torch.log1p(-lam), torch.log(lam) + cached.double().log().unsqueeze(1)
    )
    return torch.where(has_history.view(1, 1, -1, 1), mixed, model)
