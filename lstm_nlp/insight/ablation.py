"""Ablating one LSTM unit: zero every weight that brings a signal into it or carries one out of it.

:class:`LayeredLM` is a copy of a language model made for this: the embedding (shared, never
changed), one single-layer ``nn.LSTM`` per layer (so a layer's inputs can be cached, see
:mod:`lstm_nlp.insight.suffix_scoring`) and a copy of the decoder with weights of its own (a
decoder tied to the embedding is untied, so that ablating an output never touches the input).

Unit ``j`` of layer ``l`` (``H`` units per layer; nn.LSTM stacks the gate rows as i, f, g, o):

* in: rows ``j, H+j, 2H+j, 3H+j`` of layer ``l``'s ``weight_ih``, ``weight_hh``, ``bias_ih`` and
  ``bias_hh``: every pre-activation of the unit is 0, so i = f = o = 1/2 and C~ = 0; from the zero
  start state its cell and hidden state stay exactly 0 whatever the input;
* out: column ``j`` of layer ``l``'s ``weight_hh`` (to the other units of its layer), of layer
  ``l+1``'s ``weight_ih``, or, for the last layer, of the decoder's input matrices (the projection
  when the decoder has one; the adaptive softmax's head and tail projections), so whatever value
  the unit held would reach nothing.

:func:`ablated` zeroes them for the duration of a ``with`` block and restores them afterwards.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn

from lstm_nlp.errors import DataError


def head_input_weights(head: nn.Module) -> list[Tensor]:
    """The decoder's weight matrices whose columns are the LSTM's output units."""
    from lstm_nlp.modules.adaptive_head import AdaptiveHead
    from lstm_nlp.modules.lm_head import LMHead

    if isinstance(head, LMHead):
        return [(head.projection if head.projection is not None else head.decoder).weight]
    if isinstance(head, AdaptiveHead):
        return [head.asm.head.weight] + [tail[0].weight for tail in head.asm.tail]
    raise DataError(f"checkpoint: cannot ablate through a decoder of type {type(head).__name__}")


class LayeredLM(nn.Module):
    """A language model's embedding, LSTM layers (one nn.LSTM each) and an untied copy of its
    decoder."""

    def __init__(self, model: nn.Module, weights: dict[str, Tensor]) -> None:
        super().__init__()
        self.embedding = model.embedding
        encoder = model.encoder
        self.hidden_size, self.bias = encoder.hidden_size, "bias_ih_l0" in weights
        self.layers = nn.ModuleList()
        for k in range(encoder.num_layers):
            size = encoder.input_size if k == 0 else encoder.hidden_size
            lstm = nn.LSTM(size, encoder.hidden_size, 1, bias=self.bias)
            lstm.load_state_dict(
                {
                    name.replace(f"_l{k}", "_l0"): weights[name].detach().clone()
                    for name in weights
                    if name.endswith(f"_l{k}")
                }
            )
            self.layers.append(lstm)
        self.head = copy.deepcopy(model.decoder)
        self.to(model.embedding.weight.device).eval().requires_grad_(False)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def nn_lstm_state_dict(self) -> dict[str, Tensor]:
        """The layers' weights under the names of one multi-layer nn.LSTM (or a ReferenceLSTM)."""
        return {
            name.replace("_l0", f"_l{k}"): value
            for k, lstm in enumerate(self.layers)
            for name, value in lstm.state_dict().items()
        }

    def forward(
        self, tokens: Tensor, hidden: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """Logits ``(seq, batch, vocab)`` and ``(h_n, c_n)``, as the language model's forward in
        eval mode."""
        x, h_n, c_n = self.embedding(tokens), [], []
        for k, lstm in enumerate(self.layers):
            x, (h, c) = lstm(
                x, None if hidden is None else (hidden[0][k : k + 1], hidden[1][k : k + 1])
            )
            h_n.append(h)
            c_n.append(c)
        return self.head(x), (torch.cat(h_n), torch.cat(c_n))

    def unit_weights(self, layer: int, unit: int) -> list[tuple[Tensor, tuple]]:
        """``(weight, index)`` of every weight slice that feeds ``unit`` of ``layer`` or reads
        it."""
        if not (0 <= layer < self.num_layers and 0 <= unit < self.hidden_size):
            raise IndexError(
                f"no unit {unit} in layer {layer} ({self.num_layers} layers of {self.hidden_size})"
            )
        lstm, size = self.layers[layer], self.hidden_size
        rows = torch.tensor([unit + g * size for g in range(4)])
        every = slice(None)
        slices = [
            (lstm.weight_ih_l0, (rows, every)),
            (lstm.weight_hh_l0, (rows, every)),
            (lstm.weight_hh_l0, (every, unit)),
        ]
        if self.bias:
            slices += [(lstm.bias_ih_l0, (rows,)), (lstm.bias_hh_l0, (rows,))]
        if layer + 1 < self.num_layers:
            slices.append((self.layers[layer + 1].weight_ih_l0, (every, unit)))
        else:
            slices += [(weight, (every, unit)) for weight in head_input_weights(self.head)]
        return slices


@contextmanager
def ablated(lm: LayeredLM, layer: int, unit: int) -> Iterator[LayeredLM]:
    """``lm`` with ``unit`` of ``layer`` cut out (see the module docstring); restored on exit."""
    slices = lm.unit_weights(layer, unit)
    saved = [
        (weight, index, weight.detach()[index].clone()) for weight, index in slices
    ]  # only the cut parts
    try:
        with torch.no_grad():
            for weight, index in slices:
                weight[index] = 0.0
        yield lm
    finally:
        with torch.no_grad():
            for weight, index, original in reversed(
                saved
            ):  # overlapping slices: the first save wins
                weight[index] = original
