"""``lstm-nlp-export``: a model folder (safetensors, config, tokenizer, card) that loads without
Lightning or Hydra and scores as the checkpoint does; the LM step as ONNX and TorchScript, each
equal to the model's to 1e-5."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import torch
from cli_helpers import env, one_line_error, run_in_process
from eval_helpers import WORDS, save_checkpoint

import lstm_nlp
from lstm_nlp.errors import DataError
from lstm_nlp.export.step import LMStep
from lstm_nlp.tasks.language_model import LanguageModel
from lstm_nlp.text.tokenizer import build_tokenizer

SENTENCES = ["the cat sees the dogs", "a big dog likes her ."]
PROG = "lstm-nlp-export"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A run directory as lstm-nlp-train leaves it: a tied 2-layer model, metrics, command."""
    tok = build_tokenizer(Counter(WORDS))
    torch.manual_seed(3)
    encoder = {"name": "lstm", "hidden_size": 10, "num_layers": 2, "dropout": 0.0}
    model = LanguageModel(
        tok.get_vocab_size(),
        encoder,
        {"name": "sgd", "lr": 1.0},
        embedding_dim=10,
        dropout=0.0,
        tie_weights=True,
        init_range=0.5,
    )
    model.tokenizer_json = tok.to_str()
    run = tmp_path_factory.mktemp("export") / "run"
    save_checkpoint(model.eval(), run / "checkpoints" / "best.ckpt")
    (run / "metrics.json").write_text(json.dumps({"val/ppl": 21.5, "test/ppl": 23.25}))
    (run / ".hydra").mkdir()
    (run / ".hydra" / "overrides.yaml").write_text("- data=grammar\n- encoder.hidden_size=10\n")
    (run / ".hydra" / "config.yaml").write_text("data:\n  name: grammar\n  seed: 7\n")
    return run


@pytest.fixture(scope="module")
def folder(run_dir) -> Path:
    out = run_dir.parent / "exported"
    proc = run_in_process("export", f"checkpoint={run_dir}", f"out={out}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{PROG}: {run_dir / 'checkpoints' / 'best.ckpt'} -> {out}")
    return out


@pytest.fixture(scope="module")
def checkpoint_lm(run_dir):
    return lstm_nlp.load(run_dir)


def test_the_folder_has_weights_without_pickle_a_config_a_tokenizer_and_a_card(folder):
    from safetensors import safe_open

    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "config.json",
        "model.safetensors",
        "tokenizer.json",
    ]
    config = json.loads((folder / "config.json").read_text())
    assert (config["format"], config["format_version"], config["vocab_size"]) == ("lstm-nlp", 1, 31)
    assert config["encoder"]["name"] == "lstm" and config["encoder"]["hidden_size"] == 10
    assert config["task"]["tie_weights"] is True and config["state"]["size"] == 10
    with safe_open(folder / "model.safetensors", "pt") as weights:
        names = set(weights.keys())
    assert "embedding.weight" in names and "decoder.decoder.weight" not in names  # tied: once
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: lstm-nlp\n")
    assert "| test/ppl | 23.25 |" in card and "| seed | 7 |" in card
    assert "lstm-nlp-train data=grammar encoder.hidden_size=10\n" in card


def test_the_folder_scores_generates_and_shows_states_as_the_checkpoint(folder, checkpoint_lm):
    lm = lstm_nlp.load(folder)
    assert lm.source == folder and type(lm.model).__name__ == "ExportedLanguageModel"
    assert lm.model.decoder.decoder.weight is lm.model.embedding.weight
    assert lm.logprobs(SENTENCES) == checkpoint_lm.logprobs(SENTENCES)
    assert lm.generate("the", 15, seed=2) == checkpoint_lm.generate("the", 15, seed=2)
    assert lm.compare(*SENTENCES) == checkpoint_lm.compare(*SENTENCES)
    torch.testing.assert_close(
        lm.states(SENTENCES[0]).layers[1].cell, checkpoint_lm.states(SENTENCES[0]).layers[1].cell
    )


