"""MogrifierLSTM: with rounds=0 it is torch.nn.LSTM; with rounds > 0 each step computes the
Mogrifier equations (Melis et al. 2020), its gates obey the LSTM equations, every gating matrix
learns, it meets the encoder contract and it trains from the command line."""

import json
import math
from itertools import product

import pytest
import torch
from cli_helpers import metrics, train
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.encoder import Encoder, ExposesGates, HasLSTMWeights
from lstm_nlp.modules.mogrifier_lstm import MogrifierLSTM
from lstm_nlp.modules.options import MogrifierLSTMOptions
from lstm_nlp.tasks.components import build_encoder

IN, HID, SEQ, BATCH = 3, 4, 5, 3
LENGTHS = [5, 2, 4]  # unsorted on purpose; one sequence is full length
TOL = dict(atol=1e-5, rtol=0)
GATES = {"forget", "input", "candidate", "output", "cell", "hidden"}


def make_input(batch_first=False, seq=SEQ, seed=1):
    torch.manual_seed(seed)
    shape = (BATCH, seq, IN) if batch_first else (seq, BATCH, IN)
    return torch.randn(shape, dtype=torch.float64)


def make_state(num_layers, bidirectional, seed=2):
    torch.manual_seed(seed)
    shape = (num_layers * (2 if bidirectional else 1), BATCH, HID)
    return torch.randn(shape, dtype=torch.float64), torch.randn(shape, dtype=torch.float64)


def run_nn(lstm, x, hx=None, lengths=None):
    """nn.LSTM on padded input, or on the packed batch padded back when lengths are given."""
    if lengths is None:
        return lstm(x, hx)
    packed = pack_padded_sequence(x, torch.tensor(lengths), lstm.batch_first, enforce_sorted=False)
    out, state = lstm(packed, hx)
    out, _ = pad_packed_sequence(
        out, lstm.batch_first, total_length=x.shape[1 if lstm.batch_first else 0]
    )
    return out, state


# -- 1. rounds=0 is nn.LSTM ------------------------------------------------------------------


@pytest.mark.parametrize(
    "num_layers,bidirectional,batch_first,given_hx,lengths",
    list(product([1, 2], [False, True], [False, True], [False, True], [None, LENGTHS])),
)
def test_zero_rounds_is_nn_lstm(num_layers, bidirectional, batch_first, given_hx, lengths):
    torch.manual_seed(0)
    args = dict(num_layers=num_layers, batch_first=batch_first, bidirectional=bidirectional)
    lstm = nn.LSTM(IN, HID, **args).double()
    mog = MogrifierLSTM(IN, HID, rounds=0, **args).double()
    assert not torch.equal(mog.weight_ih_l0, lstm.weight_ih_l0)  # the copy below matters
    mog.load_state_dict(lstm.state_dict())  # strict: exactly nn.LSTM's names and shapes
    assert mog.state_dict().keys() == lstm.state_dict().keys()

    x = make_input(batch_first)
    hx = make_state(num_layers, bidirectional) if given_hx else None
    x_nn, x_mog = x.clone().requires_grad_(), x.clone().requires_grad_()
    out_nn, (h_nn, c_nn) = run_nn(lstm, x_nn, hx, lengths)
    out, (h, c) = mog(x_mog, hx, lengths=lengths)

    dirs = 2 if bidirectional else 1
    assert (
        out.shape == out_nn.shape == ((BATCH, SEQ) if batch_first else (SEQ, BATCH)) + (HID * dirs,)
    )
    assert h.shape == c.shape == (num_layers * dirs, BATCH, HID)
    for a, b in ((out, out_nn), (h, h_nn), (c, c_nn)):
        assert torch.allclose(a, b, **TOL), (a - b).abs().max()
    assert out_nn.abs().sum() > 0 and c_nn.abs().sum() > 0  # not a comparison of zeros

    torch.manual_seed(5)
    w = torch.randn_like(out)
    (out_nn * w).sum().add(c_nn.sum()).backward()
    (out * w).sum().add(c.sum()).backward()
    assert torch.allclose(x_mog.grad, x_nn.grad, **TOL)

    if lengths is not None:
        out_tb = out.transpose(0, 1) if batch_first else out
        for b, length in enumerate(lengths):
            assert out_tb[length:, b].abs().sum() == 0
            assert out_tb[:length, b].abs().min() > 0


