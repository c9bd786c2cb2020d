"""AWD-LSTM as its paper and code have it: the last layer as wide as the tied embedding
(``encoder.last_layer_size``), and the ``awd_lstm`` / ``awd_lstm_wt2`` presets, which compose
with AWD's values and train (shrunk) with NT-ASGD and its fine-tuning phase."""

from __future__ import annotations

import pytest
import torch
from cli_helpers import config_error

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.errors import ConfigError
from lstm_nlp.modules.lstm_encoder import LSTMEncoder
from lstm_nlp.registry import TASKS
from lstm_nlp.tasks.language_model import HIDDEN_KEY, LanguageModel
from lstm_nlp.training.averaged_weights import ITERATE_KEY
from lstm_nlp.training.runner import train

ENCODER = {"name": "lstm", "hidden_size": 6, "num_layers": 3, "dropout": 0.0}


# -- the last layer's size ------------------------------------------------------------------------
@pytest.mark.parametrize("last", [3, 8])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_the_last_layer_has_its_own_size_and_the_state_goes_back_in(last, bidirectional):
    torch.manual_seed(0)
    encoder = LSTMEncoder(
        5, 6, 3, bidirectional=bidirectional, last_layer_size=last, weight_drop=0.5
    ).double()
    d, width = (2 if bidirectional else 1), max(6, last)
    assert encoder.get_output_dim() == last * d and encoder.layer_sizes == (6, 6, last)
    assert [lstm.hidden_size for lstm in encoder.lstms] == [6, 6, last]
    assert encoder.lstms[2].input_size == 6 * d
    encoder.eval()
    x = torch.randn(7, 2, 5, dtype=torch.float64)
    output, (h, c) = encoder(x)
    assert output.shape == (7, 2, last * d)
    assert h.shape == c.shape == (3 * d, 2, width)  # one tensor per name, as the contract says
    for k, size in enumerate(encoder.layer_sizes):  # a narrower layer's units, then zeros
        rows = slice(k * d, (k + 1) * d)
        assert torch.all(h[rows, :, size:] == 0) and torch.all(c[rows, :, size:] == 0)
    if not bidirectional:  # the state carried into the next window continues the sequence
        first, state = encoder(x[:4])
        rest, _ = encoder(x[4:], state)
        assert torch.allclose(torch.cat([first, rest]), output, atol=1e-10)
    packed, (hp, _) = encoder(x, lengths=[7, 3])  # packing: each sequence's own last state
    alone, (ha, _) = encoder(x[:3, 1:])
    assert torch.allclose(packed[:3, 1:], alone) and torch.allclose(hp[:, 1:], ha)


def test_views_that_need_one_size_refuse_in_one_line():
    encoder = LSTMEncoder(5, 6, 2, last_layer_size=3)
    for view in (encoder.as_reference, encoder.to_nn_lstm_state_dict):
        with pytest.raises(ConfigError, match=r"needs layers of one size; .* last layer has 3"):
            view()
    same = LSTMEncoder(5, 6, 2, last_layer_size=6)  # the default layout, one nn.LSTM
    assert not same.per_layer and same.as_reference() is not None


def test_only_the_lstm_encoder_has_the_option():
    line = config_error("train", "encoder=mogrifier_lstm", "encoder.last_layer_size=4")
    assert "encoder.last_layer_size is not an option of encoder 'mogrifier_lstm'" in line
    line = config_error("train", "encoder.last_layer_size=0")
    assert "encoder.last_layer_size must be" in line


@pytest.mark.filterwarnings("ignore:You are trying to .self.log")
def test_a_tied_decoder_needs_no_projection_and_the_carried_state_is_saved():
    options = {"embedding_dim": 4, "tie_weights": True, "bptt": 5, "dropout": 0.0}
    projected = LanguageModel(30, ENCODER, {"name": "sgd"}, **options)
    assert projected.decoder.projection is not None  # 6 -> 4 before the tied decoder
    model = LanguageModel(30, {**ENCODER, "last_layer_size": 4}, {"name": "sgd"}, **options)
    assert model.decoder.projection is None
    assert model.decoder.decoder.weight is model.embedding.weight
    last_layer = {6: 4 * 6 * (6 + 6) + 8 * 6, 4: 4 * 4 * (6 + 4) + 8 * 4}  # width: parameters
    saved = 6 * 4 + last_layer[6] - last_layer[4]  # the projection, and a narrower last layer
    count = [sum(p.numel() for p in m.parameters()) for m in (projected, model)]
    assert count[0] - count[1] == saved
    tokens = torch.randint(0, 30, (6, 3))
    model.training_step((tokens[:5], tokens[1:]), 0)
    checkpoint: dict = {}
    model.on_save_checkpoint(checkpoint)
    h, c = checkpoint[HIDDEN_KEY]["ranks"]
    assert h.shape == c.shape == (1, 3, 3, 6)  # (ranks, layers, batch, widest layer)
    again = LanguageModel(30, {**ENCODER, "last_layer_size": 4}, {"name": "sgd"}, **options)
    again.on_load_checkpoint(checkpoint)
    assert torch.equal(again._hidden["train"][0], model._hidden["train"][0])
    again.training_step((tokens[:5], tokens[1:]), 0)  # the restored state goes back in