def test_the_folder_loads_without_lightning_hydra_or_pickle(folder, checkpoint_lm):
    code = (
        "import json, sys\n"
        "import lstm_nlp\n"
        "light = 'torch' not in sys.modules\n"
        "import pickle\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('a pickle was read')\n"
        "class Refusing(pickle.Unpickler):  # no pickle may be read (subclassing it still works)\n"
        "    load = refuse\n"
        "pickle.Unpickler, pickle.load, pickle.loads = Refusing, refuse, refuse\n"
        "import torch\n"
        "torch.load = refuse  # its weights_only unpickler is its own, not pickle's\n"
        f"lm = lstm_nlp.load({str(folder)!r})\n"
        f"scores = [[t.logprob for t in s] for s in lm.logprobs({SENTENCES!r})]\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'lightning', 'pytorch_lightning', 'lightning_fabric', 'hydra', 'omegaconf'})\n"
        "print(json.dumps({'light': light, 'heavy': heavy, 'scores': scores}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout)
    assert found["light"] and found["heavy"] == []
    expected = [t.logprob for s in checkpoint_lm.logprobs(SENTENCES) for t in s]
    assert sum(found["scores"], []) == pytest.approx(expected, abs=1e-6)


def step_inputs(lm, seq: int = 6, batch: int = 3):
    torch.manual_seed(11)
    ids = torch.randint(0, lm.vocab_size, (seq, batch))
    h, c = (torch.randn(2, batch, 10) * 0.5 for _ in range(2))
    return ids, h, c


def test_the_onnx_step_equals_the_model(run_dir, checkpoint_lm, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    proc = run_in_process("export", f"checkpoint={run_dir}", f"out={tmp_path}", "format=onnx")
    assert proc.returncode == 0, proc.stderr
    assert "model.onnx) | step checked: max difference" in proc.stdout
    session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
    inputs = step_inputs(checkpoint_lm)
    found = session.run(None, dict(zip(["input_ids", "h", "c"], (t.numpy() for t in inputs))))
    with torch.no_grad():
        expected = LMStep(checkpoint_lm.model)(*inputs)
    for want, got in zip(expected, found, strict=True):
        torch.testing.assert_close(torch.from_numpy(got), want, atol=1e-5, rtol=0)
    assert json.loads((tmp_path / "config.json").read_text())["files"]["step"] == "model.onnx"


def test_the_torchscript_step_equals_the_model_and_its_logprobs(run_dir, checkpoint_lm, tmp_path):
    proc = run_in_process(
        "export", f"checkpoint={run_dir}", f"out={tmp_path}", "format=torchscript"
    )
    assert proc.returncode == 0, proc.stderr
    step = torch.jit.load(str(tmp_path / "model.torchscript.pt"))
    inputs = step_inputs(checkpoint_lm)
    with torch.no_grad():
        found, expected = step(*inputs), LMStep(checkpoint_lm.model)(*inputs)
        for want, got in zip(expected, found, strict=True):
            torch.testing.assert_close(got, want, atol=1e-5, rtol=0)
        words = ["<eos>", *SENTENCES[0].split(), "<eos>"]
        ids = torch.tensor([checkpoint_lm.tokenizer.token_to_id(w) for w in words])
        log_probs, _, _ = step(ids[:-1].view(-1, 1), torch.zeros(2, 1, 10), torch.zeros(2, 1, 10))
    per_token = log_probs[torch.arange(len(ids) - 1), 0, ids[1:]]
    scored = [t.logprob for t in checkpoint_lm.logprobs(SENTENCES[0])]
    assert per_token.tolist() == pytest.approx(scored, abs=1e-5)


def test_a_used_folder_and_a_broken_export_are_one_line(run_dir, folder, tmp_path):
    line = one_line_error(run_in_process("export", f"checkpoint={run_dir}", f"out={folder}"), PROG)
    assert line == (
        f"{PROG}: error: out: {str(folder)!r} is not empty; choose a new folder, or add "
        "overwrite=true to replace an earlier export there"
    )
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text((folder / "config.json").read_text())
    with pytest.raises(DataError, match=r"tokenizer.json: not a valid tokenizer.json"):
        lstm_nlp.load(broken)
    (broken / "tokenizer.json").write_text((folder / "tokenizer.json").read_text())
    with pytest.raises(DataError, match=r"model.safetensors: not a readable safetensors file"):
        lstm_nlp.load(broken)
    (broken / "config.json").write_text('{"format": "something-else"}')
    with pytest.raises(DataError, match=r'config.json: not an lstm-nlp config \(expected "format"'):
        lstm_nlp.load(broken)


def test_the_built_in_encoders_load_by_the_registrys_own_targets():
    from lstm_nlp.export.model import BUILTIN_ENCODERS
    from lstm_nlp.registry import ENCODERS

    for name, target in BUILTIN_ENCODERS.items():
        assert ENCODERS.entry(name).target == target
