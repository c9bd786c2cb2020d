"""LSTMEncoder: nn.LSTM semantics, packing, the AWD regularisers, and the fused kernel."""

from itertools import product

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.profiler import ProfilerActivity, profile

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules import LSTMEncoder, ReferenceLSTM, hidden_weight_names
from lstm_nlp.modules.options import LSTMEncoderOptions
from lstm_nlp.registry import ENCODERS
from lstm_nlp.tasks.options import LanguageModelOptions

IN, HID, SEQ, BATCH = 3, 5, 6, 4
LENGTHS = [4, 6, 1, 3]  # unsorted; one sequence is full length


def make_encoder(seed=0, **kwargs):
    torch.manual_seed(seed)
    return LSTMEncoder(IN, HID, **kwargs)


def make_input(batch_first=False, seed=1):
    torch.manual_seed(seed)
    return torch.randn((BATCH, SEQ, IN) if batch_first else (SEQ, BATCH, IN))


def random_state(encoder, seed=2):
    torch.manual_seed(seed)
    shape = (encoder.num_layers * encoder.num_directions, BATCH, HID)
    return torch.randn(shape), torch.randn(shape)


def twin_nn_lstm(encoder, module=nn.LSTM):
    """An nn.LSTM (or ReferenceLSTM) with the encoder's sizes and weights."""
    lstm = module(
        IN,
        HID,
        encoder.num_layers,
        batch_first=encoder.batch_first,
        bidirectional=encoder.bidirectional,
    )
    lstm.load_state_dict(encoder.to_nn_lstm_state_dict())
    return lstm.eval()


def run_packed(lstm, x, hx, lengths, batch_first=False):
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first, enforce_sorted=False)
    out, state = lstm(packed, hx)
    return pad_packed_sequence(out, batch_first, total_length=SEQ)[0], state


SHAPE_CASES = list(
    product([False, True], [1, 2], [False, True], [0.0, 0.3], [0.0, 0.3], [None, LENGTHS])
)


@pytest.mark.parametrize(
    "bidirectional,num_layers,batch_first,hidden_dropout,weight_drop,lengths", SHAPE_CASES
)
def test_output_and_state_shapes(
    bidirectional, num_layers, batch_first, hidden_dropout, weight_drop, lengths
):
    dropout = 0.2 if num_layers > 1 else 0.0
    encoder = make_encoder(
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        dropout=dropout,
        input_dropout=0.1,
        hidden_dropout=hidden_dropout,
        output_dropout=0.1,
        weight_drop=weight_drop,
    )
    directions = 2 if bidirectional else 1
    x = make_input(batch_first)
    for training in (True, False):
        encoder.train(training)
        out, (h_n, c_n) = encoder(x, lengths=lengths)
        assert out.shape == (
            (BATCH, SEQ, HID * directions) if batch_first else (SEQ, BATCH, HID * directions)
        )
        assert h_n.shape == c_n.shape == (num_layers * directions, BATCH, HID)
        assert encoder.get_output_dim() == HID * directions == out.shape[-1]
        if lengths is not None:
            time_major = out.transpose(0, 1) if batch_first else out
            for b, length in enumerate(lengths):
                assert time_major[length:, b].abs().sum() == 0
    assert (encoder.get_input_dim(), encoder.num_directions) == (IN, directions)


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
@pytest.mark.parametrize("batch_first", [False, True])
def test_packing_gives_each_sequence_its_own_result(hidden_dropout, batch_first):
    kwargs = dict(
        num_layers=2, bidirectional=True, batch_first=batch_first, hidden_dropout=hidden_dropout
    )
    encoder = make_encoder(**kwargs).eval()
    x = make_input(batch_first)
    h0, c0 = random_state(encoder)
    out, (h_n, c_n) = encoder(x, (h0, c0), lengths=torch.tensor(LENGTHS))
    for b, length in enumerate(LENGTHS):
        alone = x[b : b + 1, :length] if batch_first else x[:length, b : b + 1]
        out_b, (h_b, c_b) = encoder(alone, (h0[:, b : b + 1], c0[:, b : b + 1]))
        got = out[b, :length] if batch_first else out[:length, b]
        assert torch.allclose(got, out_b.squeeze(0 if batch_first else 1), atol=1e-6)
        assert torch.allclose(h_n[:, b], h_b[:, 0], atol=1e-6)
        assert torch.allclose(c_n[:, b], c_b[:, 0], atol=1e-6)


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_given_hx_is_used_and_matches_nn_lstm(hidden_dropout, lengths):
    encoder = make_encoder(num_layers=2, bidirectional=True, hidden_dropout=hidden_dropout).eval()
    lstm = twin_nn_lstm(encoder)
    x, hx = make_input(), random_state(encoder)
    out, (h_n, c_n) = encoder(x, hx, lengths=lengths)
    expected, (h_nn, c_nn) = lstm(x, hx) if lengths is None else run_packed(lstm, x, hx, lengths)
    for a, b in ((out, expected), (h_n, h_nn), (c_n, c_nn)):
        assert torch.allclose(a, b, atol=1e-6)
    assert not torch.allclose(out, encoder(x, lengths=lengths)[0], atol=1e-3)


