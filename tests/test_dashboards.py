"""What a run logs to its dashboards, read back with the dashboards' own readers.

A tiny LM run with the agreement suite, once with ``logger=tensorboard`` and once with
``logger=wandb`` (offline): TensorBoard's event reader and a real TensorBoard server on
loopback (its HTTP API, as the browser uses it), and W&B's offline run file (records
parsed with wandb's own protobuf classes) and media folder, must hold the scalars,
the agreement table and the two plots that the run wrote to RUN_DIR.
"""

import io
import json
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import env, metrics, train

from lstm_nlp.report.dashboards import log_images, log_table, read_png
from lstm_nlp.training.agreement_curve import PLOTS
from lstm_nlp.training.learning_curve import TABLE_COLUMNS, TABLE_KEY

SMALL = [
    "data.train_sentences=400",
    "data.valid_sentences=80",
    "data.test_sentences=80",
    "agreement=suite",
    "agreement.n_per_cell=2",
]


def finished_run(tmp_path_factory, logger: str) -> Path:
    run_dir = tmp_path_factory.mktemp(logger) / "run"
    proc = train(*SMALL, f"logger={logger}", f"run_dir={run_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run_dir


@pytest.fixture(scope="module")
def tb_run(tmp_path_factory) -> Path:
    return finished_run(tmp_path_factory, "tensorboard")


@pytest.fixture(scope="module")
def wandb_run(tmp_path_factory) -> Path:
    return finished_run(tmp_path_factory, "wandb")


def results(run_dir: Path) -> dict:
    return json.loads((run_dir / "agreement" / "results.json").read_text())


def expected_rows(run_dir: Path) -> list[list]:
    """The table as results.json says it should be: overall, then each group's values in its
    order (attractor counts, categories)."""
    res = results(run_dir)
    assert set(res["groups"]) == {"category", "attractors"}
    cells = [("overall", "all", res["overall"])]
    cells += [(g, v, s) for g, values in res["groups"].items() for v, s in values.items()]
    return [
        [g, v, s["n"], s["correct"], s["accuracy"], *(s["ci95"] or [None, None])]
        for g, v, s in cells
    ]


def png_pixels(data: bytes) -> np.ndarray:
    return read_png(io.BytesIO(data))


# -- TensorBoard ----------------------------------------------------------------------------------


def event_accumulator(folder: Path):
    """TensorBoard's own reader over the event files in ``folder``, keeping every value."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder), size_guidance={"scalars": 0, "images": 0, "tensors": 0})
    acc.Reload()
    return acc


@pytest.mark.slow
def test_tensorboard_events_hold_scalars_plots_and_table(tb_run):
    acc, m = event_accumulator(tb_run / "tensorboard"), metrics(tb_run)
    tags = acc.Tags()
    for key in (
        "test/agreement/acc",
        "test/agreement/acc/category/pp",
        "test/agreement/acc/attractors/0",
    ):
        assert math.isclose(acc.Scalars(key)[-1].value, m[key], rel_tol=1e-6)
    (during,) = acc.Scalars("agreement/acc")  # one learning-curve point: one validation
    assert math.isclose(
        during.value, m["test/agreement/acc"], rel_tol=1e-6
    )  # best == only epoch's weights
    for name in PLOTS:
        (image,) = acc.Images(f"agreement/{name}")
        assert image.step == m["global_step"]
        assert np.array_equal(
            png_pixels(image.encoded_image_string), read_png(tb_run / "agreement" / f"{name}.png")
        )
    text_tag = next(t for t in tags["tensors"] if t.startswith(TABLE_KEY))
    from tensorboard.util import tensor_util

    markdown = tensor_util.make_ndarray(acc.Tensors(text_tag)[-1].tensor_proto).item().decode()
    lines = [line.strip("| ").split(" | ") for line in markdown.splitlines()]
    assert lines[0] == list(TABLE_COLUMNS)
    rows = lines[2:]
    assert [r[:4] for r in rows] == [[str(c) for c in row[:4]] for row in expected_rows(tb_run)]
    assert all(
        math.isclose(float(r[4]), row[4], rel_tol=1e-3)
        for r, row in zip(rows, expected_rows(tb_run))
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base: str, path: str, **query: str) -> bytes:
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def wait_for(base: str, path: str, ready, timeout: float, proc: subprocess.Popen):
    """Poll ``path`` until ``ready(json)`` holds (TensorBoard loads event files in the
    background)."""
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, (
            proc.stderr.read()[-3000:] if proc.stderr else "tensorboard exited"
        )
        try:
            data = json.loads(get(base, path))
            if ready(data):
                return data
        except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
            pass
        assert time.monotonic() < deadline, f"tensorboard did not serve {path} within {timeout} s"
        time.sleep(0.5)


@pytest.fixture
def tensorboard_server(tb_run):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(tb_run),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and any data-server child
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stderr.close()


@pytest.mark.slow
def test_tensorboard_server_shows_the_run_as_a_browser_sees_it(tb_run, tensorboard_server):
    base, proc = tensorboard_server
    m, acc = metrics(tb_run), event_accumulator(tb_run / "tensorboard")
    wait_for(base, "/data/runs", lambda runs: "tensorboard" in runs, 60, proc)
    wanted = {"val/ppl", "best/val_ppl", "agreement/acc", "test/agreement/acc"}
    tags = wait_for(
        base,
        "/data/plugin/scalars/tags",
        lambda t: wanted <= set(t.get("tensorboard", {})),
        60,
        proc,
    )
    assert "train/loss_step" in tags["tensorboard"]
    for tag in ("val/ppl", "test/agreement/acc", "agreement/acc/category/pp", "train/loss_step"):
        served = json.loads(get(base, "/data/plugin/scalars/scalars", run="tensorboard", tag=tag))
        logged = acc.Scalars(tag)
        assert [(s, v) for _, s, v in served] == [
            (e.step, pytest.approx(e.value, rel=1e-6)) for e in logged
        ]
    ((_, step, best),) = json.loads(
        get(base, "/data/plugin/scalars/scalars", run="tensorboard", tag="best/val_ppl")
    )  # the final validation of the best checkpoint: its own name, at the run's last step
    assert step == m["global_step"] and math.isclose(best, m["val/ppl"], rel_tol=1e-6)
    served = json.loads(get(base, "/data/plugin/scalars/scalars", run="tensorboard", tag="val/ppl"))
    assert [s for _, s, _ in served] == [m["global_step"]]  # the one validation that ran
    image_tags = wait_for(base, "/data/plugin/images/tags", lambda t: "tensorboard" in t, 30, proc)[
        "tensorboard"
    ]
    for name in PLOTS:
        assert f"agreement/{name}" in image_tags
        (entry,) = json.loads(
            get(base, "/data/plugin/images/images", run="tensorboard", tag=f"agreement/{name}")
        )
        assert entry["step"] == m["global_step"]
        png = get(base, "/data/plugin/images/individualImage?" + entry["query"])
        assert np.array_equal(png_pixels(png), read_png(tb_run / "agreement" / f"{name}.png"))


# -- Weights & Biases (offline) --------------------------------------------------------------------


def wandb_records(path: Path) -> list:
    """The records of an offline run file, parsed with wandb's own protobuf ``Record``.

    The file is wandb's LevelDB-style log: a 7-byte header (``:W&B``, magic 0xBEE1, version),
    then 32 KiB blocks of chunks, each ``crc32 (4) | length (2) | type (1) | data``, the
    crc over the type byte and the data; types 1 full, 2 first, 3 middle, 4 last.
    """
    from wandb.proto.wandb_internal_pb2 import Record

    data = path.read_bytes()
    assert struct.unpack("<4sHB", data[:7]) == (b":W&B", 0xBEE1, 0)
    records, pending, pos, block = [], b"", 7, 32768
    while pos + 7 <= len(data):
        if block - pos % block < 7:  # a block's tail too short for a chunk header is padding
            pos += block - pos % block
            continue
        crc, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        chunk, pos = data[pos + 7 : pos + 7 + length], pos + 7 + length
        if kind == 0:
            continue
        assert zlib.crc32(chunk, zlib.crc32(bytes([kind]))) == crc, f"corrupt chunk at byte {pos}"
        pending = chunk if kind in (1, 2) else pending + chunk
        if kind in (1, 4):
            record = Record()
            record.ParseFromString(pending)
            records.append(record)
    return records


def history_rows(records: list) -> list[dict]:
    """Each ``wandb.log`` call as a dict; nested values (images, tables) as nested dicts."""
    rows = []
    for record in records:
        if record.WhichOneof("record_type") != "history":
            continue
        row: dict = {}
        for item in record.history.item:
            *parents, last = list(item.nested_key) or [item.key]
            node = row
            for key in parents:
                node = node.setdefault(key, {})
            node[last] = json.loads(item.value_json)
        rows.append(row)
    return rows


@pytest.mark.slow
def test_wandb_offline_run_holds_metrics_table_and_plots(wandb_run):
    (run_file,) = (wandb_run / "wandb").glob("offline-run-*/run-*.wandb")
    files, m = run_file.parent / "files", metrics(wandb_run)
    rows = history_rows(wandb_records(run_file))
    logged = {key: row[key] for row in rows for key in row}  # the last value of each key
    assert math.isclose(logged["val/ppl"], m["val/ppl"], rel_tol=1e-4)
    (best,) = [row for row in rows if "best/val_ppl" in row]  # the best checkpoint, by its name
    assert best["trainer/global_step"] == m["global_step"]
    assert math.isclose(best["best/val_ppl"], m["val/ppl"], rel_tol=1e-6)
    for key in (
        "test/agreement/acc",
        "test/agreement/acc/category/pp",
        "test/agreement/acc/attractors/0",
    ):
        assert math.isclose(logged[key], m[key], rel_tol=1e-6)
    assert [row["agreement/acc"] for row in rows if "agreement/acc" in row] == [
        pytest.approx(m["test/agreement/acc"], rel=1e-6)
    ]  # one validation; best == only epoch's weights

    (table_row,) = [row for row in rows if TABLE_KEY in row]
    table = table_row[TABLE_KEY]
    assert table["_type"] == "table-file" and table_row["trainer/global_step"] == m["global_step"]
    stored = json.loads((files / table["path"]).read_text())
    assert stored["columns"] == list(TABLE_COLUMNS)
    assert stored["data"] == expected_rows(wandb_run)

    for name in PLOTS:
        (row,) = [row for row in rows if f"agreement/{name}" in row]
        image = row[f"agreement/{name}"]
        assert image["_type"] == "image-file" and row["trainer/global_step"] == m["global_step"]
        assert (files / image["path"]).read_bytes() == (
            wandb_run / "agreement" / f"{name}.png"
        ).read_bytes()


# -- the functions themselves, as another module (the run report) calls them -----------------------


def test_log_images_and_table_with_tensorboard_and_csv_loggers(tmp_path):
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
    from PIL import Image

    rgb = np.arange(6 * 5 * 3, dtype=np.uint8).reshape(6, 5, 3)
    grey = np.arange(4 * 7, dtype=np.uint8).reshape(4, 7) * 9
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    Image.fromarray(grey).save(tmp_path / "grey.png")
    tb, csv = (
        TensorBoardLogger(tmp_path / "tb", name="", version=""),
        CSVLogger(tmp_path / "csv", name=""),
    )
    log_images(
        [tb, csv],
        {"report/rgb": tmp_path / "rgb.png", "report/grey": tmp_path / "grey.png"},
        step=3,
    )
    log_table(
        [tb, csv], "report/table", ["name", "value"], [["a|b", 0.123456], ["c", None]], step=3
    )
    tb.finalize("success")
    acc = event_accumulator(tmp_path / "tb")
    (img,) = acc.Images("report/rgb")
    assert img.step == 3 and np.array_equal(png_pixels(img.encoded_image_string), rgb)
    (img,) = acc.Images("report/grey")
    assert np.array_equal(png_pixels(img.encoded_image_string)[:, :, 0], grey)
    from tensorboard.util import tensor_util

    (text_tag,) = [t for t in acc.Tags()["tensors"] if t.startswith("report/table")]
    markdown = tensor_util.make_ndarray(acc.Tensors(text_tag)[0].tensor_proto).item().decode()
    assert markdown.splitlines() == [
        "| name | value |",
        "|---|---|",
        "| a\\|b | 0.1235 |",
        "| c |  |",
    ]
    assert not list(
        (tmp_path / "csv").rglob("*.png")
    )  # CSV: nothing extra (the files are in the run dir)


def test_a_finished_wandb_run_gets_a_warning_not_a_crash(tmp_path, recwarn):
    """After ``finish_loggers()`` a W&B run refuses more data (wandb's UsageError): the run goes
    on."""
    from lightning.pytorch.loggers import WandbLogger
    from PIL import Image
    from wandb.errors import UsageError

    class FinishedRun(WandbLogger):
        def log_metrics(self, metrics, step=None):
            raise UsageError("Run (abc) is finished. The call to `log` will be ignored.")

    Image.fromarray(np.zeros((2, 2, 3), dtype=np.uint8)).save(tmp_path / "x.png")
    logger = FinishedRun(save_dir=str(tmp_path), mode="offline")
    log_images([logger], {"report/x": tmp_path / "x.png"}, step=1)
    log_table([logger], "report/t", ["a"], [[1]], step=1)
    messages = [str(w.message) for w in recwarn]
    assert any(
        m.startswith("lstm-nlp: report/x not logged to W&B: Run (abc) is finished")
        for m in messages
    )
    assert any(m.startswith("lstm-nlp: report/t not logged to W&B") for m in messages)
