"""The syntax learning-curve callback inside a real training run, and the agreement demo preset."""

import csv
import json
import math

import pytest
from cli_helpers import metrics, one_line_error, run_cli, train

SMALL = ["data.train_sentences=400", "data.valid_sentences=80", "data.test_sentences=80"]


@pytest.mark.slow
def test_agreement_suite_is_scored_during_and_after_training(tmp_path):
    run_dir = tmp_path / "run"
    proc = train(
        *SMALL,
        f"run_dir={run_dir}",
        "agreement=suite",
        "agreement.n_per_cell=3",
        "agreement.categories=[simple_agreement,pp]",
        "trainer.max_epochs=2",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = metrics(run_dir)
    assert 0.0 <= m["test/agreement/acc"] <= 1.0
    assert {
        "test/agreement/acc/category/pp",
        "test/agreement/acc/category/simple_agreement",
        "test/agreement/acc/attractors/0",
        "test/agreement/acc/attractors/4",
    } <= set(m)
    results = json.loads((run_dir / "agreement" / "results.json").read_text())
    pp = results["groups"]["category"]["pp"]
    assert pp["n"] == 3 * 2 * 5  # n_per_cell x conditions x attractor counts 0..4
    assert math.isclose(pp["accuracy"], m["test/agreement/acc/category/pp"])
    for name in (
        "accuracy_by_attractors.png",
        "accuracy_by_category.png",
        "results.md",
        "items.jsonl",
    ):
        assert (run_dir / "agreement" / name).stat().st_size > 0
    (log,) = (run_dir / "logs").glob("version_*/metrics.csv")
    rows = [r for r in csv.DictReader(log.open()) if r.get("agreement/acc")]
    assert len(rows) == 2  # one learning-curve point per validation
    final = [r for r in csv.DictReader(log.open()) if r.get("test/agreement/acc")]
    assert final and math.isclose(
        float(final[-1]["test/agreement/acc"]), m["test/agreement/acc"], rel_tol=1e-6
    )
    assert "agreement suite" in proc.stdout and "simple_agreement" in proc.stdout


@pytest.mark.slow
def test_agreement_suite_needs_a_language_model(tmp_path):
    line = one_line_error(
        run_cli("train", f"run_dir={tmp_path / 'run'}", "agreement=suite", "task=pos_tagging")
    )
    assert "agreement=suite scores a language model" in line


def test_agreement_demo_preset_composes():
    from lstm_nlp.cli.common import compose, prepare
    from lstm_nlp.cli.train import COMMAND

    prepare(COMMAND, [])  # the built-in options into Hydra's ConfigStore
    cfg = compose("train", ["experiment=agreement_demo"])
    assert (
        cfg.agreement.n_per_cell > 0
        and cfg.task.name == "language_model"
        and cfg.data.name == "grammar"
    )