ALL_DROPOUTS = dict(
    dropout=0.3, input_dropout=0.3, hidden_dropout=0.3, output_dropout=0.3, weight_drop=0.3
)


@pytest.mark.parametrize("lengths", [None, LENGTHS])
@pytest.mark.parametrize("key", list(ALL_DROPOUTS))
def test_each_dropout_is_random_in_training(key, lengths):
    encoder = make_encoder(num_layers=2, **{key: ALL_DROPOUTS[key]})
    x = make_input()
    first, second = encoder(x, lengths=lengths)[0], encoder(x, lengths=lengths)[0]
    assert not torch.allclose(first, second, atol=1e-3)
    encoder.eval()
    assert torch.equal(encoder(x, lengths=lengths)[0], encoder(x, lengths=lengths)[0])
    assert not torch.allclose(first, encoder(x, lengths=lengths)[0], atol=1e-3)


def test_between_layer_dropout_still_acts_with_one_lstm_per_layer():
    encoder = make_encoder(
        num_layers=2, dropout=0.5, hidden_dropout=1e-9
    )  # locked masks keep everything
    assert encoder.per_layer
    x = make_input()
    assert not torch.allclose(encoder(x)[0], encoder(x)[0], atol=1e-3)


@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_all_dropouts_are_identity_in_eval(lengths):
    encoder = make_encoder(num_layers=2, bidirectional=True, **ALL_DROPOUTS).eval()
    lstm = twin_nn_lstm(encoder)
    x = make_input()
    expected = lstm(x)[0] if lengths is None else run_packed(lstm, x, None, lengths)[0]
    assert torch.allclose(encoder(x, lengths=lengths)[0], expected, atol=1e-6)


def test_output_dropout_is_locked_over_time():
    encoder = make_encoder(output_dropout=0.5)
    x = make_input()
    dropped = encoder(x)[0] == 0
    assert dropped.any()
    assert torch.equal(dropped, dropped[:1].expand_as(dropped))


# -- weight drop -----------------------------------------------------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
def test_weight_drop_is_dropconnect_on_hidden_weights_only(bidirectional):
    encoder = make_encoder(num_layers=2, bidirectional=bidirectional, weight_drop=0.5)
    x = make_input()
    torch.manual_seed(7)
    out = encoder(x)[0]
    torch.manual_seed(7)  # draw the same masks by hand, in the same order
    weights = encoder.to_nn_lstm_state_dict()
    names = hidden_weight_names(encoder.lstm)
    assert (
        names == [n for n in weights if n.startswith("weight_hh")]
        and len(names) == 2 * encoder.num_directions
    )
    weights.update({name: F.dropout(weights[name], 0.5) for name in names})
    lstm = twin_nn_lstm(encoder)
    lstm.load_state_dict(weights)
    assert torch.allclose(out, lstm(x)[0], atol=1e-6)


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
def test_weight_drop_gradients_reach_the_raw_weights(hidden_dropout):
    encoder = make_encoder(num_layers=2, weight_drop=0.5, hidden_dropout=hidden_dropout)
    encoder(make_input(), lengths=LENGTHS)[0].pow(2).sum().backward()
    grads = dict(encoder.named_parameters())
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in grads.values())
    for name, param in grads.items():
        zero_fraction = (param.grad == 0).float().mean().item()
        if "weight_hh" in name:  # dropped connections get no gradient
            assert 0.3 < zero_fraction < 0.7, name
        else:
            assert zero_fraction < 0.1, name


