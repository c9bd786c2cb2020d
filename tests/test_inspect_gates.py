"""lstm-nlp-inspect mode=gates: the ReferenceLSTM's numbers are the model's; the JSON, the heatmaps,
the loggers."""

import json
import math

import pytest
import torch
from cli_helpers import run_cli
from inspect_helpers import build_model, tiny_run

SENTENCE_WORDS = 6


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("inspect_gates") / "run", steps=60)


def known_sentence(run) -> str:
    from lstm_nlp.cli.inspect import load_inspectable
    from lstm_nlp.insight.agreement_items import generate_suite

    insp = load_inspectable(run)
    (item, *_) = generate_suite(insp.vocabulary(), ["pp"], 1, 1, 0, {"max_lemmas": 6})
    return " ".join(item.words[: item.target + 1])


@pytest.mark.parametrize(
    "encoder",
    [
        {"name": "lstm"},
        {
            "name": "lstm",
            "hidden_dropout": 0.3,
            "weight_drop": 0.4,
            "dropout": 0.2,
        },  # per-layer layout, weight drop
        {"name": "reference_lstm"},
    ],
)
def test_reference_lstm_states_equal_the_models_own_encoder(tmp_path, encoder):
    from lstm_nlp.insight.states import Inspectable, read_states

    torch.manual_seed(1)
    model, _ = build_model(vocab_size=30, layers=2, hidden=7, encoder=encoder)
    model.eval()
    insp = Inspectable(model, None, tmp_path)  # the gates come from the encoder itself
    seqs = [[1, 5, 7, 9, 3], [1, 4, 2]]
    states = read_states(insp, seqs)
    for j, seq in enumerate(seqs):
        with torch.no_grad():
            output, (h_n, c_n) = model.encode(torch.tensor(seq).view(-1, 1))
        torch.testing.assert_close(
            states[-1]["hidden"][: len(seq), j], output[:, 0], atol=1e-5, rtol=1e-5
        )
        for layer in range(2):  # every layer's last cell and hidden state: the model's c_n, h_n
            torch.testing.assert_close(
                states[layer]["cell"][len(seq) - 1, j], c_n[layer, 0], atol=1e-5, rtol=1e-5
            )
            torch.testing.assert_close(
                states[layer]["hidden"][len(seq) - 1, j], h_n[layer, 0], atol=1e-5, rtol=1e-5
            )
        assert states[0]["forget"][len(seq) :, j].abs().sum() == 0  # past the end: zeros


def check_lstm_equations(layer: dict) -> None:
    """C_t = f*C_{t-1} + i*C~ and h_t = o*tanh(C_t), from the JSON's (rounded) numbers."""
    previous = [0.0] * layer["units"]
    for t in range(len(layer["cell"])):
        for u in range(layer["units"]):
            f, i, c, o = (layer[k][t][u] for k in ("forget", "input", "candidate", "output"))
            assert 0 <= f <= 1 and 0 <= i <= 1 and 0 <= o <= 1 and -1 <= c <= 1
            assert math.isclose(layer["cell"][t][u], f * previous[u] + i * c, abs_tol=1e-4)
            assert math.isclose(
                layer["hidden"][t][u], o * math.tanh(layer["cell"][t][u]), abs_tol=1e-4
            )
        previous = layer["cell"][t]


@pytest.mark.slow
def test_gates_writes_the_json_and_one_heatmap_per_layer(run, tmp_path):
    from PIL import Image

    sentence = known_sentence(run) + " zorblax"
    out = tmp_path / "out"
    proc = run_cli(
        "inspect", f"checkpoint={run}", f"sentence='{sentence}'", f"out={out}", "top_k=5"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "read as <unk>" in proc.stdout and "zorblax" in proc.stdout
    record = json.loads((out / "gates.json").read_text())
    assert record["tokens"] == ["<eos>", *sentence.split()] and record["unknown"] == ["zorblax"]
    assert record["quantities"] == ["forget", "input", "output", "candidate", "cell", "hidden"]
    assert [layer["layer"] for layer in record["layers"]] == [0, 1]
    for layer in record["layers"]:
        assert all(
            len(layer[q]) == len(record["tokens"]) and len(layer[q][0]) == 12
            for q in record["quantities"]
        )
        check_lstm_equations(layer)
        by_variance = sorted(range(12), key=lambda u: -layer["variance"][u])
        assert layer["shown"] == by_variance[:5]
        with Image.open(out / f"gates_layer{layer['layer']}.png") as image:
            assert image.format == "PNG" and image.size[0] > 600 and image.size[1] > 300


@pytest.mark.slow
def test_named_units_and_tensorboard_images(run, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "out"
    proc = run_cli(
        "inspect",
        f"checkpoint={run}",
        f"sentence='{known_sentence(run)}'",
        f"out={out}",
        "units=[3,0,11]",
        "logger=tensorboard",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.loads((out / "gates.json").read_text())
    assert [layer["shown"] for layer in record["layers"]] == [[3, 0, 11], [3, 0, 11]]
    acc = EventAccumulator(str(out / "tensorboard"), size_guidance={"images": 0})
    acc.Reload()
    assert set(acc.Tags()["images"]) == {"inspect/gates_layer0", "inspect/gates_layer1"}
    from PIL import Image

    (event,) = acc.Images("inspect/gates_layer1")
    with Image.open(out / "gates_layer1.png") as image:
        assert (event.width, event.height) == image.size


@pytest.mark.slow
def test_wandb_offline_run_holds_the_images(run, tmp_path):
    out = tmp_path / "out"
    proc = run_cli(
        "inspect",
        f"checkpoint={run}",
        f"sentence='{known_sentence(run)}'",
        f"out={out}",
        "logger=wandb",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (offline,) = (out / "wandb").glob("offline-run-*")
    images = sorted(p.name for p in offline.rglob("media/images/**/*.png"))
    assert len(images) == 2 and all(name.startswith("gates_layer") for name in images)
    (records,) = offline.glob("run-*.wandb")
    assert b"inspect/gates_layer0" in records.read_bytes()