@pytest.mark.filterwarnings("ignore:You are trying to .self.log")
def test_a_one_step_window_has_no_temporal_penalty_to_make_nan():
    """A stream's last window can be one step long; TAR then has no pair of steps."""
    model = LanguageModel(30, ENCODER, {"name": "sgd"}, embedding_dim=4, ar_alpha=2.0, tar_beta=1.0)
    tokens = torch.randint(0, 30, (2, 3))
    assert torch.isfinite(model.training_step((tokens[:1], tokens[1:]), 0)["loss"])


# -- the presets ----------------------------------------------------------------------------------
def load(*overrides):
    prepare(COMMAND, [])
    return compose("train", list(overrides))


def awd_parameters(vocab: int, emsize: int = 400, nhid: int = 1150) -> int:
    """AWD's model.py: a tied embedding, LSTMs 400 -> 1150 -> 1150 -> 400 (two bias vectors
    each), the decoder's bias."""
    sizes = [(emsize, nhid), (nhid, nhid), (nhid, emsize)]
    return vocab * emsize + sum(4 * h * (i + h) + 8 * h for i, h in sizes) + vocab


def test_the_presets_have_awds_values():
    ptb, wt2 = load("experiment=awd_lstm"), load("experiment=awd_lstm_wt2")
    for cfg in (ptb, wt2):  # main.py's defaults, the same for both corpora
        task, encoder, optim = cfg.task, cfg.encoder, cfg.optim
        assert (encoder.num_layers, encoder.hidden_size, encoder.last_layer_size) == (3, 1150, 400)
        assert (task.embedding_dim, task.tie_weights, task.bptt, task.variable_bptt) == (
            400,
            True,
            70,
            True,
        )
        assert (task.dropout, encoder.dropout, encoder.output_dropout) == (0.0, 0.0, 0.4)
        assert (task.embedding_dropout, encoder.weight_drop) == (0.1, 0.5)
        assert (task.ar_alpha, task.tar_beta, task.eval_batch_size, task.init_range) == (
            2.0,
            1.0,
            10,
            0.1,
        )
        assert (optim.name, optim.lr, optim.weight_decay, optim.nonmono) == (
            "nt_asgd",
            30.0,
            1.2e-6,
            5,
        )
        assert (optim.scheduler.name, cfg.trainer.gradient_clip_val) == ("none", 0.25)
        assert cfg.trainer.val_check_interval == 1.0  # the trigger sees one value per epoch
    # the README's commands: PTB --batch_size 20 --dropouti 0.4 --dropouth 0.25 --seed 141
    # --epoch 500; WT2 --epochs 750 --dropouth 0.2 --seed 1882 (batch 80, dropouti 0.65: defaults)
    assert (ptb.task.batch_size, ptb.encoder.input_dropout, ptb.encoder.hidden_dropout) == (
        20,
        0.4,
        0.25,
    )
    assert (ptb.seed, ptb.trainer.max_epochs) == (141, 500)
    assert (wt2.task.batch_size, wt2.encoder.input_dropout, wt2.encoder.hidden_dropout) == (
        80,
        0.65,
        0.2,
    )
    assert (wt2.seed, wt2.trainer.max_epochs) == (1882, 750)
    # the paper's sizes: 24M parameters with PTB's 10k words, 33M with WikiText-2's 33,278
    model = LanguageModel(10_000, ptb.encoder, ptb.optim, options=TASKS.options(ptb.task))
    assert model.decoder.projection is None
    assert sum(p.numel() for p in model.parameters()) == awd_parameters(10_000) == 24_221_600
    assert round(awd_parameters(33_278) / 1e6) == 34  # the paper rounds 33.6M down


TINY = [
    "experiment=awd_lstm_wt2",
    "encoder.hidden_size=24",
    "task.embedding_dim=12",
    "task.batch_size=8",
    "task.bptt=12",
    "data.train_sentences=200",
    "data.valid_sentences=40",
    "data.test_sentences=40",
    "trainer.max_epochs=2",
    "logger=none",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
]


def test_the_preset_trains_shrunk_and_fine_tunes_from_its_best_checkpoint(tmp_path, capsys):
    first = tmp_path / "first"
    metrics = train(load(*TINY, f"run_dir={first}"), first)
    assert metrics["epochs"] == 2 and metrics["test/ppl"] > 1
    best = first / "checkpoints" / "best.ckpt"
    state = torch.load(best, weights_only=True)["state_dict"]
    assert state["encoder.lstms.2.weight_hh_l0"].shape == (4 * 12, 12)  # the last layer: 12
    assert "decoder.projection.weight" not in state

    tuned = tmp_path / "tuned"
    overrides = [*TINY, f"optim.finetune_from={best}", f"run_dir={tuned}"]
    metrics = train(load(*overrides), tuned)
    assert f"NT-ASGD fine-tuning from {best}" in capsys.readouterr().out
    last = torch.load(tuned / "checkpoints" / "best.ckpt", weights_only=True)
    nt = last["optimizer_states"][0]["nt_asgd"]
    assert nt["averaging"] and nt["averaged_steps"] == last["global_step"]  # from the first step
    ax = last["optimizer_states"][0]["state"]
    means = [ax[i]["ax"] for i in sorted(ax)]  # in parameter order: the model's own
    names = list(last[ITERATE_KEY])
    assert len(names) == len(means)
    for name, mean in zip(names, means, strict=True):  # the checkpoint holds the mean
        assert torch.equal(last["state_dict"][name], mean)
    assert not all(torch.equal(last["state_dict"][n], last[ITERATE_KEY][n]) for n in names)
    assert metrics["val/ppl"] > 1