def test_weight_drop_is_deterministic_in_eval_and_random_in_training():
    encoder = make_encoder(weight_drop=0.5)
    x = make_input()
    assert not torch.allclose(encoder(x)[0], encoder(x)[0], atol=1e-4)
    encoder.eval()
    assert torch.equal(encoder(x)[0], encoder(x)[0])
    assert torch.allclose(encoder(x)[0], twin_nn_lstm(encoder)(x)[0], atol=1e-6)


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
def test_weight_drop_adds_no_parameters_and_leaves_the_real_ones_in_place(hidden_dropout):
    plain = make_encoder(num_layers=2, hidden_dropout=hidden_dropout)
    encoder = make_encoder(num_layers=2, hidden_dropout=hidden_dropout, weight_drop=0.5)
    assert list(encoder.state_dict()) == list(plain.state_dict())
    params_before = dict(encoder.named_parameters())
    x = make_input()
    eval_before = encoder.eval()(x)[0]
    encoder.train()(x)[0].sum().backward()
    assert dict(encoder.named_parameters()) == params_before  # the same Parameter objects
    assert all(isinstance(p, nn.Parameter) for p in encoder.parameters())
    assert torch.equal(encoder.eval()(x)[0], eval_before)  # no dropped weight left behind


def test_weight_drop_model_still_learns_a_toy_task():
    """Predict the previous symbol: needs the (DropConnected) recurrent weights."""
    torch.manual_seed(0)
    encoder, decoder = LSTMEncoder(4, 16, weight_drop=0.5), nn.Linear(16, 4)
    optimiser = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=0.03)

    def batch(n):
        symbols = torch.randint(4, (12, n))
        return F.one_hot(symbols, 4).float(), symbols

    def loss(x, symbols):
        logits = decoder(encoder(x)[0][1:])
        return F.cross_entropy(logits.flatten(0, 1), symbols[:-1].flatten())

    test = batch(256)
    with torch.no_grad():
        before = loss(*test).item()
    for _ in range(100):
        optimiser.zero_grad()
        loss(*batch(32)).backward()
        optimiser.step()
    encoder.eval()
    with torch.no_grad():
        after = loss(*test).item()
    assert before > 1.2 and after < 0.2 * before


def lstm_kernel_calls(encoder, x, lengths):
    """Counts of the profiled LSTM kernels and step-level ops for one forward + backward."""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        encoder(x, lengths=lengths)[0].sum().backward()
    watched = ("lstm", "rnn", "sigmoid", "tanh", "addmm", "linear", "matmul")
    return {e.key: e.count for e in prof.key_averages() if any(w in e.key for w in watched)}


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_weight_drop_runs_the_same_fused_kernel_as_plain_lstm(hidden_dropout, lengths):
    kwargs = dict(num_layers=2, bidirectional=True, hidden_dropout=hidden_dropout)
    x = make_input()
    plain = lstm_kernel_calls(make_encoder(**kwargs), x, lengths)
    dropped = lstm_kernel_calls(make_encoder(weight_drop=0.5, **kwargs), x, lengths)
    assert dropped == plain
    assert dropped["aten::lstm"] == (2 if hidden_dropout else 1)  # one fused call per nn.LSTM
    assert "aten::lstm_cell" not in dropped
    mkldnn = torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
    if lengths is None and mkldnn:  # on CPU, padded input runs oneDNN's LSTM
        assert "aten::mkldnn_rnn_layer" in dropped


# -- weight layout -----------------------------------------------------------------------