def test_zero_rounds_without_bias_is_nn_lstm():
    torch.manual_seed(0)
    lstm = nn.LSTM(IN, HID, 2, bias=False).double()
    mog = MogrifierLSTM(IN, HID, 2, bias=False, rounds=0).double()
    mog.load_state_dict(lstm.state_dict())
    assert not any("bias" in name for name, _ in mog.named_parameters())
    out_nn, (h_nn, c_nn) = lstm(make_input())
    out, (h, c) = mog(make_input())
    for a, b in ((out, out_nn), (h, h_nn), (c, c_nn)):
        assert torch.allclose(a, b, **TOL)


# -- 2. rounds > 0: the Mogrifier equations, by hand -------------------------------------------


def dense(matrix: nn.Module) -> torch.Tensor:
    """The gating matrix as one (n_out, n_in) tensor (a product of two when factorised)."""
    if isinstance(matrix, nn.Linear):
        assert matrix.bias is None
        return matrix.weight
    first, second = matrix  # rank > 0: n_in -> rank -> n_out
    assert first.weight.shape[0] == second.weight.shape[1]
    return second.weight @ first.weight


def by_hand(mog, x, h0, c0):
    """A one-layer Mogrifier LSTM (both directions when bidirectional), written out from the
    paper's equations and nn.LSTM's gate rows (i, f, g, o), with the module's own weights."""
    outputs, h_n, c_n = [], [], []
    seq = x.shape[0]
    for k, suffix in enumerate(["_l0", "_l0_reverse"][: mog.num_directions]):
        w_ih, w_hh = getattr(mog, "weight_ih" + suffix), getattr(mog, "weight_hh" + suffix)
        b = getattr(mog, "bias_ih" + suffix) + getattr(mog, "bias_hh" + suffix)
        matrices = [dense(m) for m in mog.mogrifiers[k]]
        h, c = h0[k], c0[k]
        hidden = [None] * seq
        for t in reversed(range(seq)) if k else range(seq):
            xt, ht = x[t], h
            for i, m in enumerate(matrices, start=1):
                if i % 2:  # odd: Q^i maps the state onto the input
                    xt = 2 * torch.sigmoid(ht @ m.T) * xt
                else:  # even: R^i maps the input onto the state
                    ht = 2 * torch.sigmoid(xt @ m.T) * ht
            pre = xt @ w_ih.T + ht @ w_hh.T + b
            i_g = torch.sigmoid(pre[:, :HID])
            f_g = torch.sigmoid(pre[:, HID : 2 * HID])
            g_g = torch.tanh(pre[:, 2 * HID : 3 * HID])
            o_g = torch.sigmoid(pre[:, 3 * HID :])
            c = f_g * c + i_g * g_g
            h = o_g * torch.tanh(c)
            hidden[t] = h
        outputs.append(torch.stack(hidden))
        h_n.append(h)
        c_n.append(c)
    return torch.cat(outputs, dim=2), torch.stack(h_n), torch.stack(c_n)


@pytest.mark.parametrize(
    "rounds,rank,bidirectional,seq",
    [
        (1, 0, False, 1),
        (2, 0, False, 1),
        (5, 0, False, 1),
        (4, 2, False, 1),
        (5, 0, True, 1),
        (3, 0, True, 4),
        (5, 2, True, 4),
    ],
)
def test_rounds_compute_the_mogrifier_equations(rounds, rank, bidirectional, seq):
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, bidirectional=bidirectional, rounds=rounds, rank=rank).double()
    for matrices in mog.mogrifiers:
        assert len(matrices) == rounds
        for i, m in enumerate(matrices, start=1):
            # odd rounds: hidden -> input; even rounds: input -> hidden
            assert dense(m).shape == ((IN, HID) if i % 2 else (HID, IN))
            if rank:
                assert [layer.weight.shape for layer in m] == (
                    [(rank, HID), (IN, rank)] if i % 2 else [(rank, IN), (HID, rank)]
                )
    x = make_input(seq=seq)
    h0, c0 = make_state(1, bidirectional)
    out, (h, c) = mog(x, (h0, c0))
    with torch.no_grad():
        expected_out, expected_h, expected_c = by_hand(mog, x, h0, c0)
    for a, b in ((out, expected_out), (h, expected_h), (c, expected_c)):
        assert a.shape == b.shape
        assert torch.allclose(a, b, **TOL), (a - b).abs().max()

    # ... and it is not the plain LSTM with the same LSTM weights
    plain = nn.LSTM(IN, HID, bidirectional=bidirectional).double()
    plain.load_state_dict({k: v for k, v in mog.state_dict().items() if "mogrifiers" not in k})
    out_plain, (h_plain, _) = plain(x, (h0, c0))
    assert (out - out_plain).abs().max() > 1e-3
    assert (h - h_plain).abs().max() > 1e-3


