"""scripts/train_multi_gpu.sh (Lightning DDP on one node, torchrun across nodes) and
scripts/slurm.sh (Hydra's submitit launcher), with conf/hydra/launcher/slurm.yaml.  The real runs
use CPU processes (ACCELERATOR=cpu, gloo) and the ``task=ddp_probe`` plugin of test_ddp to observe
each rank."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import TINY, env, metrics
from hydra import compose, initialize_config_module
from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf
from test_ddp import assert_ranks_trained_in_sync, probe_records, write_probe

ROOT = Path(__file__).resolve().parents[1]
MULTI = ROOT / "scripts" / "train_multi_gpu.sh"
SLURM = ROOT / "scripts" / "slurm.sh"


def script(
    path: Path, *args: str, cwd: Path | None = None, **extra: str
) -> subprocess.CompletedProcess:
    e = env()
    e.update(PYTHON=sys.executable, **extra)
    return subprocess.run(
        ["bash", str(path), *args], capture_output=True, text=True, env=e, cwd=cwd, timeout=240
    )


def error_line(proc: subprocess.CompletedProcess, prog: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scripts/{prog}: error: "), proc.stderr
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("path", [MULTI, SLURM])
def test_scripts_parse_and_print_usage(path):
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    assert path.stat().st_mode & 0o111  # executable
    assert "set -euo pipefail" in path.read_text()
    proc = script(path, "--help")
    assert (
        proc.returncode == 0 and proc.stdout.startswith("Usage:") and "Environment" in proc.stdout
    )


def test_train_multi_gpu_dry_run_prints_the_commands():
    one_node = script(MULTI, "--dry-run", "4", "experiment=ptb_small", "data.path=my corpus")
    assert one_node.returncode == 0, one_node.stderr
    assert one_node.stdout.split() == [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        "trainer=ddp",
        "trainer.accelerator=gpu",
        "trainer.devices=4",
        "experiment=ptb_small",
        "data.path=my\\",
        "corpus",
    ]  # quoted for a shell: data.path=my\ corpus
    nodes = script(
        MULTI,
        "--nnodes",
        "2",
        "--rdzv-endpoint",
        "node0:29400",
        "--dry-run",
        "4",
        "run_dir=/shared/runs/a",
        "seed=3",
    )
    assert nodes.returncode == 0, nodes.stderr
    assert nodes.stdout.split() == [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=2",
        "--nproc-per-node=4",
        "--rdzv-backend=c10d",
        "--rdzv-endpoint=node0:29400",
        "--rdzv-id=lstm-nlp",
        "-m",
        "lstm_nlp.cli.train",
        "trainer=ddp",
        "trainer.accelerator=gpu",
        "trainer.devices=4",
        "trainer.num_nodes=2",
        "run_dir=/shared/runs/a",
        "seed=3",
    ]
    cpu = script(MULTI, "--dry-run", "--nnodes=1", "2", "run_dir=r", ACCELERATOR="cpu")
    assert "--standalone" in cpu.stdout.split() and "trainer.accelerator=cpu" in cpu.stdout.split()


@pytest.mark.parametrize(
    "args, expected",
    [
        ((), "NUM_GPUS is required"),
        (("four",), "NUM_GPUS must be a positive integer (GPUs per node), got 'four'"),
        (("0",), "NUM_GPUS must be a positive integer"),
        (("--nnodes", "2", "4", "run_dir=r"), "--nnodes 2 needs --rdzv-endpoint HOST:PORT"),
        (
            ("--nnodes", "2", "--rdzv-endpoint", "h:1", "4"),
            "with --nnodes, run_dir=DIR is required",
        ),
        (("--nnodes", "x", "4", "run_dir=r"), "--nnodes must be a positive integer, got 'x'"),
        (("--nnodes",), "--nnodes needs a value"),
        (("--gpus", "4"), "unknown option '--gpus'"),
        (("4", "trainer.devices=2"), "'trainer.devices=2' is set by this script"),
        (
            ("4", "-m", "seed=1,2"),
            "a sweep (-m) cannot run inside one DDP job: run this script once per sweep point",
        ),
    ],
)
def test_train_multi_gpu_bad_arguments_are_one_line_errors(args, expected):
    assert expected in error_line(script(MULTI, *args), "train_multi_gpu.sh")


@pytest.mark.slow
def test_train_multi_gpu_runs_lightning_ddp_on_cpu(corpus_dir, tmp_path, monkeypatch):
    """One node: Lightning starts the second process itself, even inside a SLURM allocation."""
    plugins, out = write_probe(tmp_path, monkeypatch)
    run_dir = tmp_path / "run"
    proc = script(
        MULTI,
        "2",
        *TINY,
        "task=ddp_probe",
        f"plugins_dir={plugins}",
        "data=text",
        f"data.path={corpus_dir}",
        f"run_dir={run_dir}",
        ACCELERATOR="cpu",
        SLURM_NTASKS="1",
        SLURM_NTASKS_PER_NODE="1",
        SLURM_JOB_NAME="batch",
    )  # as in an sbatch job
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = probe_records(out)
    assert {(r["environment"], r["backend"]) for r in records} == {("LightningEnvironment", "gloo")}
    assert_ranks_trained_in_sync(
        records, batch_size=4, last_ckpt=run_dir / "checkpoints" / "last.ckpt"
    )
    assert "val/ppl" in metrics(run_dir)


@pytest.mark.slow
def test_train_multi_gpu_runs_torchrun_on_one_node(corpus_dir, tmp_path, monkeypatch):
    """--nnodes: torchrun starts every process; Lightning reads torchrun's environment."""
    plugins, out = write_probe(tmp_path, monkeypatch)
    run_dir, cwd = tmp_path / "run", tmp_path / "cwd"
    cwd.mkdir()
    proc = script(
        MULTI,
        "--nnodes",
        "1",
        "2",
        f"run_dir={run_dir}",
        *TINY,
        "task=ddp_probe",
        f"plugins_dir={plugins}",
        "data=text",
        f"data.path={corpus_dir}",
        cwd=cwd,
        ACCELERATOR="cpu",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = probe_records(out)
    assert {(r["environment"], r["backend"]) for r in records} == {
        ("TorchElasticEnvironment", "gloo")
    }
    assert_ranks_trained_in_sync(
        records, batch_size=4, last_ckpt=run_dir / "checkpoints" / "last.ckpt"
    )
    assert "val/ppl" in metrics(run_dir)
    assert list(cwd.iterdir()) == [] and sorted(p.name for p in (run_dir / "logs").iterdir()) == [
        "version_0"
    ]


def test_slurm_dry_run_prints_the_command():
    one = script(SLURM, "--dry-run", "1", "seed=1,2")
    assert one.returncode == 0, one.stderr
    assert one.stdout.split() == [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        "-m",
        "hydra/launcher=slurm",
        "trainer.accelerator=gpu",
        "trainer.devices=1",
        "seed=1,2",
    ]
    many = script(
        SLURM,
        "--dry-run",
        "4",
        "optim.lr=10,20",
        NODES="2",
        PARTITION="gpu",
        ACCOUNT="lab",
        TIMEOUT_MIN="90",
        CPUS_PER_TASK="8",
        MEM_GB="64",
    )
    assert many.returncode == 0, many.stderr
    assert many.stdout.split() == [
        sys.executable,
        "-m",
        "lstm_nlp.cli.train",
        "-m",
        "hydra/launcher=slurm",
        "trainer=ddp",
        "trainer.accelerator=gpu",
        "trainer.devices=4",
        "trainer.num_nodes=2",
        "hydra.launcher.partition=gpu",
        "hydra.launcher.account=lab",
        "hydra.launcher.timeout_min=90",
        "hydra.launcher.cpus_per_task=8",
        "hydra.launcher.mem_gb=64",
        "optim.lr=10,20",
    ]


@pytest.mark.parametrize(
    "args, extra, expected",
    [
        ((), {}, "GPUS_PER_NODE is required"),
        (("x",), {}, "GPUS_PER_NODE must be a positive integer, got 'x'"),
        (("4",), {"NODES": "two"}, "NODES must be a positive integer, got 'two'"),
        (
            ("4",),
            {"TIMEOUT_MIN": "1h"},
            "TIMEOUT_MIN must be a positive integer (minutes), got '1h'",
        ),
        (("4", "trainer.num_nodes=2"), {}, "'trainer.num_nodes=2' is set by this script"),
    ],
)
def test_slurm_bad_arguments_are_one_line_errors(args, extra, expected):
    assert expected in error_line(script(SLURM, *args, **extra), "slurm.sh")


def test_slurm_without_the_launcher_package_says_what_to_install(tmp_path):
    # An interpreter for which hydra-submitit-launcher cannot be imported, installed or not.
    blocked = tmp_path / "blocked" / "hydra_plugins" / "hydra_submitit_launcher"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    proc = script(SLURM, "4", "seed=1,2", PYTHONPATH=str(tmp_path / "blocked"))
    assert "needs hydra-submitit-launcher" in error_line(proc, "slurm.sh")
    assert "pip install 'lstm-nlp[slurm]'" in proc.stderr


def test_slurm_away_from_a_cluster_says_so(tmp_path):
    present = tmp_path / "present" / "hydra_plugins" / "hydra_submitit_launcher"
    present.mkdir(parents=True)
    (present / "__init__.py").write_text("")
    proc = script(
        SLURM, "4", "seed=1,2", PYTHONPATH=str(tmp_path / "present"), PATH="/usr/bin:/bin"
    )
    assert "sbatch is not on PATH" in error_line(proc, "slurm.sh")


# The fields of hydra-submitit-launcher 1.2.0's SlurmQueueConf
# (hydra_plugins/hydra_submitit_launcher/config.py).
SUBMITIT_SLURM_FIELDS = {
    "_target_",
    "submitit_folder",
    "timeout_min",
    "cpus_per_task",
    "gpus_per_node",
    "tasks_per_node",
    "mem_gb",
    "nodes",
    "name",
    "stderr_to_stdout",
    "partition",
    "qos",
    "comment",
    "constraint",
    "exclude",
    "gres",
    "cpus_per_gpu",
    "gpus_per_task",
    "mem_per_gpu",
    "mem_per_cpu",
    "account",
    "signal_delay_s",
    "max_num_timeout",
    "additional_parameters",
    "array_parallelism",
    "setup",
}


def test_slurm_launcher_config_gives_one_task_per_gpu():
    """conf/hydra/launcher/slurm.yaml composes over the plugin's submitit_slurm (a stand-in here)
    and takes nodes and tasks from the trainer, as Lightning's SLURMEnvironment needs."""
    own = OmegaConf.load(ROOT / "conf" / "hydra" / "launcher" / "slurm.yaml")
    assert set(own) - {"defaults"} <= SUBMITIT_SLURM_FIELDS
    assert list(own.defaults) == ["submitit_slurm", "_self_"]
    stand_in = {k: None for k in SUBMITIT_SLURM_FIELDS} | {
        "_target_": "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher",
        "tasks_per_node": 1,
        "nodes": 1,
        "timeout_min": 60,
        "additional_parameters": {},
    }
    store = ConfigStore.instance()
    store.store(group="hydra/launcher", name="submitit_slurm", node=stand_in, provider="test")
    try:
        with initialize_config_module("lstm_nlp.conf", version_base="1.3"):
            cfg = compose(
                "train",
                overrides=[
                    "hydra/launcher=slurm",
                    "trainer=ddp",
                    "trainer.devices=4",
                    "trainer.num_nodes=2",
                    "hydra.launcher.partition=gpu",
                ],
                return_hydra_config=True,
            )
    finally:  # the stand-in must not leak into later compositions in this process
        store.repo["hydra"]["launcher"].pop("submitit_slurm.yaml", None)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert (launcher.nodes, launcher.tasks_per_node, launcher.gpus_per_node) == (2, 4, 4)
    assert launcher.partition == "gpu" and launcher.timeout_min == 1440
    assert (
        OmegaConf.to_container(launcher, resolve=False)["submitit_folder"]
        == "${hydra.sweep.dir}/.submitit/%j"
    )
