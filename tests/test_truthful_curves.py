"""Curves that tell the truth: one step axis (optimizer steps completed) for the console, the
report's history, the loggers and ``metrics.json``; the final re-evaluation of the best checkpoint
logged as ``best/...``, never as one more validation point; a diverged run said as such."""

import csv
import json
import math
import re

import pytest
from cli_helpers import TINY, metrics, run_in_process

from lstm_nlp.training.diverged import first_diverged, is_diverged
from lstm_nlp.training.final_evaluation import best_names

SMALL = ["data.train_sentences=200", "data.valid_sentences=40", "data.test_sentences=40"]


def csv_rows(run_dir) -> list[dict]:
    (path,) = run_dir.glob("logs/version_*/metrics.csv")
    with path.open() as f:
        return list(csv.DictReader(f))


def logged(rows: list[dict], key: str) -> list[tuple[int, float]]:
    return [(int(r["step"]), float(r[key])) for r in rows if r.get(key)]


@pytest.fixture(scope="module")
def worse_last_epoch(tmp_path_factory):
    """lr=400: the first epoch's weights are the best, the second's worse (and both diverged)."""
    run_dir = tmp_path_factory.mktemp("curves") / "run"
    proc = run_in_process(
        "train",
        *TINY,
        *SMALL,
        "optim.lr=400",
        "trainer.max_epochs=2",
        "trainer.limit_train_batches=10",
        "trainer.log_every_n_steps=5",
        "logger=csv",
        f"run_dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run_dir, proc.stdout


def test_validation_points_are_the_validations_that_ran_and_best_is_the_best(worse_last_epoch):
    run_dir, _ = worse_last_epoch
    rows, m = csv_rows(run_dir), metrics(run_dir)
    val = logged(rows, "val/loss")
    assert [step for step, _ in val] == [10, 20]  # two validations, two points
    assert val[1][1] > val[0][1]  # the last epoch is not the best
    ((step, best),) = logged(rows, "best/val_loss")
    assert step == 20 and best == pytest.approx(val[0][1], rel=1e-6) == m["val/loss"]
    ((_, best_ppl),) = logged(rows, "best/val_ppl")
    assert best_ppl == pytest.approx(m["val/ppl"], rel=1e-6)
    test_rows = [r for r in rows if r.get("test/loss")]
    assert [(int(r["step"]), r["epoch"]) for r in test_rows] == [(20, "")]  # no epoch 2 that ran


def test_one_step_axis_for_console_history_and_logger(worse_last_epoch):
    run_dir, stdout = worse_last_epoch
    rows = csv_rows(run_dir)
    console = [int(s) for s in re.findall(r"epoch \d+ \| step (\d+)", stdout)]
    history = json.loads((run_dir / "report" / "history.json").read_text())["records"]
    assert console == [r["step"] for r in history] == [s for s, _ in logged(rows, "val/loss")]
    assert [s for s, _ in logged(rows, "train/loss_epoch")] == console
    assert [s for s, _ in logged(rows, "train/loss_step")] == [5, 10, 15, 20]
    assert [s for s, _ in logged(rows, "lr-SGD")] == [0, 10]  # the rate each epoch starts with
    assert metrics(run_dir)["global_step"] == console[-1]


def test_a_diverged_run_says_where_in_metrics_json_and_on_the_console(worse_last_epoch):
    run_dir, stdout = worse_last_epoch
    m = metrics(run_dir)
    assert (m["diverged/step"], m["diverged/metric"]) == (10, "val/ppl")
    assert m["diverged/value"] == pytest.approx(math.exp(m["val/loss"]), rel=1e-4)
    assert isinstance(m["val/ppl"], float)  # the figures stay what readers expect
    assert re.search(
        r"lstm-nlp: diverged at step 10: val/ppl \d\.\d+e\+\d+ \(over 10 times", stdout
    )


def test_diverged_rules():
    assert is_diverged(float("inf"), None) and is_diverged("nan", None) and is_diverged(None, 50)
    assert not is_diverged(1e30, None) and not is_diverged(400.0, 50)  # untrained: ~ 1x uniform
    assert is_diverged(501.0, 50)
    records = [{"step": 5, "val/ppl": 40.0}, {"step": 10, "val/ppl": None}]
    found = first_diverged(records, {"val/ppl": 40.0, "global_step": 10}, 50)
    assert found == {"diverged/step": 10, "diverged/metric": "val/ppl", "diverged/value": "inf"}
    final = {"val/ppl": 40.0, "test/ppl": "inf", "global_step": 12}
    assert first_diverged([], final, 50)["diverged/step"] == 12
    assert first_diverged(records[:1], {"val/ppl": 40.0}, 50) is None


def test_best_names():
    assert best_names({"val/loss": 1.0, "val/agreement/acc": 0.5, "test/ppl": 3.0}) == {
        "best/val_loss": 1.0,
        "best/val_agreement/acc": 0.5,
    }