def test_rank_factorises_with_fewer_parameters():
    full = MogrifierLSTM(20, 30, rounds=4, rank=0)
    low = MogrifierLSTM(20, 30, rounds=4, rank=2)

    def count(m):
        return sum(p.numel() for p in m.mogrifiers.parameters())

    assert count(full) == 4 * 20 * 30
    assert count(low) == 4 * 2 * (20 + 30)


# -- 3. the gates obey the LSTM equations -----------------------------------------------------


def previous_cells(cell, lengths, reverse):
    """C_{t-1} for each step (C_{t+1} for the backward direction), starting from zero."""
    prev = torch.zeros_like(cell)
    for b, length in enumerate(lengths):
        steps = list(range(length))[::-1] if reverse else list(range(length))
        state = torch.zeros_like(cell[0, b])
        for t in steps:
            prev[t, b] = state
            state = cell[t, b]
    return prev


@pytest.mark.parametrize("lengths", [None, LENGTHS])
def test_gates_satisfy_the_lstm_equations(lengths):
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, 2, dropout=0.5, bidirectional=True, rounds=3).double()
    mog.eval()  # dropout between layers would make forward() and forward_with_gates() differ
    x = make_input()
    out, (h_n, c_n), gates = mog.forward_with_gates(x, lengths=lengths)
    lens = lengths or [SEQ] * BATCH
    valid = (torch.arange(SEQ).unsqueeze(1) < torch.tensor(lens)).unsqueeze(2)
    assert len(gates) == 4  # layer 0 forward, layer 0 backward, layer 1 forward, backward
    for k, g in enumerate(gates):
        assert set(g) == GATES
        for name, value in g.items():
            assert value.shape == (SEQ, BATCH, HID), name
            assert value[~valid.expand_as(value)].abs().sum() == 0, name
        reverse = k % 2 == 1
        c_prev = previous_cells(g["cell"], lens, reverse)
        expected_cell = (g["forget"] * c_prev + g["input"] * g["candidate"]) * valid
        assert torch.allclose(g["cell"], expected_cell, atol=1e-10)
        assert torch.allclose(g["hidden"], g["output"] * torch.tanh(g["cell"]), atol=1e-10)
        for name in ("forget", "input", "output"):
            assert ((g[name] > 0) & (g[name] < 1))[valid.expand_as(g[name])].all(), name
        assert (g["candidate"].abs() < 1).all()
        last = [0] * BATCH if reverse else [n - 1 for n in lens]
        assert torch.equal(h_n[k], g["hidden"][last, list(range(BATCH))])
        assert torch.equal(c_n[k], g["cell"][last, list(range(BATCH))])
    assert torch.equal(out, torch.cat([gates[2]["hidden"], gates[3]["hidden"]], dim=2))
    out_fw, (h_fw, c_fw) = mog(x, lengths=lengths)
    assert torch.allclose(out_fw, out, atol=1e-12)
    assert torch.allclose(h_fw, h_n, atol=1e-12) and torch.allclose(c_fw, c_n, atol=1e-12)
    assert out.abs().sum() > 0


def test_gates_are_those_of_the_mogrified_input_and_state():
    """The forget gate is sigmoid(W_if x~ + W_hf h~ + b_f) of the mogrified x~ and h~; in
    forward_with_gates, h_{t-1} is the previous step's hidden (zero at the start)."""
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, rounds=4).double().eval()
    x = make_input()
    _, _, (g,) = mog.forward_with_gates(x)
    h_prev = torch.cat([torch.zeros(1, BATCH, HID, dtype=x.dtype), g["hidden"][:-1]])
    matrices = [dense(m) for m in mog.mogrifiers[0]]
    xt, ht = x, h_prev
    for i, m in enumerate(matrices, start=1):
        if i % 2:
            xt = 2 * torch.sigmoid(ht @ m.T) * xt
        else:
            ht = 2 * torch.sigmoid(xt @ m.T) * ht
    rows = slice(HID, 2 * HID)  # f
    pre_f = (
        xt @ mog.weight_ih_l0[rows].T
        + ht @ mog.weight_hh_l0[rows].T
        + mog.bias_ih_l0[rows]
        + mog.bias_hh_l0[rows]
    )
    assert torch.allclose(g["forget"], torch.sigmoid(pre_f), atol=1e-10)
    # without the rounds it would be something else
    raw_f = x @ mog.weight_ih_l0[rows].T + h_prev @ mog.weight_hh_l0[rows].T
    raw_f = torch.sigmoid(raw_f + mog.bias_ih_l0[rows] + mog.bias_hh_l0[rows])
    assert (g["forget"] - raw_f).abs().max() > 1e-4


