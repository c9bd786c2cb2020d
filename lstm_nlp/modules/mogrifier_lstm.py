"""The Mogrifier LSTM (Melis, Kočiský & Blunsom 2020, "Mogrifier LSTM", ICLR).

Before each LSTM step the input ``x`` and the previous hidden state ``h`` gate each other for
``rounds`` rounds, then the usual LSTM step runs on the results::

    round i odd:   x <- 2 * sigmoid(Q^i h) * x        (Q^i: hidden_size -> input_size)
    round i even:  h <- 2 * sigmoid(R^i x) * h        (R^i: input_size -> hidden_size)

so the input is read in the context of the state and the state in the context of the input.
With ``rounds=0`` it is exactly an LSTM, with ``torch.nn.LSTM``'s weight names and results.
``rank > 0`` factorises every Q^i and R^i as a product through ``rank`` dimensions (the paper's
low-rank variant, fewer parameters).

It is :class:`~lstm_nlp.modules.reference_lstm.ReferenceLSTM` with another step: arguments,
shapes, state layout, packing by ``lengths`` and the gates of every step
(:meth:`forward_with_gates`) come from there.  The rounds depend on the previous state, so the
steps run one after another in Python: there is no fused kernel.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from lstm_nlp.modules.reference_lstm import ReferenceLSTM, lstm_step


def gating_matrix(n_in: int, n_out: int, rank: int) -> nn.Module:
    """``n_in -> n_out`` without bias; through ``rank`` dimensions when ``rank > 0``."""
    if rank <= 0:
        return nn.Linear(n_in, n_out, bias=False)
    return nn.Sequential(nn.Linear(n_in, rank, bias=False), nn.Linear(rank, n_out, bias=False))


class MogrifierLSTM(ReferenceLSTM):
    """A (stacked, optionally bidirectional) Mogrifier LSTM; ``forward(x, hx=None, lengths=None)``
    returns ``(output, (h_n, c_n))`` as ``nn.LSTM`` does."""

    # Its weights are not nn.LSTM's alone: ablating units through them would be wrong, so it
    # does not offer that capability (lstm_nlp.modules.encoder.HasLSTMWeights).
    to_nn_lstm_state_dict = None

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        rounds: int = 5,
        rank: int = 0,
    ) -> None:
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional
        )
        if min(rounds, rank) < 0:
            raise ValueError(f"rounds and rank must be >= 0, got {rounds=}, {rank=}")
        self.rounds, self.rank = rounds, rank
        self.mogrifiers = nn.ModuleList()  # one ModuleList of `rounds` matrices per (layer, dir)
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for _direction in range(self.num_directions):
                self.mogrifiers.append(
                    nn.ModuleList(
                        gating_matrix(hidden_size, n_in, rank)
                        if i % 2 == 1
                        else gating_matrix(n_in, hidden_size, rank)
                        for i in range(1, rounds + 1)
                    )
                )

    def mogrify(self, k: int, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        """The ``rounds`` rounds of layer-and-direction ``k``: x and h gate each other."""
        for i, matrix in enumerate(self.mogrifiers[k], start=1):
            if i % 2 == 1:
                x = 2 * torch.sigmoid(matrix(h)) * x
            else:
                h = 2 * torch.sigmoid(matrix(x)) * h
        return x, h

    def step(self, k: int, x_t: Tensor, h: Tensor, c: Tensor) -> dict[str, Tensor]:
        """The LSTM step on the mogrified input and state."""
        x_t, h = self.mogrify(k, x_t, h)
        return lstm_step(x_t, h, c, self._weights(k))

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, rounds={self.rounds}, rank={self.rank}"
