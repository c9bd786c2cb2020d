"""``task.init``: pytorch/examples', Zaremba's and torch's initialisation, for every encoder.

The weights' distributions after the model is built: bounds, and a Kolmogorov-Smirnov distance
to the uniform law each scheme promises (seeded, so the test is deterministic).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_helpers import run_cli

from lstm_nlp.cli.common import compose, prepare
from lstm_nlp.cli.train import COMMAND
from lstm_nlp.registry import ENCODERS
from lstm_nlp.tasks.language_model import LanguageModel
from lstm_nlp.training.checks import check_config
from lstm_nlp.training.runner import build_task

prepare(COMMAND, [])
VOCAB, EMB, HIDDEN = 300, 24, 32
OPTIM = {"name": "sgd", "lr": 1.0, "scheduler": {"name": "none"}}
LSTM_WEIGHT = re.compile(r"(weight|bias)_(ih|hh)_l\d+(_reverse)?$")
ENCODER_NAMES = ["lstm", "reference_lstm", "mogrifier_lstm"]


def build(encoder: str, init: str, seed: int = 0, **options) -> LanguageModel:
    torch.manual_seed(seed)
    node = {"name": encoder, "hidden_size": HIDDEN, "num_layers": 2, "dropout": 0.0}
    if encoder == "mogrifier_lstm":
        node["rounds"] = 2
    return LanguageModel(VOCAB, node, OPTIM, embedding_dim=EMB, init=init, **options)


def ks_to_uniform(values: torch.Tensor, bound: float) -> float:
    """Kolmogorov-Smirnov distance between the values and U(-bound, bound)."""
    x = np.sort(values.detach().double().flatten().numpy())
    n = len(x)
    cdf = np.clip((x + bound) / (2 * bound), 0, 1)
    return float(max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max()))


def assert_uniform(name: str, values: torch.Tensor, bound: float) -> None:
    """Within ±bound, spread over it (max near the bound, std bound/sqrt(3)), KS-close to U."""
    n = values.numel()
    assert values.abs().max() <= bound + 1e-7, f"{name} leaves ±{bound}"
    if n < 100:  # too few draws to judge a spread; the bound was checked
        return
    assert values.abs().max() > 0.9 * bound, f"{name} does not reach near ±{bound}"
    std = values.double().std().item()
    assert abs(std - bound / math.sqrt(3)) < 0.1 * bound / math.sqrt(3), (name, std)
    # 1.63/sqrt(n) is the 1% critical value; seeded draws, so this is deterministic
    assert ks_to_uniform(values, bound) < 1.63 / math.sqrt(n), f"{name} is not U(±{bound})"


def test_the_encoders_are_the_registered_ones():
    """Every built-in encoder is covered here (a new one must be added to ENCODER_NAMES)."""
    assert set(ENCODER_NAMES) <= set(ENCODERS.names())


def test_default_is_pytorch_examples():
    assert compose("train", []).task.init == "pytorch_examples"


@pytest.mark.parametrize("encoder", ENCODER_NAMES)
def test_zaremba_draws_every_parameter_uniformly(encoder):
    scale = 0.05
    lm = build(encoder, "zaremba", init_range=scale)
    names = [name for name, _ in lm.named_parameters()]
    assert any(LSTM_WEIGHT.search(n) and "bias" in n for n in names)  # the biases are there
    for name, param in lm.named_parameters():
        assert_uniform(name, param, scale)
    everything = torch.cat([p.detach().flatten() for p in lm.parameters()])
    assert_uniform("all parameters", everything, scale)


@pytest.mark.parametrize("encoder", ENCODER_NAMES)
def test_pytorch_examples_leaves_the_encoder_as_torch_built_it(encoder):
    scale = 0.1
    lm = build(encoder, "pytorch_examples", init_range=scale)
    assert_uniform("embedding.weight", lm.embedding.weight, scale)
    assert_uniform("decoder weight", lm.decoder.decoder.weight, scale)
    assert torch.count_nonzero(lm.decoder.decoder.bias) == 0
    untouched = build(encoder, "torch")  # the same seed: the encoder is drawn before any init
    for (name, mine), (_, torch_s) in zip(
        lm.encoder.named_parameters(), untouched.encoder.named_parameters(), strict=True
    ):
        assert torch.equal(mine, torch_s), f"{name} was changed"
    lstm_bound = 1 / math.sqrt(HIDDEN)  # nn.LSTM's (and ReferenceLSTM's) init
    lstm_weights = [(n, p) for n, p in lm.encoder.named_parameters() if LSTM_WEIGHT.search(n)]
    assert lstm_weights
    for name, param in lstm_weights:
        assert_uniform(name, param, lstm_bound)
    assert max(p.abs().max().item() for _, p in lstm_weights) > 1.5 * scale  # not ±init_range


@pytest.mark.parametrize("encoder", ENCODER_NAMES)
def test_torch_touches_nothing(encoder):
    lm = build(encoder, "torch")
    assert abs(lm.embedding.weight.std().item() - 1.0) < 0.05  # nn.Embedding: N(0, 1)
    fan_in = lm.decoder.decoder.in_features
    assert_uniform("decoder weight", lm.decoder.decoder.weight, 1 / math.sqrt(fan_in))
    bias = lm.decoder.decoder.bias
    assert torch.count_nonzero(bias) == bias.numel()
    assert_uniform("decoder bias", bias, 1 / math.sqrt(fan_in))


def test_zaremba_with_tied_weights_and_with_the_adaptive_head():
    tied = build("lstm", "zaremba", init_range=0.04, tie_weights=True)
    assert tied.decoder.decoder.weight is tied.embedding.weight
    for name, param in tied.named_parameters():
        assert_uniform(name, param, 0.04)
    adaptive = build("lstm", "zaremba", init_range=0.04, head="adaptive", adaptive_cutoffs=[50])
    for name, param in adaptive.named_parameters():
        assert_uniform(name, param, 0.04)


def test_init_is_reachable_from_the_command_line(corpus_dir: Path, tmp_path: Path):
    overrides = [
        "data=text",
        f"data.path={corpus_dir}",
        "task.init=zaremba",
        "task.init_range=0.02",
        "encoder.hidden_size=16",
        "task.embedding_dim=16",
    ]
    cfg = compose("train", overrides)
    check_config(cfg, overrides)
    module = build_task(cfg, tmp_path).module
    for name, param in module.named_parameters():
        assert_uniform(name, param, 0.02)
    assert module.hparams["options"]["init"] == "zaremba"  # saved with the checkpoints


@pytest.mark.slow
def test_a_wrong_scheme_is_one_line_with_a_did_you_mean():
    proc = run_cli("train", "task.init=zarembaa", timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "task.init must be one of pytorch_examples, zaremba, torch" in line
    assert "Did you mean 'zaremba'?" in line