def test_gates_are_batch_first_when_the_input_is():
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, batch_first=True, rounds=2).double().eval()
    x = make_input(batch_first=True)
    out, _, (g,) = mog.forward_with_gates(x)
    assert out.shape == (BATCH, SEQ, HID)
    assert all(value.shape == (BATCH, SEQ, HID) for value in g.values())
    assert torch.equal(g["hidden"], out)
    assert torch.allclose(mog(x)[0], out, atol=1e-12)


# -- 4. every gating matrix learns -----------------------------------------------------------


@pytest.mark.parametrize("rounds,rank", [(2, 0), (3, 0), (5, 2)])
def test_gradients_reach_every_gating_matrix(rounds, rank):
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, 2, bidirectional=True, rounds=rounds, rank=rank)
    params = list(mog.mogrifiers.named_parameters())
    assert len(params) == 4 * rounds * (2 if rank else 1)
    torch.manual_seed(1)
    x = torch.randn(SEQ, BATCH, IN)
    out, (h, c) = mog(x)
    (out * torch.randn_like(out)).sum().backward()
    for name, p in params:
        assert p.grad is not None, name
        assert p.grad.abs().sum() > 0, name
    for name, p in mog.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_dropout_between_layers_acts_in_training_only():
    torch.manual_seed(0)
    mog = MogrifierLSTM(IN, HID, 2, dropout=0.5, rounds=2)
    x = torch.randn(SEQ, BATCH, IN)
    assert not torch.equal(mog(x)[0], mog(x)[0])
    mog.eval()
    assert torch.equal(mog(x)[0], mog(x)[0])


# -- 5. the encoder contract -----------------------------------------------------------------


def test_meets_the_encoder_contract_but_has_no_plain_lstm_weights():
    mog = MogrifierLSTM(IN, HID, 2, bidirectional=True, rounds=2)
    assert isinstance(mog, Encoder)
    assert isinstance(mog, ExposesGates)
    assert not isinstance(mog, HasLSTMWeights)  # ablation must refuse it
    assert mog.state_layout == ("h", "c")
    assert (mog.get_input_dim(), mog.get_output_dim()) == (IN, 2 * HID)
    assert (mog.input_size, mog.hidden_size, mog.num_layers) == (IN, HID, 2)
    assert mog.bidirectional and not mog.batch_first


# -- 6. options and the registry -------------------------------------------------------------


@pytest.mark.parametrize("field", ["rounds", "rank"])
def test_negative_rounds_or_rank_are_a_config_error(field):
    with pytest.raises(ConfigError, match=field) as err:
        MogrifierLSTMOptions(**{field: -1})
    assert "\n" not in str(err.value)
    assert MogrifierLSTMOptions(**{field: 0}).as_dict()[field] == 0


def test_the_registry_builds_it():
    enc = build_encoder(
        {"name": "mogrifier_lstm", "hidden_size": 8, "num_layers": 1, "rounds": 2}, input_size=6
    )
    assert type(enc) is MogrifierLSTM
    assert (enc.rounds, enc.rank, enc.input_size, enc.hidden_size, enc.num_layers) == (
        2,
        0,
        6,
        8,
        1,
    )
    assert len(enc.mogrifiers) == 1 and len(enc.mogrifiers[0]) == 2
    out, (h, c) = enc(torch.randn(4, 2, 6))
    assert out.shape == (4, 2, 8) and h.shape == c.shape == (1, 2, 8)
    with pytest.raises(ConfigError, match="rounds"):
        build_encoder({"name": "mogrifier_lstm", "rounds": -2}, input_size=6)


# -- 7. it trains from the command line ------------------------------------------------------


@pytest.mark.slow
def test_trains_on_the_embedded_corpus(tmp_path):
    run_dir = tmp_path / "run"
    proc = train(
        "encoder=mogrifier_lstm",
        "encoder.rounds=2",
        "data.train_sentences=1500",
        "data.valid_sentences=150",
        "data.test_sentences=150",
        "trainer.max_epochs=2",
        f"run_dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert m["epochs"] == 2
    assert math.isfinite(m["val/ppl"]) and 1 < m["val/ppl"] < m["data/vocab_size"] / 5, m
    records = json.loads((run_dir / "report" / "history.json").read_text())["records"]
    val = {r["epoch"]: r["val/loss"] for r in records if r.get("val/loss") is not None}
    assert sorted(val) == [0, 1], records
    assert val[1] < val[0], val
    assert math.isclose(val[1], m["val/loss"], rel_tol=1e-6)
