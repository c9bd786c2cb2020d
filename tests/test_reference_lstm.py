"""ReferenceLSTM computes exactly what torch.nn.LSTM computes, and its gates obey the LSTM
equations."""

from itertools import product

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules import ReferenceLSTM
from lstm_nlp.modules.options import ReferenceLSTMOptions
from lstm_nlp.registry import ENCODERS

IN, HID, SEQ, BATCH = 3, 4, 5, 3
LENGTHS = [5, 2, 4]  # unsorted on purpose; one sequence is full length
TOL = dict(atol=1e-5, rtol=0)


def make_pair(num_layers=1, bidirectional=False, batch_first=False, bias=True, dropout=0.0):
    torch.manual_seed(0)
    args = (IN, HID, num_layers, bias, batch_first, dropout, bidirectional)
    ref, lstm = ReferenceLSTM(*args), nn.LSTM(*args)
    lstm.load_state_dict(ref.state_dict())
    return ref, lstm


def make_input(batch_first=False):
    torch.manual_seed(1)
    return torch.randn((BATCH, SEQ, IN) if batch_first else (SEQ, BATCH, IN))


def make_state(num_layers, bidirectional):
    shape = (num_layers * (2 if bidirectional else 1), BATCH, HID)
    return torch.randn(shape), torch.randn(shape)


def run_nn(lstm, x, hx=None, lengths=None):
    """nn.LSTM on padded input, or on the packed batch padded back when lengths are given."""
    if lengths is None:
        return lstm(x, hx)
    packed = pack_padded_sequence(x, torch.tensor(lengths), lstm.batch_first, enforce_sorted=False)
    out, state = lstm(packed, hx)
    out, _ = pad_packed_sequence(out, lstm.batch_first, total_length=SEQ)
    return out, state


def forward_backward(module, x, hx, lengths, weights):
    """Outputs and every gradient of a loss that weighs each output element differently."""
    x = x.clone().requires_grad_()
    hx = None if hx is None else tuple(t.clone().requires_grad_() for t in hx)
    run = (
        module
        if isinstance(module, ReferenceLSTM)
        else lambda *a, lengths: run_nn(module, *a, lengths)
    )
    out, (h, c) = run(x, hx, lengths=lengths)
    ((out * weights[0]).sum() + (h * weights[1]).sum() + (c * weights[2]).sum()).backward()
    result = {"output": out, "h_n": h, "c_n": c, "grad x": x.grad}
    if hx is not None:
        result.update({"grad h0": hx[0].grad, "grad c0": hx[1].grad})
    result.update({f"grad {name}": p.grad for name, p in module.named_parameters()})
    return result


@pytest.mark.parametrize(
    "num_layers,bidirectional,batch_first,given_hx,lengths",
    list(product([1, 3], [False, True], [False, True], [False, True], [None, LENGTHS])),
)
def test_matches_nn_lstm_in_outputs_and_gradients(
    num_layers, bidirectional, batch_first, given_hx, lengths
):
    ref, lstm = make_pair(num_layers, bidirectional, batch_first)
    x = make_input(batch_first)
    hx = make_state(num_layers, bidirectional) if given_hx else None
    out_shape = (
        (BATCH, SEQ, HID * ref.num_directions)
        if batch_first
        else (SEQ, BATCH, HID * ref.num_directions)
    )
    weights = (torch.randn(out_shape), *make_state(num_layers, bidirectional))
    expected = forward_backward(lstm, x, hx, lengths, weights)
    actual = forward_backward(ref, x, hx, lengths, weights)
    assert actual.keys() == expected.keys()
    assert len(actual) == 4 + 2 * given_hx + 4 * num_layers * ref.num_directions
    for key, value in expected.items():
        assert value is not None and actual[key] is not None, key
        assert actual[key].shape == value.shape, key
        assert torch.allclose(actual[key], value, **TOL), key
    assert expected["grad x"].abs().sum() > 0  # the comparison is not between zeros


