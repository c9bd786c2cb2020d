"""The encoder and task contracts, as checks a test runs over every registered component."""

from __future__ import annotations

import torch
from torch import nn

from lstm_nlp.modules.encoder import Encoder, ExposesGates, HasLSTMWeights

SEQ, BATCH, INPUT = 6, 3, 5
LENGTHS = [6, 3, 1]


def layout(t: torch.Tensor, batch_first: bool) -> torch.Tensor:
    """(seq, batch, ...) <-> (batch, seq, ...)."""
    return t.transpose(0, 1) if batch_first else t


def state_tensors(state) -> tuple[torch.Tensor, ...]:
    return (state,) if isinstance(state, torch.Tensor) else tuple(state)


def check_encoder(encoder: nn.Module, *, hidden: int, layers: int, bidirectional: bool) -> None:
    """Everything a task relies on in an encoder; an AssertionError says which part broke."""
    assert isinstance(encoder, Encoder), "missing an attribute or method of the Encoder protocol"
    directions = 2 if bidirectional else 1
    assert (encoder.input_size, encoder.hidden_size, encoder.num_layers) == (INPUT, hidden, layers)
    assert encoder.bidirectional is bidirectional
    assert encoder.get_output_dim() == hidden * directions, "get_output_dim"
    encoder.eval()
    x = layout(torch.randn(SEQ, BATCH, INPUT, dtype=torch.float64), encoder.batch_first)
    output, state = encoder(x)
    assert layout(output, encoder.batch_first).shape == (SEQ, BATCH, hidden * directions), "output"
    tensors = state_tensors(state)
    assert len(tensors) == len(encoder.state_layout), "state tensors != state_layout"
    for t in tensors:
        assert t.shape == (layers * directions, BATCH, hidden), f"state shape {tuple(t.shape)}"
    again, _ = encoder(x, state)  # the state goes back in as hx
    assert again.shape == output.shape
    check_lengths(encoder, x, hidden * directions)
    if isinstance(encoder, ExposesGates):
        check_gates(encoder, x, output, layers * directions)
    if isinstance(encoder, HasLSTMWeights):
        check_lstm_weights(encoder, x, output, hidden, layers, bidirectional)


def check_lengths(encoder: nn.Module, x: torch.Tensor, width: int) -> None:
    """A packed batch: zero output past each sequence, and each sequence's state its own."""
    output, state = encoder(x, lengths=LENGTHS)
    steps = layout(output, encoder.batch_first)
    for b, n in enumerate(LENGTHS):
        assert torch.all(steps[n:, b] == 0), f"output past length {n} of sequence {b}"
        alone = layout(layout(x, encoder.batch_first)[:n, b : b + 1], encoder.batch_first)
        out_alone, state_alone = encoder(alone)
        assert torch.allclose(layout(out_alone, encoder.batch_first)[:, 0], steps[:n, b], atol=1e-6)
        for t, t_alone in zip(state_tensors(state), state_tensors(state_alone), strict=True):
            assert torch.allclose(t[:, b], t_alone[:, 0], atol=1e-6), f"state of sequence {b}"
    assert steps.shape[-1] == width


def check_gates(encoder: nn.Module, x: torch.Tensor, output: torch.Tensor, units: int) -> None:
    """The exposed gates obey the LSTM's equations and give the encoder's own output."""
    out, _, gates = encoder.forward_with_gates(x)
    assert torch.allclose(out, output, atol=1e-6), "forward_with_gates output != forward output"
    assert len(gates) == units
    for g in gates:
        assert set(g) >= {"forget", "input", "candidate", "output", "cell", "hidden"}
        hidden = g["output"] * torch.tanh(g["cell"])
        assert torch.allclose(hidden, g["hidden"], atol=1e-6), "h != o * tanh(C)"


def check_lstm_weights(encoder, x, output, hidden: int, layers: int, bidirectional: bool) -> None:
    """nn.LSTM loaded with the encoder's weights computes the encoder's output (eval mode)."""
    lstm = nn.LSTM(
        INPUT, hidden, layers, bidirectional=bidirectional, batch_first=encoder.batch_first
    )
    lstm = lstm.double()
    lstm.load_state_dict(encoder.to_nn_lstm_state_dict())
    expected, _ = lstm.eval()(x)
    assert torch.allclose(expected, output, atol=1e-6), "to_nn_lstm_state_dict"
