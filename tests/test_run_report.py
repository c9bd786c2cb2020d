"""The per-run report: RUN_DIR/report.md and a self-contained report.html, for every task and
logger.

End to end through the command line (tiny runs in subprocesses), then the report is read back:
its numbers against metrics.json, its parameter count against the checkpoint, its learning
curves against the best checkpoint's score, every image a real PNG embedded in the HTML.
"""

import base64
import io
import json
import math
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pytest
from cli_helpers import TINY, env, metrics, run_cli, train

SMALL = ["data.train_sentences=400", "data.valid_sentences=80", "data.test_sentences=80"]
CLASSIFIER = [
    "encoder.hidden_size=16",
    "encoder.num_layers=1",
    "task.embedding_dim=16",
    "optim=adam",
    "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false",
    *SMALL,
]
PNG = b"\x89PNG\r\n\x1a\n"


# -- reading a report back -------------------------------------------------------------------
def section(md: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", md, flags=re.S | re.M)
    assert match, f"no section {title!r} in report.md"
    return match.group(1)


def table(text: str) -> list[dict[str, str]]:
    """The first Markdown table in ``text``, as dicts by column name."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    cells = [
        [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
        for line in lines
    ]
    return [dict(zip(cells[0], row)) for row in cells[2:]]


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs = []

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, k, v) for k, v in attrs]


def check_png(data: bytes) -> None:
    from PIL import Image

    assert data.startswith(PNG)
    Image.open(io.BytesIO(data)).verify()


def check_report(run_dir: Path) -> tuple[str, str]:
    """What every report must satisfy; returns (markdown, html)."""
    md, page = (run_dir / "report.md").read_text(), (run_dir / "report.html").read_text()
    m = metrics(run_dir)
    rows = {r["metric"]: r["value"] for r in table(section(md, "Final metrics"))}
    assert set(rows) == {k for k in m if not k.startswith("earlier/")}
    if "earlier/global_step" in m:  # figures of an earlier step, shown as such
        earlier = section(md, "Measured before training continued")
        assert f"Measured at step {m['earlier/global_step']}," in earlier
        rows |= {f"earlier/{r['metric']}": next(iter(list(r.values())[1:])) for r in table(earlier)}
        rows["earlier/global_step"] = str(m["earlier/global_step"])
    for key, value in m.items():
        if isinstance(value, (int, float)):
            assert math.isclose(float(rows[key]), value, rel_tol=1e-5, abs_tol=1e-12), (
                key,
                rows[key],
                value,
            )
        else:
            assert rows[key] == str(value)
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert images and "report/learning_curves.png" in images
    files = []
    for rel in images:
        data = (run_dir / rel).read_bytes()
        check_png(data)
        files.append(data)
    tags = Tags()
    tags.feed(page)
    sources = [v for tag, k, v in tags.attrs if k in ("src", "href", "srcset", "data", "action")]
    assert all(s.startswith("data:image/png;base64,") for s in sources), [s[:60] for s in sources]
    embedded = [base64.b64decode(s.split(",", 1)[1]) for s in sources]
    assert embedded == files  # the same pictures, in the same order, inside the page
    assert not re.search(r"<(script|link|iframe|object)\b|url\(|@import", page)
    assert "<details>" in page and "seed: " in page  # the full config, collapsed
    return md, page


def history_rows(md: str) -> list[dict[str, str]]:
    return table(section(md, "Learning curves"))


def report_seconds(stdout: str) -> float:
    return float(re.search(r"run report .* and report\.html \(([\d.]+) s\)", stdout).group(1))


# -- end to end ----------------------------------------------------------------------------
@pytest.mark.slow
def test_language_model_report_and_a_resumed_run_lists_every_epoch_once(tmp_path):
    from lstm_nlp.tasks.checked_load import load_language_model

    run_dir = tmp_path / "run"
    start = time.perf_counter()
    first = train(
        *SMALL, f"run_dir={run_dir}", "~logger"
    )  # no logger at all: the history is our own
    wall = time.perf_counter() - start
    assert first.returncode == 0, first.stderr[-3000:]
    assert report_seconds(first.stdout) < max(2.0, 0.5 * wall)
    md, _ = check_report(run_dir)
    assert [r["epoch"] for r in history_rows(md)] == ["0"]

    again = train(*SMALL, f"run_dir={run_dir}", "trainer.max_epochs=2", "logger=csv")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming from" in again.stdout
    md, _ = check_report(run_dir)
    rows = history_rows(md)
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert [int(r["step"]) for r in rows] == sorted({int(r["step"]) for r in rows})
    assert all(float(r["train/loss"]) > 0 and float(r["val/ppl"]) > 1 for r in rows)
    m = metrics(run_dir)  # the best checkpoint is the epoch with the lowest validation loss
    assert math.isclose(min(float(r["val/loss"]) for r in rows), m["val/loss"], rel_tol=1e-4)
    assert f"`val/ppl` = {m['val/ppl']:.6g}" in md and f"`test/ppl` = {m['test/ppl']:.6g}" in md

    model, _ = load_language_model(run_dir / "checkpoints" / "best.ckpt")
    params = {
        r["module"]: int(r["parameters"].replace(",", "")) for r in table(section(md, "Parameters"))
    }
    assert params["total"] == sum(p.numel() for p in model.parameters())
    assert params["embedding"] == model.embedding.weight.numel()
    history = json.loads((run_dir / "report" / "history.json").read_text())
    assert [r["epoch"] for r in history["records"]] == [0, 1]
    printed = [
        float(x) for x in re.findall(r"\| train/loss ([0-9.]+) \|", first.stdout + again.stdout)
    ]
    assert printed == pytest.approx([r["train/loss"] for r in history["records"]], rel=1e-3)


@pytest.mark.slow
def test_number_agreement_report_has_test_accuracy_by_attractors(tmp_path):
    run_dir = tmp_path / "run"
    proc = run_cli(
        "train",
        "task=number_agreement",
        f"run_dir={run_dir}",
        "trainer.max_epochs=2",
        "logger=tensorboard",
        *CLASSIFIER,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    md, _ = check_report(run_dir)
    m = metrics(run_dir)
    assert max(float(r["val/acc"]) for r in history_rows(md)) == pytest.approx(
        m["val/acc"], rel=1e-5
    )
    groups = table(section(md, "Test accuracy by group"))
    attractors = {r["value"]: r for r in groups if r["group"] == "attractors"}
    assert attractors and set(attractors) == {
        k.rsplit("/", 1)[1] for k in m if k.startswith("test/acc/attractors/")
    }
    for value, row in attractors.items():
        assert int(row["n"]) == m[f"test/n/attractors/{value}"]
        assert row["accuracy"] == f"{m[f'test/acc/attractors/{value}']:.3f}"
    assert "report/accuracy_by_attractors.png" in md and "report/accuracy_by_construction.png" in md


@pytest.mark.slow
def test_agreement_suite_report_reuses_the_suite_results_and_plots(tmp_path):
    run_dir = tmp_path / "run"
    proc = train(
        *SMALL,
        f"run_dir={run_dir}",
        "agreement=suite",
        "agreement.n_per_cell=2",
        "agreement.categories=[simple_agreement,pp]",
        "agreement.max_attractors=2",
        "trainer.max_epochs=2",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    md, _ = check_report(run_dir)
    results = json.loads((run_dir / "agreement" / "results.json").read_text())
    rows = table(section(md, "Agreement suite (best checkpoint)"))
    overall = next(r for r in rows if r["group"] == "overall")
    assert int(overall["n"]) == results["overall"]["n"]
    assert overall["accuracy"] == f"{results['overall']['accuracy']:.3f}"
    assert {r["value"] for r in rows if r["group"] == "category"} == {"simple_agreement", "pp"}
    assert {r["value"] for r in rows if r["group"] == "attractors"} == {"0", "1", "2"}
    for name in (
        "agreement/accuracy_by_attractors.png",
        "agreement/accuracy_by_category.png",
        "report/agreement_curve.png",
    ):
        assert f"]({name})" in md
    curve = history_rows(md)
    assert len(curve) == 2 and all(0.0 <= float(r["agreement/acc"]) <= 1.0 for r in curve)


@pytest.mark.slow
def test_pos_plugin_run_with_wandb_gets_a_report(tmp_path):
    pytest.importorskip("lstm_nlp_pos")
    run_dir = tmp_path / "run"
    proc = run_cli(
        "train",
        "task=pos_tagging",
        "encoder.bidirectional=true",
        f"run_dir={run_dir}",
        "trainer.max_epochs=1",
        "logger=wandb",
        *CLASSIFIER,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    md, _ = check_report(run_dir)
    assert [r["epoch"] for r in history_rows(md)] == ["0"] and "val/acc" in history_rows(md)[0]


@pytest.mark.slow
def test_interrupted_run_writes_no_report_and_its_resume_lists_every_epoch_once(tmp_path):
    run_dir = tmp_path / "run"
    data = ["data.train_sentences=1000", "data.valid_sentences=80", "data.test_sentences=80"]
    cmd = [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        *TINY,
        *data,
        f"run_dir={run_dir}",
        "~logger",
    ]
    proc = subprocess.Popen(
        [*cmd, "trainer.max_epochs=50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    for line in proc.stdout:  # stop it in its third epoch
        if line.startswith("lstm-nlp: epoch 1 |"):
            proc.send_signal(signal.SIGTERM)
            break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "SIGTERM at step" in out, err[-3000:]
    assert not (run_dir / "report.md").exists() and not (run_dir / "report.html").exists()
    stopped = json.loads((run_dir / "report" / "history.json").read_text())["records"]
    assert [r["epoch"] for r in stopped][:2] == [0, 1]

    again = subprocess.run(
        [*cmd, "trainer.max_epochs=3"], capture_output=True, text=True, env=env(), timeout=240
    )
    assert again.returncode == 0, again.stderr[-3000:]
    md, _ = check_report(run_dir)
    rows = history_rows(md)
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert [r["step"] for r in rows[:2]] == [str(r["step"]) for r in stopped[:2]]
    assert all(r["train/loss"] != "-" for r in rows)


# -- the parts, in process -------------------------------------------------------------------
def fake_trainer(epoch, step, rank0=True, **metrics):
    import torch

    return SimpleNamespace(
        current_epoch=epoch,
        global_step=step,
        is_global_zero=rank0,
        accumulate_grad_batches=1,
        optimizers=[],
        callback_metrics={k: torch.tensor(v) for k, v in metrics.items()},
        sanity_checking=False,
        state=SimpleNamespace(fn="fit"),
    )


def test_history_means_the_losses_and_only_rank_zero_writes(tmp_path):
    import torch

    from lstm_nlp.report.history import TrainingHistory

    history = TrainingHistory(tmp_path / "history.json")
    trainer = fake_trainer(0, 3, rank0=False, **{"val/loss": 2.5, "train/loss_step": 9.0})
    for loss in (1.0, 2.0, float("nan"), 6.0):  # a non-finite (skipped) batch does not count
        history.on_train_batch_end(trainer, None, {"loss": torch.tensor(loss)}, None, 0)
    history.on_validation_end(trainer, None)
    history.on_train_epoch_end(trainer, None)  # same epoch and step: no second record
    assert not (tmp_path / "history.json").exists()  # another DDP rank: nothing written
    assert [(r["epoch"], r["step"], r["train/loss"], r["val/loss"]) for r in history.records] == [
        (0, 3, 3.0, 2.5)
    ]
    assert "train/loss_step" not in history.records[0]

    restored = TrainingHistory(tmp_path / "history.json")
    restored.load_state_dict(history.state_dict())
    restored.on_train_batch_end(trainer, None, {"loss": torch.tensor(4.0)}, None, 0)
    restored.on_train_epoch_end(fake_trainer(1, 4), None)  # an epoch without validation, on rank 0
    saved = json.loads((tmp_path / "history.json").read_text())["records"]
    assert [(r["epoch"], r.get("train/loss")) for r in saved] == [(0, 3.0), (1, 4.0)]


def test_parameter_counts_count_tied_weights_once():
    from torch import nn

    from lstm_nlp.report.params import parameter_counts

    model = nn.Module()
    model.embedding, model.drop, model.decoder = nn.Embedding(10, 4), nn.Dropout(), nn.Linear(4, 10)
    model.decoder.weight = model.embedding.weight
    model.embedding.weight.requires_grad_(False)
    rows, total, trainable = parameter_counts(model)
    assert [(r.name, r.parameters, r.trainable, r.shared) for r in rows] == [
        ("embedding", 40, 0, 0),
        ("decoder", 10, 10, 40),
    ]
    assert (total, trainable) == (50, 10) == (sum(p.numel() for p in model.parameters()), 10)


def test_a_failing_plot_is_a_warning_and_an_unwritable_report_loses_nothing(
    tmp_path, capsys, monkeypatch
):
    from torch import nn

    from lstm_nlp.report import figures
    from lstm_nlp.report.write import write_run_report

    run_dir = tmp_path / "run"
    (run_dir / "report").mkdir(parents=True)
    (run_dir / "report" / "history.json").write_text(
        json.dumps(
            {
                "records": [
                    {"epoch": 0, "step": 5, "train/loss": 2.0, "val/loss": 1.5, "val/acc": 0.75}
                ]
            }
        )
    )
    cfg = {"task": {"name": "toy", "lr": 0.1}, "seed": 3, "trainer": {"max_epochs": 1}}

    def broken(*args, **kwargs):
        raise ValueError("no canvas\nsecond line")

    monkeypatch.setattr(figures, "learning_curves", broken)
    path = write_run_report(run_dir, cfg, {"val/acc": 0.75, "epochs": 1}, nn.Linear(3, 2))
    err = capsys.readouterr().err
    assert (
        path == run_dir / "report.md"
        and "learning curves plot failed (ValueError: no canvas)" in err
    )
    assert "second line" not in err
    md = path.read_text()
    assert (
        "learning_curves.png" not in md
        and "| 0 | 5 | 2 | 1.5 | 0.75 |" in md
        and "| total | Linear | 8 |" in md
    )

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert write_run_report(blocked, cfg, {"val/acc": 0.75}, nn.Linear(3, 2)) is None
    assert "run report could not be written" in capsys.readouterr().err


def test_learning_curves_use_steps_when_a_run_validates_within_epochs(tmp_path):
    from lstm_nlp.report import figures

    per_epoch = [
        {
            "epoch": e,
            "step": 10 * (e + 1),
            "train/loss": 2.0 - e,
            "val/loss": 1.5,
            "val/ppl": 90.0 / (e + 1),
        }
        for e in range(3)
    ]
    assert figures.x_axis(per_epoch) == ("epoch", "epoch")
    within = [{"epoch": s // 20, "step": s, "val/acc": 0.5 + s / 100} for s in (10, 20, 30, 40)]
    assert figures.x_axis(within) == ("step", "training step")
    assert figures.metric_names(per_epoch) == ["val/ppl"] and figures.metric_names(within) == [
        "val/acc"
    ]
    path = figures.learning_curves(within, tmp_path / "curves.png")
    check_png(path.read_bytes())
    assert figures.agreement_curve(within, tmp_path / "agreement.png") is None
    assert not (tmp_path / "agreement.png").exists()
    assert (
        figures.learning_curves([{"epoch": 0, "step": 1, "lr": 0.1}], tmp_path / "none.png") is None
    )


# -- title, provenance, best epoch, commands, earlier figures, curves per logged step ---------
def test_report_names_the_run_and_says_when_with_what_from_which_code_and_commands(tmp_path):
    from torch import nn

    from lstm_nlp.report.provenance import NOT_GIT, code_commit
    from lstm_nlp.report.write import write_run_report

    sweep = tmp_path / "sweep"
    run_dir = sweep / "lr=5"
    (run_dir / "report").mkdir(parents=True)
    (sweep / "multirun.yaml").write_text("hydra: {}\n")
    records = [
        {"epoch": e, "step": 10 * (e + 1), "train/loss": 5.0 - e, "val/loss": v, "val/ppl": p}
        for e, (v, p) in enumerate([(4.6, 99.5), (4.4, 81.5), (4.5, 90.0)])
    ]
    steps = [{"epoch": s // 10, "step": s, "train/loss": 6.0 - s / 10} for s in range(5, 31, 5)]
    (run_dir / "report" / "history.json").write_text(
        json.dumps({"records": records, "steps": steps})
    )
    commands = [
        {"time": "2025-01-31T12:00:00+01:00", "host": "gpu1", "overrides": ["optim.lr=5"],
         "resumed_from": None, "changed": {}, "forced": []},
        {"time": "2025-01-31T13:00:00+01:00", "host": "gpu2", "overrides": ["optim.lr=4"],
         "resumed_from": "checkpoints/last.ckpt",
         "changed": {"trainer.max_epochs": [2, 3], "optim.lr": [5, 4]}, "forced": ["optim.lr"]},
    ]  # fmt: skip
    (run_dir / "commands.jsonl").write_text("".join(json.dumps(c) + "\n" for c in commands))
    final = {"val/loss": 4.4, "val/ppl": 81.5, "epochs": 3, "global_step": 30}
    final |= {"earlier/test/ppl": 85.25, "earlier/global_step": 20}
    (run_dir / "metrics.json").write_text(json.dumps(final))
    cfg = {"task": {"name": "language_model"}, "seed": 3, "trainer": {"max_epochs": 3}}

    write_run_report(run_dir, cfg, final, nn.Linear(3, 2))
    md, page = check_report(run_dir)
    assert md.startswith("# lr=5 (sweep sweep)\n")
    assert "<title>lr=5 (sweep sweep): lstm-nlp run report</title>" in page
    facts = md.split("## ", 1)[0]
    assert "- best: epoch 1, step 20 (`val/loss` 4.4, `val/ppl` 81.5)" in facts
    assert re.search(r"^- written: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$", facts, re.M)
    import lightning
    import torch

    versions = f"lstm-nlp {metadata.version('lstm-nlp')}, torch {torch.__version__}, "
    assert f"- versions: {versions}Lightning {lightning.__version__}, Python " in facts
    head = subprocess.run(
        ["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    commit = f"git commit `{head.stdout.strip()}`" if head.returncode == 0 else NOT_GIT
    assert f"- code: {commit}" in facts
    assert code_commit(tmp_path) == NOT_GIT

    rows = table(section(md, "Commands"))
    assert [(r["time"], r["host"], r["resumed from"]) for r in rows] == [
        ("2025-01-31T12:00:00+01:00", "gpu1", "new run"),
        ("2025-01-31T13:00:00+01:00", "gpu2", "`checkpoints/last.ckpt`"),
    ]
    assert rows[1]["changed settings"] == "`trainer.max_epochs` 2 → 3; `optim.lr` 5 → 4 (forced)"
    earlier = table(section(md, "Measured before training continued"))
    assert earlier == [{"metric": "test/ppl", "value at step 20": "85.25"}]


def test_learning_curves_per_logged_step_with_perplexity_on_a_log_axis(tmp_path, monkeypatch):
    from lstm_nlp.report import figures

    drawn = []
    monkeypatch.setattr(figures, "save", lambda fig, path: drawn.append(fig) or path)
    records = [
        {"epoch": 0, "step": 20, "train/loss": 5.0, "val/loss": 4.6, "val/ppl": 99.5},
        {"epoch": 1, "step": 40, "train/loss": 4.0, "val/loss": 4.4, "val/ppl": 81.5},
    ]
    steps = [{"epoch": s // 20, "step": s, "train/loss": 7.0 - s / 10} for s in range(5, 41, 5)]
    figures.learning_curves(records, tmp_path / "curves.png", steps=steps)
    loss, ppl = drawn[0].axes
    train = next(line for line in loss.lines if line.get_label() == "train/loss")
    assert list(train.get_xdata()) == list(range(5, 41, 5))  # every logged step, not per epoch
    assert ppl.get_yscale() == "log" and ppl.get_title() == "perplexity (log scale)"
    exp = next(line for line in ppl.lines if line.get_label() == "exp(train/loss)")
    assert list(exp.get_ydata()) == pytest.approx([math.exp(7.0 - s / 10) for s in range(5, 41, 5)])
    assert [line.get_xdata()[0] for line in loss.lines if line.get_linestyle() == ":"] == [20]


def test_history_keeps_a_point_per_logged_step_bounded_and_in_checkpoints(tmp_path, monkeypatch):
    import torch

    from lstm_nlp.report import history
    from lstm_nlp.report.history import TrainingHistory

    monkeypatch.setattr(history, "MAX_STEP_POINTS", 4)
    kept = TrainingHistory(tmp_path / "history.json")
    for step in range(1, 11):
        trainer = fake_trainer(0, step)
        trainer.log_every_n_steps = 2
        kept.on_train_batch_end(trainer, None, {"loss": torch.tensor(float(step))}, None, 0)
    # points at 2, 4, 6, 8 (means 1.5, 3.5, 5.5, 7.5); at 10 the fifth: merged in pairs
    assert [(p["step"], p["train/loss"]) for p in kept.steps] == [(4, 2.5), (8, 6.5), (10, 9.5)]
    assert kept.stride == 4
    restored = TrainingHistory(tmp_path / "history.json")
    restored.load_state_dict(kept.state_dict())
    assert restored.steps == kept.steps and restored.stride == 4
