"""Lightning's DDP on two CPU processes (gloo), through the real command line.

One DDP run checks that each rank trains on its own contiguous shard, that the ranks end
with identical parameters, that there is one run directory with one logger run, and that
the validation/test perplexity reduced over the ranks equals the value computed in one
process over the same per-rank shards.  The ranks are observed through a test plugin
(``task=ddp_probe``: the language model plus a callback that saves what each rank saw).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from cli_helpers import metrics, one_line_error, run_cli, train
from omegaconf import OmegaConf

from lstm_nlp.errors import ConfigError
from lstm_nlp.training.ddp_checks import check_ddp_multirun

PROBE_ENV = "LSTM_NLP_DDP_PROBE"

# task=ddp_probe: task=language_model whose module adds a callback (configure_callbacks) that
# writes, for every rank, the training windows it was served, its streams, its parameters before
# and after training, and its metrics after the final validate/test, into $LSTM_NLP_DDP_PROBE.
PROBE_PLUGIN = """
import json
import os
from pathlib import Path

import lightning.pytorch as pl
import numpy as np
import torch

from lstm_nlp.registry import TASKS
from lstm_nlp.tasks.options import LanguageModelOptions


def snapshot(module):
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items()}


class Probe(pl.Callback):
    def __init__(self):
        self.out = Path(os.environ["LSTM_NLP_DDP_PROBE"])
        self.inputs, self.initial = [], None

    def on_train_start(self, trainer, pl_module):
        self.initial = snapshot(pl_module)

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.inputs.append(batch[0].detach().cpu().clone())

    def on_train_end(self, trainer, pl_module):
        streams = {k: torch.from_numpy(np.asarray(v).astype(np.int64)) \
for k, v in trainer.datamodule.streams.items()}
        torch.save({
            "rank": trainer.global_rank, "world_size": trainer.world_size,
            "environment": type(trainer.strategy.cluster_environment).__name__,
            "backend": torch.distributed.get_backend(), "inputs": torch.cat(self.inputs), \
"streams": streams,
            "initial": self.initial, "final": snapshot(pl_module),
        }, self.out / f"train_rank{trainer.global_rank}.pt")

    def _metrics(self, trainer, stage):
        if trainer.state.fn.value == stage:  # the final validate/test, not validation inside fit
            values = {k: float(v) for k, v in trainer.callback_metrics.items()}
            (self.out / f"{stage}_rank{trainer.global_rank}.json").write_text(json.dumps(values))

    def on_validation_end(self, trainer, pl_module):
        self._metrics(trainer, "validate")

    def on_test_end(self, trainer, pl_module):
        self._metrics(trainer, "test")


def build(cfg, run):
    parts = TASKS.get("language_model")(cfg, run)
    parts.module.configure_callbacks = lambda: [Probe()]
    return parts


TASKS.register("ddp_probe", build, config=LanguageModelOptions)
"""


def write_probe(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """The plugin folder and the folder the ranks write into (set in the environment)."""
    plugins, out = tmp_path / "plugins", tmp_path / "probe"
    plugins.mkdir()
    out.mkdir()
    (plugins / "ddp_probe.py").write_text(PROBE_PLUGIN)
    monkeypatch.setenv(PROBE_ENV, str(out))
    return plugins, out


def probe_records(out: Path, world: int = 2) -> list[dict]:
    records = [torch.load(out / f"train_rank{r}.pt", weights_only=True) for r in range(world)]
    assert [r["rank"] for r in records] == list(range(world))
    assert {r["world_size"] for r in records} == {world}
    return records


def columns(stream: torch.Tensor, rank: int, world: int, batch_size: int) -> torch.Tensor:
    """Rank ``rank``'s contiguous ``1/world`` of ``stream`` laid out in ``batch_size`` columns, each
    a contiguous slice, row t+1 following row t (written out here, not taken from lstm_nlp)."""
    size = len(stream) // world
    part = stream[rank * size : (rank + 1) * size]
    rows = len(part) // batch_size
    return part[: rows * batch_size].reshape(batch_size, rows).t()


def assert_ranks_trained_in_sync(records: list[dict], batch_size: int, last_ckpt: Path) -> None:
    """Each rank was served its own shard's windows, in order; parameters are identical after
    training."""
    world = len(records)
    train_stream = records[0]["streams"]["train"]
    for rec in records:
        assert torch.equal(rec["streams"]["train"], train_stream)
        shard = columns(train_stream, rec["rank"], world, batch_size)
        assert torch.equal(
            rec["inputs"], shard[:-1]
        )  # every window of the shard, inputs rows 0 .. n-2
    assert not torch.equal(records[0]["inputs"], records[1]["inputs"])
    final = records[0]["final"]
    assert any(
        not torch.equal(final[k], records[0]["initial"][k]) for k in final
    )  # training changed them
    for rec in records[1:]:
        assert rec["final"].keys() == final.keys()
        for key in final:
            assert torch.equal(rec["final"][key], final[key]), (
                f"rank {rec['rank']} differs in {key}"
            )
    ckpt = torch.load(last_ckpt, map_location="cpu", weights_only=True)
    assert all(torch.equal(ckpt["state_dict"][k], final[k]) for k in final)
    h, c = ckpt["lstm_nlp_hidden"]["ranks"]  # every rank's carried state, for an exact resume
    assert h.shape[0] == c.shape[0] == world and not torch.equal(h[0], h[1])


@torch.no_grad()
def shard_nll(
    model, stream: torch.Tensor, rank: int, world: int, batch_size: int, bptt: int
) -> tuple[float, int]:
    """Summed NLL and token count of one rank's shard, hidden state carried across windows."""
    data = columns(stream, rank, world, batch_size)
    total, count, hidden = 0.0, 0, None
    for start in range(0, data.size(0) - 1, bptt):
        seq = min(bptt, data.size(0) - 1 - start)
        inputs, targets = data[start : start + seq], data[start + 1 : start + 1 + seq]
        logits, hidden = model(inputs, hidden)
        total += F.cross_entropy(
            logits.reshape(-1, logits.size(-1)).double(), targets.reshape(-1), reduction="sum"
        ).item()
        count += targets.numel()
    return total, count


