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


def write_linzen(folder, pairs):
    """Pairs in Linzen et al.'s LM form: NAME.text (lowercased, ending in <eos>) and NAME.gold
    (target index, correct verb, wrong verb, attractors)."""
    folder.mkdir()
    text = [f"{p['sentence_good']} <eos>" for p in pairs]
    gold = [
        f"{p['target_index']}\t{p['good_word']}\t{p['bad_word']}\t{p['attractors']}" for p in pairs
    ]
    (folder / "agr.text").write_text("\n".join(text) + "\n", encoding="utf-8")
    (folder / "agr.gold").write_text("\n".join(gold) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_any_source_is_a_learning_curve(tmp_path):
    """agreement=eval: a set in Linzen's LM form, found by source=auto, scored with its stream
    protocol at every validation and beside the published column at the end."""
    from lstm_nlp.grammar.suites import build_pairs

    pairs = build_pairs("pp", 2, 0, max_attractors=2)
    write_linzen(tmp_path / "linzen", pairs)
    run_dir = tmp_path / "run"
    proc = train(
        *SMALL,
        f"run_dir={run_dir}",
        "agreement=eval",
        f"agreement.path={tmp_path / 'linzen'}",
        "agreement.oov=include",
        "trainer.max_epochs=2",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((run_dir / "agreement" / "results.json").read_text())
    assert results["source"] == "linzen" and results["coverage"]["scored"] == len(pairs)
    assert set(results["groups"]["attractors"]) == {"0", "1", "2"}
    published = results["groups"]["attractors"]["1"]["published"]  # Kuncoro et al.'s LSTM
    assert published["value"] == 0.97 and "Kuncoro" in published["citation"]
    m = metrics(run_dir)
    assert math.isclose(m["test/agreement/acc"], results["overall"]["accuracy"])
    assert {f"test/agreement/acc/attractors/{k}" for k in range(3)} <= set(m)
    (log,) = (run_dir / "logs").glob("version_*/metrics.csv")
    assert len([r for r in csv.DictReader(log.open()) if r.get("agreement/acc")]) == 2
    assert (run_dir / "agreement" / "accuracy.png").stat().st_size > 0
    assert "agreement=eval, linzen" in proc.stdout


def test_agreement_eval_options_are_checked_before_training(tmp_path):
    from cli_helpers import config_error

    line = config_error("train", "agreement=eval", f"run_dir={tmp_path / 'r'}")
    assert "agreement.path is required" in line
    line = config_error(
        "train",
        "agreement=eval",
        "agreement.path=x",
        "agreement.source=blim",
        f"run_dir={tmp_path}",
    )
    assert "must be an evaluation source" in line and "Did you mean 'blimp'?" in line


def test_a_missing_or_unreadable_set_stops_the_run_before_training(tmp_path):
    from lstm_nlp.errors import DataError
    from lstm_nlp.training.eval_curve import read_curve_set
    from lstm_nlp.training.options import AgreementEvalOptions

    with pytest.raises(DataError, match=r"agreement.path: '.*nope' does not exist"):
        read_curve_set(AgreementEvalOptions(path=str(tmp_path / "nope")))
    (tmp_path / "odd.txt").write_text("hello\n")
    with pytest.raises(DataError, match="agreement.path: .* is in no format source=auto knows"):
        read_curve_set(AgreementEvalOptions(path=str(tmp_path / "odd.txt")))
    found = read_curve_set(AgreementEvalOptions(path="tests/data/benchmarks/lakretz"))
    assert found.protocol.name == "lakretz" and found.about["source"] == "lakretz"
    assert found.scoring.state == "warmup" and found.groups
