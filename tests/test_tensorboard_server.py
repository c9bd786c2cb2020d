"""A two-member ``-m`` sweep as TensorBoard shows it: a real server on 127.0.0.1 over the sweep's
folder, read over its HTTP API as the browser reads it: each member's run under its override
name, its scalars on the completed-steps axis, and the HPARAMS of both (the differing setting,
the final figures) equal to each member's ``metrics.json``."""

import json
import math
import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from cli_helpers import TINY, env, metrics, run_in_process
from test_dashboards import free_port, get, wait_for

SMALL = ["data.train_sentences=200", "data.valid_sentences=40", "data.test_sentences=40"]
LIMITS = ["trainer.limit_train_batches=5", "trainer.limit_val_batches=3"]
RUNS = {"lr-5/tensorboard": 5.0, "lr-20/tensorboard": 20.0}


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    sweep = tmp_path_factory.mktemp("tb") / "sweep"
    argv = ["-m", *TINY, *SMALL, *LIMITS, "optim.lr=5,20", "logger=tensorboard"]
    argv.append("hydra/callbacks=none")  # no sweep summary: the members' names need none
    proc = run_in_process("train", *argv, f"run_dir={sweep}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return sweep


@pytest.fixture(scope="module")
def server(sweep):
    port = free_port()
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(sweep)]
    proc = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and its data server
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stderr.close()


def post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_each_member_is_a_run_named_by_its_override_with_its_scalars(sweep, server):
    base, proc = server
    wait_for(base, "/data/runs", lambda runs: set(RUNS) <= set(runs), 60, proc)
    wanted = {"val/ppl", "best/val_ppl", "test/ppl", "hp/best_val_loss"}
    tags = wait_for(
        base,
        "/data/plugin/scalars/tags",
        lambda t: all(wanted <= set(t.get(run, {})) for run in RUNS),
        60,
        proc,
    )
    assert set(tags) == set(RUNS)
    for run in RUNS:
        m = metrics(sweep / run.split("/")[0])
        for tag, key in (
            ("val/ppl", "val/ppl"),
            ("best/val_ppl", "val/ppl"),
            ("test/ppl", "test/ppl"),
        ):
            ((_, step, value),) = json.loads(
                get(base, "/data/plugin/scalars/scalars", run=run, tag=tag)
            )
            assert step == m["global_step"] == 5 and math.isclose(value, m[key], rel_tol=1e-6)


@pytest.mark.slow
def test_hparams_of_both_members_with_their_final_figures(sweep, server):
    base, proc = server
    wait_for(base, "/data/runs", lambda runs: set(RUNS) <= set(runs), 60, proc)
    experiment = post(base, "/data/plugin/hparams/experiment", {"experimentName": ""})
    differs = {h["name"] for h in experiment["hparamInfos"] if h.get("differs")}
    assert "optim.lr" in differs and "seed" not in differs
    assert {"encoder.hidden_size", "data.train_sentences", "trainer.max_epochs"} <= {
        h["name"] for h in experiment["hparamInfos"]
    }  # the whole composed config, flattened
    request = {
        "experimentName": "",
        "allowedStatuses": ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"],
        "colParams": [{"hparam": "optim.lr"}, {"metric": {"tag": "hp/best_val_loss"}}],
        "startIndex": 0,
        "sliceSize": 10,
    }
    groups = post(base, "/data/plugin/hparams/session_groups", request)["sessionGroups"]
    assert {g["name"]: g["hparams"]["optim.lr"] for g in groups} == RUNS
    for group in groups:
        m = metrics(sweep / group["name"].split("/")[0])
        values = {v["name"]["tag"]: v["value"] for v in group["metricValues"]}
        assert math.isclose(values["hp/best_val_loss"], m["val/loss"], rel_tol=1e-6)
        assert math.isclose(values["hp/test_ppl"], m["test/ppl"], rel_tol=1e-6)
