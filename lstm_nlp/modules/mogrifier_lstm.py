"""The Mogrifier LSTM (Melis, Kočiský & Blunsom 2020, "Mogrifier LSTM", ICLR).

Before each LSTM step the input ``x`` and the previous hidden state ``h`` gate each other for
``rounds`` rounds, then the usual LSTM step runs on the results::

    round i odd:   x <- 2 * sigmoid(Q^i h) * x        (Q^i: hidden_size -> input_size)
    round i even:  h <- 2 * sigmoid(R^i x) * h        (R^i: input_size -> hidden_size)

so the input is read in the context of the state and the state in the context of the input.
With ``rounds=0`` it is exactly an LSTM, with ``torch.nn.LSTM``'s weight names and results.
``rank > 0`` factorises every Q^i and R^i as a product through ``rank`` dimensions (the paper's
low-rank variant, fewer parameters).

Arguments, shapes and state layout follow ``torch.nn.LSTM`` (the encoder contract of
:mod:`lstm_nlp.modules.encoder`); the gates of every step are exposed
(:meth:`MogrifierLSTM.forward_with_gates`).  The step runs in Python, one time step after
another: the mogrifier rounds depend on the previous state, so there is no fused kernel.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_nlp.modules.reference_lstm import GATE_NAMES, lengths_mask, lstm_step


def gating_matrix(n_in: int, n_out: int, rank: int) -> nn.Module:
    """``n_in -> n_out`` without bias; through ``rank`` dimensions when ``rank > 0``."""
    if rank <= 0:
        return nn.Linear(n_in, n_out, bias=False)
    return nn.Sequential(nn.Linear(n_in, rank, bias=False), nn.Linear(rank, n_out, bias=False))


class MogrifierLSTM(nn.Module):
    """A (stacked, optionally bidirectional) Mogrifier LSTM; ``forward(x, hx=None, lengths=None)``
    returns ``(output, (h_n, c_n))`` as ``nn.LSTM`` does."""

    state_layout = ("h", "c")

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
        super().__init__()
        sizes = (input_size, hidden_size, num_layers)
        if not all(n > 0 for n in sizes) or min(rounds, rank) < 0 or not 0 <= dropout <= 1:
            raise ValueError(  # as nn.LSTM; configs are checked earlier, by MogrifierLSTMOptions
                "sizes and num_layers must be > 0, rounds and rank >= 0 and dropout in [0, 1], got "
                f"{input_size=}, {hidden_size=}, {num_layers=}, {rounds=}, {rank=}, {dropout=}"
            )
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout, self.rounds, self.rank = float(dropout), rounds, rank
        self.num_directions = 2 if bidirectional else 1
        self.mogrifiers = nn.ModuleList()  # one ModuleList of `rounds` matrices per (layer, dir)
        self._weight_names: list[list[str]] = []
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for direction in range(self.num_directions):
                self._add_lstm_weights(layer, direction, n_in)
                self.mogrifiers.append(
                    nn.ModuleList(
                        gating_matrix(hidden_size, n_in, rank)
                        if i % 2 == 1
                        else gating_matrix(n_in, hidden_size, rank)
                        for i in range(1, rounds + 1)
                    )
                )
        self.reset_lstm_parameters()

    def _add_lstm_weights(self, layer: int, direction: int, n_in: int) -> None:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        gates = 4 * self.hidden_size
        shapes = {"weight_ih": (gates, n_in), "weight_hh": (gates, self.hidden_size)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        for name, shape in shapes.items():
            self.register_parameter(name + suffix, nn.Parameter(torch.empty(shape)))
        self._weight_names.append([name + suffix for name in shapes])

    def reset_lstm_parameters(self) -> None:
        """nn.LSTM's initialisation of the LSTM weights: U(-1/sqrt(hidden), 1/sqrt(hidden))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for names in self._weight_names:
            for name in names:
                nn.init.uniform_(getattr(self, name), -bound, bound)

    def get_input_dim(self) -> int:
        return self.input_size

    def get_output_dim(self) -> int:
        return self.hidden_size * self.num_directions

    def mogrify(self, k: int, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        """The ``rounds`` rounds of (layer, direction) ``k``: x and h gate each other."""
        for i, matrix in enumerate(self.mogrifiers[k], start=1):
            if i % 2 == 1:
                x = 2 * torch.sigmoid(matrix(h)) * x
            else:
                h = 2 * torch.sigmoid(matrix(x)) * h
        return x, h

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None, lengths=None):
        output, state, _ = self._run(x, hx, lengths, keep_gates=False)
        return output, state

    def forward_with_gates(self, x: Tensor, lengths=None):
        """``(output, (h_n, c_n), gates)``: per layer and direction, the :data:`GATE_NAMES`
        tensors of every step (of the mogrified input and state)."""
        return self._run(x, None, lengths, keep_gates=True)

    def _run(self, x: Tensor, hx, lengths, keep_gates: bool):
        if self.batch_first:
            x = x.transpose(0, 1)
        seq_len, batch = x.shape[:2]
        valid = None if lengths is None else lengths_mask(lengths, seq_len, batch, x.device)
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        h0, c0 = hx if hx is not None else (x.new_zeros(shape), x.new_zeros(shape))
        h_n, c_n, gates = [], [], []
        for layer in range(self.num_layers):
            if layer > 0:
                x = F.dropout(x, self.dropout, self.training)
            outputs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                steps = self._direction(k, x, h0[k], c0[k], valid, direction == 1, keep_gates)
                outputs.append(steps["hidden"])
                h_n.append(steps.pop("h_n"))
                c_n.append(steps.pop("c_n"))
                gates.append(steps)
            x = torch.cat(outputs, dim=2)
        layout = (lambda t: t.transpose(0, 1)) if self.batch_first else (lambda t: t)
        state = (torch.stack(h_n), torch.stack(c_n))
        return layout(x), state, [{n: layout(g[n]) for n in g} for g in gates]

    def _direction(self, k, x, h, c, valid, reverse: bool, keep_gates: bool) -> dict[str, Tensor]:
        """One direction of one layer over ``x`` (seq, batch, feature)."""
        names = [getattr(self, name) for name in self._weight_names[k]]
        weights = names if self.bias else names + [None, None]
        seq_len = x.size(0)
        per_step: list[dict[str, Tensor]] = [{}] * seq_len
        for t in reversed(range(seq_len)) if reverse else range(seq_len):
            x_t, h_t = self.mogrify(k, x[t], h)
            step = lstm_step(x_t, h_t, c, weights)
            if valid is not None:  # past its length, a sequence keeps its state
                h = torch.where(valid[t], step["hidden"], h)
                c = torch.where(valid[t], step["cell"], c)
                step = {name: value * valid[t] for name, value in step.items()}
            else:
                h, c = step["hidden"], step["cell"]
            per_step[t] = step if keep_gates else {"hidden": step["hidden"]}
        kept = GATE_NAMES if keep_gates else ("hidden",)
        result = {name: torch.stack([s[name] for s in per_step]) for name in kept}
        return {**result, "h_n": h, "c_n": c}