def test_matches_nn_lstm_without_bias_and_in_eval_with_dropout():
    for kwargs in (dict(bias=False), dict(num_layers=2, dropout=0.5)):
        ref, lstm = make_pair(**kwargs)
        ref.eval(), lstm.eval()
        has_bias = any("bias" in name for name, _ in ref.named_parameters())
        assert has_bias == kwargs.get("bias", True)
        out_ref, (h_ref, c_ref) = ref(make_input())
        out_nn, (h_nn, c_nn) = lstm(make_input())
        for a, b in ((out_ref, out_nn), (h_ref, h_nn), (c_ref, c_nn)):
            assert torch.allclose(a, b, **TOL)


def test_dropout_between_layers_acts_in_training_only():
    ref, _ = make_pair(num_layers=2, dropout=0.5)
    x = make_input()
    first, second = ref(x)[0], ref(x)[0]
    ref.eval()
    assert not torch.equal(first, second)
    assert torch.equal(ref(x)[0], ref(x)[0])


def test_outputs_past_each_length_are_zero():
    ref, _ = make_pair(num_layers=2, bidirectional=True)
    out, _ = ref(make_input(), lengths=torch.tensor(LENGTHS))
    for b, length in enumerate(LENGTHS):
        assert out[length:, b].abs().sum() == 0
        assert out[:length, b].abs().min() > 0


@pytest.mark.parametrize("bidirectional", [False, True])
def test_parameters_names_shapes_and_init_are_nn_lstm_s(bidirectional):
    torch.manual_seed(3)
    ref = ReferenceLSTM(IN, HID, 2, bidirectional=bidirectional)
    torch.manual_seed(3)
    lstm = nn.LSTM(IN, HID, 2, bidirectional=bidirectional)
    assert [(n, p.shape) for n, p in ref.named_parameters()] == [
        (n, p.shape) for n, p in lstm.named_parameters()
    ]
    for (name, a), b in zip(ref.state_dict().items(), lstm.state_dict().values()):
        assert torch.equal(a, b), name  # same init, same random stream


def test_state_dict_round_trip_both_ways():
    torch.manual_seed(0)
    ref, lstm = (
        ReferenceLSTM(IN, HID, 2, bidirectional=True),
        nn.LSTM(IN, HID, 2, bidirectional=True),
    )
    assert not torch.equal(ref.weight_ih_l0, lstm.weight_ih_l0)
    ref.load_state_dict(lstm.state_dict())
    assert torch.allclose(ref(make_input())[0], lstm(make_input())[0], **TOL)
    fresh = ReferenceLSTM(IN, HID, 2, bidirectional=True)
    lstm.load_state_dict(fresh.state_dict())
    assert torch.allclose(fresh(make_input())[0], lstm(make_input())[0], **TOL)
    assert not torch.allclose(fresh(make_input())[0], ref(make_input())[0], **TOL)


def previous_cells(cell, c0, lengths, reverse):
    """C_{t-1} for each step (C_{t+1} for the backward direction), starting from c0."""
    prev = torch.empty_like(cell)
    for b, length in enumerate(lengths):
        steps = list(range(length))[::-1] if reverse else list(range(length))
        state = c0[b]
        for t in steps:
            prev[t, b] = state
            state = cell[t, b]
    return prev


def test_gates_satisfy_the_lstm_equations():
    ref, _ = make_pair(num_layers=2, bidirectional=True)
    x = make_input()
    h0, c0 = make_state(2, True)
    out, (h_n, c_n), gates = ref(x, (h0, c0), lengths=LENGTHS, return_gates=True)
    assert len(gates) == 4
    valid = (torch.arange(SEQ).unsqueeze(1) < torch.tensor(LENGTHS)).unsqueeze(2)
    for k, g in enumerate(gates):
        assert set(g) == {"forget", "input", "candidate", "output", "cell", "hidden"}
        reverse = k % 2 == 1
        c_prev = previous_cells(g["cell"], c0[k], LENGTHS, reverse)
        expected_cell = (g["forget"] * c_prev + g["input"] * g["candidate"]) * valid
        assert torch.allclose(g["cell"], expected_cell, atol=1e-6)
        assert torch.allclose(g["hidden"], g["output"] * torch.tanh(g["cell"]), atol=1e-6)
        for name in ("forget", "input", "output"):
            assert ((g[name] > 0) & (g[name] < 1))[valid.expand_as(g[name])].all(), name
        for name in ("candidate", "hidden"):
            assert (g[name].abs() < 1).all(), name
        for name, value in g.items():
            assert value.shape == (SEQ, BATCH, HID)
            assert value[~valid.expand_as(value)].abs().sum() == 0, name
        last = [0] * BATCH if reverse else [length - 1 for length in LENGTHS]
        assert torch.equal(h_n[k], g["hidden"][last, list(range(BATCH))])
        assert torch.equal(c_n[k], g["cell"][last, list(range(BATCH))])
    assert torch.equal(out, torch.cat([gates[2]["hidden"], gates[3]["hidden"]], dim=2))


