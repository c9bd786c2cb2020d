"""A transparent LSTM that spells out every gate, one time step at a time.

:class:`ReferenceLSTM` computes what ``torch.nn.LSTM`` computes, with the same
constructor, parameter names, shapes, gate order and initialisation, so weights
load either way with ``load_state_dict``.  It is slow (a Python loop over time) and
exists to read, to test against, and to inspect the gates (``return_gates=True``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from lstm_nlp.modules.encoder import GATE_NAMES


def lengths_mask(
    lengths: Tensor | Sequence[int], seq_len: int, batch: int, device: torch.device
) -> Tensor:
    """A ``(seq, batch, 1)`` bool mask, True where ``t < lengths[b]``."""
    lengths = torch.as_tensor(lengths, dtype=torch.int64).cpu()
    if lengths.shape != (batch,):
        raise ValueError(
            f"lengths must hold one length per sequence ({batch}), got shape {tuple(lengths.shape)}"
        )
    if lengths.min() < 1 or lengths.max() > seq_len:
        raise ValueError(f"lengths must lie in [1, {seq_len}], got {lengths.tolist()}")
    return (torch.arange(seq_len).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(2).to(device)


def lstm_step(x_t: Tensor, h: Tensor, c: Tensor, weights: list[Tensor | None]) -> dict[str, Tensor]:
    """One LSTM time step, returning the gates, the new cell ``C_t`` and hidden ``h_t``.

    Every gate is ``W·[h_{t-1}, x_t] + b``; with nn.LSTM's layout that is
    ``W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh`` (rows stacked in the order i, f, g, o).
    """
    w_ih, w_hh, b_ih, b_hh = weights
    pre_i, pre_f, pre_g, pre_o = (F.linear(x_t, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(
        4, dim=1
    )
    forget = torch.sigmoid(pre_f)  # 1. how much of C_{t-1} to keep
    input_gate = torch.sigmoid(pre_i)  # 2. how much to write ...
    candidate = torch.tanh(pre_g)  # ... of which new values C~_t
    cell = forget * c + input_gate * candidate  # 3. C_t = f_t*C_{t-1} + i_t*C~_t
    output = torch.sigmoid(pre_o)  # 4. how much of the cell to expose
    hidden = output * torch.tanh(cell)  # h_t = o_t*tanh(C_t)
    values = (forget, input_gate, candidate, output, cell, hidden)
    return dict(zip(GATE_NAMES, values))


class ReferenceLSTM(nn.Module):
    """``nn.LSTM`` written out in Python; same arguments, parameters and results.

    ``forward(x, hx=None, lengths=None, return_gates=False)`` returns
    ``(output, (h_n, c_n))`` like ``nn.LSTM``, plus, when ``return_gates``, a list
    of one dict per layer and direction (layer 0 forward, layer 0 backward, layer 1
    forward, ...) holding :data:`GATE_NAMES`, each ``(seq, batch, hidden)``
    (batch first when ``batch_first``).  With ``lengths`` (one per sequence) it
    behaves like ``nn.LSTM`` on the packed batch: steps past a sequence's length are
    skipped (the backward direction starts at its last real token), the outputs
    and gates there are zero, and ``h_n``/``c_n`` are each sequence's last real state.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        sizes = (input_size, hidden_size, num_layers)
        if not all(isinstance(n, int) and n > 0 for n in sizes) or not 0 <= dropout <= 1:
            raise ValueError(  # as nn.LSTM; configs are checked earlier, by LSTMArguments
                "sizes and num_layers must be integers > 0 and dropout in [0, 1], got "
                f"input_size={input_size}, hidden_size={hidden_size}, num_layers={num_layers}, "
                f"dropout={dropout}"
            )
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.dropout = float(dropout)
        self.num_directions = 2 if bidirectional else 1
        self._weight_names: list[list[str]] = []  # per (layer, direction), nn.LSTM order
        for layer in range(num_layers):
            for direction in range(self.num_directions):
                self._add_weights(layer, direction)
        self.reset_parameters()

    def _add_weights(self, layer: int, direction: int) -> None:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        layer_input = self.input_size if layer == 0 else self.hidden_size * self.num_directions
        gates = 4 * self.hidden_size
        shapes = {"weight_ih": (gates, layer_input), "weight_hh": (gates, self.hidden_size)}
        if self.bias:
            shapes.update(bias_ih=(gates,), bias_hh=(gates,))
        for name, shape in shapes.items():
            self.register_parameter(name + suffix, nn.Parameter(torch.empty(shape)))
        self._weight_names.append([name + suffix for name in shapes])

    def reset_parameters(self) -> None:
        """nn.LSTM's init: every parameter ~ U(-1/sqrt(hidden), 1/sqrt(hidden))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def get_input_dim(self) -> int:
        return self.input_size

    state_layout = ("h", "c")

    def get_output_dim(self) -> int:
        return self.hidden_size * self.num_directions

    def to_nn_lstm_state_dict(self) -> dict[str, Tensor]:
        """The weights under ``nn.LSTM``'s names: this module's own names."""
        return dict(self.state_dict())

    def forward_with_gates(
        self, x: Tensor, lengths: Tensor | Sequence[int] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor], list[dict[str, Tensor]]]:
        """``(output, (h_n, c_n), gates)``: see :meth:`forward` with ``return_gates=True``."""
        return self.forward(x, lengths=lengths, return_gates=True)

    def _weights(self, index: int) -> list[Tensor | None]:
        weights = [getattr(self, name) for name in self._weight_names[index]]
        return weights if self.bias else weights + [None, None]

    def forward(
        self,
        x: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,
        lengths: Tensor | Sequence[int] | None = None,
        return_gates: bool = False,
    ) -> (
        tuple[Tensor, tuple[Tensor, Tensor]]
        | tuple[Tensor, tuple[Tensor, Tensor], list[dict[str, Tensor]]]
    ):
        if x.dim() != 3:
            raise ValueError(f"ReferenceLSTM expects 3-D input, got {x.dim()}-D")
        if self.batch_first:
            x = x.transpose(0, 1)
        seq_len, batch = x.shape[:2]
        valid = None if lengths is None else lengths_mask(lengths, seq_len, batch, x.device)
        h0, c0 = hx if hx is not None else (x.new_zeros(self._state_shape(batch)),) * 2
        if h0.shape != self._state_shape(batch) or c0.shape != self._state_shape(batch):
            raise ValueError(f"hx must be two tensors of shape {tuple(self._state_shape(batch))}")
        h_n, c_n, gates = [], [], []
        for layer in range(self.num_layers):
            if layer > 0:
                x = F.dropout(x, self.dropout, self.training)
            outputs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                steps = self._run_direction(k, x, h0[k], c0[k], valid, reverse=direction == 1)
                outputs.append(steps["hidden"])
                h_n.append(steps.pop("h_n"))
                c_n.append(steps.pop("c_n"))
                gates.append(steps)
            x = torch.cat(outputs, dim=2)
        output, state = self._batch_layout(x), (torch.stack(h_n), torch.stack(c_n))
        if not return_gates:
            return output, state
        return (
            output,
            state,
            [{name: self._batch_layout(g[name]) for name in GATE_NAMES} for g in gates],
        )

    def _state_shape(self, batch: int) -> torch.Size:
        return torch.Size((self.num_layers * self.num_directions, batch, self.hidden_size))

    def _batch_layout(self, x: Tensor) -> Tensor:
        return x.transpose(0, 1) if self.batch_first else x

    def step(self, k: int, x_t: Tensor, h: Tensor, c: Tensor) -> dict[str, Tensor]:
        """One time step of layer-and-direction ``k`` (``layer * num_directions + direction``):
        the :data:`GATE_NAMES` tensors.  The one place a variant of the LSTM changes the step
        (:class:`~lstm_nlp.modules.mogrifier_lstm.MogrifierLSTM` gates ``x_t`` and ``h`` first)."""
        return lstm_step(x_t, h, c, self._weights(k))

    def _run_direction(
        self, k: int, x: Tensor, h: Tensor, c: Tensor, valid: Tensor | None, reverse: bool
    ) -> dict[str, Tensor]:
        """Run direction ``k`` of one layer over ``x`` (seq, batch, feature).

        Returns the stacked per-step tensors of :data:`GATE_NAMES` (zero past each
        length) and the final ``h_n``, ``c_n``.
        """
        seq_len = x.size(0)
        per_step: list[dict[str, Tensor]] = [{}] * seq_len
        for t in reversed(range(seq_len)) if reverse else range(seq_len):
            step = self.step(k, x[t], h, c)
            if valid is not None:  # past its length, a sequence keeps its state
                h = torch.where(valid[t], step["hidden"], h)
                c = torch.where(valid[t], step["cell"], c)
                step = {name: value * valid[t] for name, value in step.items()}
            else:
                h, c = step["hidden"], step["cell"]
            per_step[t] = step
        result = {name: torch.stack([step[name] for step in per_step]) for name in GATE_NAMES}
        return {**result, "h_n": h, "c_n": c}

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        defaults = dict(
            num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False
        )
        for key, default in defaults.items():
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s