@pytest.mark.slow
def test_ddp_on_two_cpu_processes(corpus_dir, tmp_path, monkeypatch):
    from lstm_nlp.tasks.checked_load import load_language_model

    plugins, out = write_probe(tmp_path, monkeypatch)
    run_dir, cwd = tmp_path / "run", tmp_path / "cwd"
    cwd.mkdir()
    proc = train(
        "task=ddp_probe",
        f"plugins_dir={plugins}",
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={run_dir}",
        "trainer.strategy=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    records = probe_records(out)
    assert {(r["environment"], r["backend"]) for r in records} == {("LightningEnvironment", "gloo")}
    assert_ranks_trained_in_sync(
        records, batch_size=4, last_ckpt=run_dir / "checkpoints" / "last.ckpt"
    )

    # one run directory, one logger run, one metrics.json; nothing written anywhere else
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "corpus",
        "cwd",
        "plugins",
        "probe",
        "run",
    ]
    assert list(cwd.iterdir()) == []
    assert list(tmp_path.rglob("metrics.json")) == [run_dir / "metrics.json"]
    assert sorted(p.name for p in (run_dir / "logs").iterdir()) == ["version_0"]
    rows = (run_dir / "logs" / "version_0" / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    val_rows = [r for r in rows[1:] if r.split(",")[header.index("val/ppl")]]
    best_rows = [r for r in rows[1:] if r.split(",")[header.index("best/val_ppl")]]
    # the epoch's validation on the val/ curve, the final validate as best/, each once (rank 0)
    assert len(val_rows) == 1 and len(best_rows) == 1
    assert "train_ddp_process" not in (run_dir / ".hydra" / "overrides.yaml").read_text()
    assert proc.stdout.count("lstm-nlp: epoch 0 ") == 1

    # perplexity reduced over the ranks == one process over the same per-rank shards, same weights
    model, _ = load_language_model(
        run_dir
    )  # best.ckpt, the weights metrics.json was evaluated with
    result = metrics(run_dir)
    for split, stage, key in (("valid", "validate", "val/ppl"), ("test", "test", "test/ppl")):
        stream = records[0]["streams"][split]
        parts = [shard_nll(model, stream, r, 2, batch_size=4, bptt=10) for r in range(2)]
        reference = math.exp(sum(t for t, _ in parts) / sum(n for _, n in parts))
        assert abs(result[key] - reference) / reference < 1e-4, (split, result[key], reference)
        per_rank = [json.loads((out / f"{stage}_rank{r}.json").read_text())[key] for r in range(2)]
        assert (
            per_rank[0] == per_rank[1] == pytest.approx(result[key], rel=1e-6)
        )  # every rank holds the reduced value
        rank0_only = math.exp(parts[0][0] / parts[0][1])
        assert (
            abs(rank0_only - reference) / reference > 1e-3
        )  # so the check above tells reduced from rank 0's own


@pytest.mark.slow
def test_ddp_inside_multirun_is_refused_with_how_to_sweep(corpus_dir, tmp_path):
    sweep = tmp_path / "sweep"
    proc = train(
        "-m",
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={sweep}",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "seed=1,2",
    )
    line = one_line_error(proc)
    assert "trainer.devices=2 cannot run inside a Hydra multirun (-m)" in line
    assert "scripts/train_multi_gpu.sh 2 " in line and "hydra/launcher=slurm" in line
    assert not list(sweep.rglob("*.ckpt")) and not (sweep / "1").exists()


SLURM = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
BASIC = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"


@pytest.mark.parametrize(
    "trainer, launcher",
    [
        ({"strategy": "ddp", "devices": 2}, BASIC),
        (
            {"strategy": "auto", "devices": 2, "accelerator": "cpu"},
            BASIC,
        ),  # Lightning picks DDP for 2 devices
        ({"strategy": "ddp", "devices": 1, "num_nodes": 2}, BASIC),
        (
            {"strategy": "ddp", "devices": -1, "accelerator": "gpu"},
            BASIC,
        ),  # every GPU: maybe several
        ({"strategy": "ddp", "devices": "0,1", "accelerator": "gpu"}, None),
        ({"strategy": "fsdp", "devices": [0, 1], "accelerator": "gpu"}, BASIC),
    ],
)
def test_multirun_refuses_processes_started_by_rerunning_the_command(trainer, launcher):
    with pytest.raises(
        ConfigError, match=r"cannot run inside a Hydra multirun .* scripts/train_multi_gpu\.sh"
    ):
        check_ddp_multirun(OmegaConf.create(trainer), multirun=True, launcher=launcher)


@pytest.mark.parametrize(
    "trainer, multirun, launcher",
    [
        ({"strategy": "ddp", "devices": 2}, False, BASIC),  # a single run
        ({"strategy": "ddp", "devices": 1}, True, BASIC),  # one process: nothing is re-run
        ({"strategy": "auto", "devices": "auto", "accelerator": "cpu"}, True, BASIC),
        (
            {"strategy": "ddp_spawn", "devices": 2},
            True,
            BASIC,
        ),  # starts its processes without the command line
        (
            {"strategy": "ddp", "devices": 4, "num_nodes": 2},
            True,
            SLURM,
        ),  # srun starts them, one allocation per job
    ],
)
def test_multirun_allows_single_process_spawned_and_slurm_jobs(trainer, multirun, launcher):
    check_ddp_multirun(OmegaConf.create(trainer), multirun=multirun, launcher=launcher)


@pytest.mark.parametrize("devices", [-1, "auto"])
def test_slurm_launcher_needs_a_number_of_devices(devices):
    trainer = OmegaConf.create({"strategy": "ddp", "devices": devices, "accelerator": "gpu"})
    with pytest.raises(
        ConfigError, match="hydra/launcher=slurm needs trainer.devices set to the number of GPUs"
    ):
        check_ddp_multirun(trainer, multirun=True, launcher=SLURM)


@pytest.mark.slow
def test_ddp_run_stopped_by_sigterm_resumes_exactly(tmp_path):
    """Two processes: SIGTERM to the launching rank mid-epoch, the same command again; the end
    equals an uninterrupted run (each rank's carried hidden state and data position come back from
    the checkpoint)."""
    import signal
    import subprocess
    import sys
    import time

    from cli_helpers import TINY, env

    args = [
        *TINY,
        "trainer.max_epochs=2",
        "data.train_sentences=800",
        "data.valid_sentences=100",
        "data.test_sentences=100",
        "task.dropout=0.2",
        "trainer.strategy=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "checkpoint_every_n_steps=5",
        "checkpoint_every_minutes=null",
        "logger=none",
    ]

    def command(run_dir):
        return [sys.executable, "-m", "lstm_nlp.cli.train", *args, f"run_dir={run_dir}"]

    reference = subprocess.run(
        command(tmp_path / "reference"),
        capture_output=True,
        text=True,
        env=env(),
        cwd=tmp_path,
        timeout=300,
    )
    assert reference.returncode == 0, reference.stderr[-3000:]

    run_dir, last = tmp_path / "stopped", tmp_path / "stopped" / "checkpoints" / "last.ckpt"
    proc = subprocess.Popen(
        command(run_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        cwd=tmp_path,
    )
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        try:
            if (
                torch.load(last, weights_only=True)["epoch"] == 1
            ):  # a resume point in the second epoch
                break
        except (OSError, RuntimeError, EOFError, KeyError):
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "SIGTERM at step" in out, err[-3000:]
    assert torch.load(last, weights_only=True)["lstm_nlp_hidden"]["ranks"][0].shape[0] == 2

    again = subprocess.run(
        command(run_dir), capture_output=True, text=True, env=env(), cwd=tmp_path, timeout=300
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "resuming from" in again.stdout
    assert metrics(run_dir) == metrics(tmp_path / "reference")


@pytest.mark.slow
def test_a_sentence_task_with_a_tiny_validation_split_trains_on_two_processes(tmp_path):
    """Fewer validation examples than one batch per process: every process still gets a batch
    (no 'zero length' DataLoader, no gloo crash), and no framework advice is printed."""
    proc = run_cli(
        "train",
        "task=number_agreement",
        "trainer=ddp_cpu",
        "encoder.hidden_size=8",
        "encoder.num_layers=1",
        "task.embedding_dim=8",
        "trainer.max_epochs=1",
        "data.train_sentences=300",
        "data.valid_sentences=4",
        "data.test_sentences=4",
        f"run_dir={tmp_path / 'run'}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "zero length" not in proc.stderr and "sync_dist" not in proc.stderr, proc.stderr
    assert "val/acc" in metrics(tmp_path / "run")