@pytest.mark.parametrize("hidden_dropout", [0.0, 0.3])
def test_weights_convert_to_and_from_nn_lstm_names(hidden_dropout):
    encoder = make_encoder(num_layers=3, bidirectional=True, hidden_dropout=hidden_dropout).eval()
    names = list(encoder.to_nn_lstm_state_dict())
    assert names == list(nn.LSTM(IN, HID, 3, bidirectional=True).state_dict())
    x = make_input()
    for module in (nn.LSTM, ReferenceLSTM):
        assert torch.allclose(twin_nn_lstm(encoder, module)(x)[0], encoder(x)[0], atol=1e-5)
    other = make_encoder(
        seed=9, num_layers=3, bidirectional=True, hidden_dropout=hidden_dropout
    ).eval()
    assert not torch.allclose(other(x)[0], encoder(x)[0], atol=1e-3)
    other.load_nn_lstm_state_dict(twin_nn_lstm(encoder).state_dict())
    assert torch.allclose(other(x)[0], encoder(x)[0], atol=1e-6)


def test_state_dict_loads_across_the_two_layouts():
    fused = make_encoder(num_layers=2, bidirectional=True).eval()
    per_layer = make_encoder(seed=5, num_layers=2, bidirectional=True, hidden_dropout=0.3).eval()
    assert any(key.startswith("lstms.1.") for key in per_layer.state_dict())
    x = make_input()
    wrapped = nn.Sequential(per_layer)  # keys carry a prefix, as inside a bigger model
    wrapped.load_state_dict({"0." + k: v for k, v in fused.state_dict().items()})
    assert torch.allclose(per_layer(x)[0], fused(x)[0], atol=1e-6)
    fresh = make_encoder(seed=6, num_layers=2, bidirectional=True).eval()
    fresh.load_state_dict(per_layer.state_dict())
    assert torch.allclose(fresh(x)[0], fused(x)[0], atol=1e-6)


# -- validation --------------------------------------------------------------------------
# The encoder's options are checked by LSTMEncoderOptions (the one place of each rule); the
# module itself leaves its arguments to torch.nn.LSTM's own checks.

INVALID = [
    ("hidden_size", 0, "hidden_size must be an integer in [1, 65536], got 0"),
    ("hidden_size", 2.5, "hidden_size"),
    ("num_layers", 0, "num_layers must be an integer in [1, 64], got 0"),
    ("bias", "no", "bias"),
    ("batch_first", None, "batch_first"),
    ("bidirectional", 1, "bidirectional"),
    ("dropout", 1.5, "dropout must be a number in [0, 1), got 1.5"),
    ("dropout", -0.1, "dropout"),
    ("input_dropout", 1.0, "input_dropout must be a number in [0, 1), got 1.0"),
    ("hidden_dropout", float("nan"), "hidden_dropout"),
    ("output_dropout", 2, "output_dropout"),
    ("weight_drop", 1.0, "weight_drop must be a number in [0, 1), got 1.0"),
    ("weight_drop", "0.5", "weight_drop"),
]


@pytest.mark.parametrize("key,value,message", INVALID)
def test_invalid_settings_raise_config_error_naming_the_key(key, value, message):
    with pytest.raises(ConfigError) as err:
        LSTMEncoderOptions(**{key: value})
    text = str(err.value)
    assert text.startswith(f"{key} ") and message in text and "\n" not in text


def test_config_errors_name_the_encoder_key():
    with pytest.raises(ConfigError) as err:
        ENCODERS.options({"name": "lstm", "weight_drop": 1.0})
    assert str(err.value) == "encoder.weight_drop must be a number in [0, 1), got 1.0"


def test_default_options_build_an_encoder():
    encoder = LSTMEncoder(IN, **LSTMEncoderOptions(hidden_size=HID).as_dict())
    assert encoder(make_input())[0].shape == (SEQ, BATCH, HID)


def test_bad_input_size_is_refused_by_torch_and_by_the_tasks_options():
    with pytest.raises(ValueError, match="input_size"):
        LSTMEncoder(0, HID)
    # in a run, the encoder's input size is the task's embedding_dim, checked there
    with pytest.raises(
        ConfigError, match=r"^embedding_dim must be an integer in \[1, 65536\], got 0$"
    ):
        LanguageModelOptions(embedding_dim=0)