def test_forget_gate_is_sigmoid_of_weights_times_previous_hidden_and_input():
    ref, _ = make_pair()
    x = make_input()
    _, _, (g,) = ref(x, return_gates=True)
    rows = slice(HID, 2 * HID)  # nn.LSTM stacks i, f, g, o
    w_f = torch.cat([ref.weight_hh_l0[rows], ref.weight_ih_l0[rows]], dim=1)
    b_f = ref.bias_ih_l0[rows] + ref.bias_hh_l0[rows]
    h_prev = torch.cat([torch.zeros(1, BATCH, HID), g["hidden"][:-1]])
    expected = torch.sigmoid(torch.cat([h_prev, x], dim=2) @ w_f.T + b_f)
    assert torch.allclose(g["forget"], expected, atol=1e-6)


def test_gates_are_batch_first_when_the_input_is():
    ref, _ = make_pair(batch_first=True)
    out, _, (g,) = ref(make_input(batch_first=True), return_gates=True)
    assert out.shape == (BATCH, SEQ, HID)
    assert all(value.shape == (BATCH, SEQ, HID) for value in g.values())
    assert torch.equal(g["hidden"], out)


def test_sizes_and_directions():
    ref = ReferenceLSTM(IN, HID, 2, bidirectional=True)
    assert (ref.get_input_dim(), ref.get_output_dim(), ref.num_directions) == (IN, 2 * HID, 2)


def test_options_of_reference_lstm_build_it_and_leave_out_encoder_only_settings():
    options = ReferenceLSTMOptions(hidden_size=HID, num_layers=1, dropout=0.0)
    assert not {"input_dropout", "hidden_dropout", "output_dropout", "weight_drop"} & set(
        options.as_dict()
    )
    ref = ReferenceLSTM(IN, **options.as_dict())
    assert ref(make_input())[0].shape == (SEQ, BATCH, HID)
    with pytest.raises(TypeError):
        ReferenceLSTM(IN, HID, weight_drop=0.0)  # nn.LSTM's arguments only


@pytest.mark.parametrize(
    "node,message",
    [
        (dict(weight_drop=0.5), "encoder.weight_drop is not an option of encoder 'reference_lstm'"),
        (
            dict(hidden_dropout=0.1),
            "encoder.hidden_dropout is not an option of encoder 'reference_lstm'",
        ),
        (dict(colour=0), "encoder.colour"),
        (dict(hidden_size=0), "encoder.hidden_size must be an integer in [1, 65536], got 0"),
        (dict(num_layers=0), "encoder.num_layers"),
        (dict(dropout=1.0), "encoder.dropout must be a number in [0, 1), got 1.0"),
        (dict(bidirectional="yes"), "encoder.bidirectional"),
    ],
)
def test_invalid_settings_raise_config_error(node, message):
    with pytest.raises(ConfigError) as err:
        ENCODERS.options({"name": "reference_lstm", **node})
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    "key,value", [("input_size", -1), ("hidden_size", 0), ("num_layers", 0), ("dropout", 1.5)]
)
def test_bad_sizes_are_a_value_error_of_the_module(key, value):
    args = dict(input_size=IN, hidden_size=HID) | {key: value}
    with pytest.raises(ValueError, match=f"{key}={value}") as err:
        ReferenceLSTM(**args)
    assert not isinstance(err.value, ConfigError)  # as nn.LSTM; configs are checked earlier


def test_bad_lengths_are_refused():
    ref, _ = make_pair()
    for lengths in ([SEQ + 1, 1, 1], [0, 1, 1], [1, 1]):
        with pytest.raises(ValueError, match="lengths"):
            ref(make_input(), lengths=lengths)
