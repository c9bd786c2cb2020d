"""lstm-nlp-inspect mode=probe: the probe finds planted information and only there; the split; the
command."""

import json

import pytest
import torch
from cli_helpers import run_cli
from inspect_helpers import VERB_CATEGORIES, tiny_run


def items(n: int, length: int = 8):
    from lstm_nlp.insight.agreement_items import AgreementItem

    return [
        AgreementItem(
            tuple(f"w{i}_{k}" for k in range(length)),
            5,
            "v",
            "vs",
            1,
            None,
            "pl" if i % 2 else "sg",
            "pl" if i % 2 else "sg",
            "pp",
            0,
        )
        for i in range(n)
    ]


def test_probe_reads_number_where_it_is_planted_and_not_elsewhere():
    from lstm_nlp.insight.probe import probe_series, split_by_sentence

    data = items(300)
    labels = torch.tensor([it.label for it in data], dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    features = torch.randn(9, 300, 10, generator=gen)  # steps x items x units
    features[2:6, :, 3] += 3 * (
        2 * labels - 1
    )  # the number lives in unit 3 after words 2..5 (subject .. verb)
    train, test = split_by_sentence(data, 0.3, seed=1)
    by_position, by_landmark = probe_series(features, data, train, test, l2=1e-3, min_items=20)
    accuracy = {r["position"]: r["accuracy"] for r in by_position}
    assert sorted(accuracy) == list(range(9))
    assert all(accuracy[s] > 0.95 for s in range(2, 6))
    assert all(accuracy[s] < 0.7 for s in (0, 1, 6, 7, 8))
    assert (
        by_landmark["subject"]["accuracy"] > 0.95 and by_landmark["verb"]["accuracy"] > 0.95
    )  # states 2 and 5
    assert (
        by_landmark["end"]["accuracy"] < 0.7 and "attractor" not in by_landmark
    )  # no item has one
    assert all(r["train"] == len(train) and r["test"] == len(test) for r in by_position)


def test_split_is_by_sentence_and_seeded():
    from lstm_nlp.insight.probe import split_by_sentence

    data = items(50) * 2  # every sentence twice
    train, test = split_by_sentence(data, 0.3, seed=5)
    assert not {data[i].words for i in train} & {data[i].words for i in test}
    assert len({data[i].words for i in test}) == 15 and sorted(train + test) == list(range(100))
    assert (
        split_by_sentence(data, 0.3, seed=5)
        == (train, test)
        != split_by_sentence(data, 0.3, seed=6)
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("inspect_probe") / "run", steps=60, hidden=6)


@pytest.mark.slow
def test_probe_command_writes_json_and_plot(run, tmp_path):
    out = tmp_path / "out"
    proc = run_cli(
        "inspect",
        "mode=probe",
        f"checkpoint={run}",
        f"out={out}",
        VERB_CATEGORIES,
        "n_per_cell=6",
        "max_attractors=2",
        "probe_states=[hidden,cell]",
        "min_items=8",
        "logger=tensorboard",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "probe.json").read_text())
    assert set(summary["series"]) == {"L0/hidden", "L0/cell", "L1/hidden", "L1/cell"}
    split = summary["split"]
    assert (
        split["train_items"] + split["test_items"] == summary["items"]["used"]
        and split["by"] == "sentence"
    )
    for series in summary["series"].values():
        positions = [r["position"] for r in series["by_position"]]
        assert positions[0] == 0 and positions == sorted(positions)
        start = series["by_landmark"][
            "start"
        ]  # after <eos> every item's state is the same: no information
        assert start["accuracy"] == start["chance"]
        assert {"subject", "verb", "end"} <= set(series["by_landmark"])
        assert all(0 <= r["accuracy"] <= 1 and r["train"] >= 8 for r in series["by_position"])
    assert (out / "probe_by_position.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))
    assert "L1/hidden" in proc.stdout
