"""scripts/bench_gpu.py (issue 15's GPU benchmark) through its CPU fallback, its FLOP counts
against hand computations, its chunked output layer against F.cross_entropy, and
scripts/gpu_checks.sh's syntax."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

import bench_gpu  # noqa: E402

from lstm_nlp.modules import AdaptiveHead  # noqa: E402

ROWS = [
    ("wt2-b20", "module"),
    ("wt2-b20", "chunked"),
    ("wt2-b64", "module"),
    ("wt2-b64", "chunked"),
    ("wt103-adaptive", "module"),
    ("wt103-full", "module"),
    ("wt103-full", "chunked"),
]


def test_cpu_fallback_prints_a_row_per_configuration_and_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["--device", "cpu", "--quick", "--peak-tflops", "2", "--json", str(out)]
    returned = bench_gpu.main(argv)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("bench_gpu: cpu ") and "2 TFLOP/s bf16 dense" in lines[0]
    table = [line.split() for line in lines[2:]]
    assert [(cells[0], cells[1]) for cells in table] == ROWS
    for cells in table:
        assert cells[2] == "no" and float(cells[3]) > 0 and cells[-2] == "n/a"

    report = json.loads(out.read_text())
    assert report == json.loads(json.dumps(returned)) and report["argv"] == argv
    assert report["device"] == "cpu" and report["peak_tflops"] == 2.0
    assert report["peak_source"] == "--peak-tflops" and report["matmul_ceiling_tflops"] > 0
    rows = report["rows"]
    assert [(r["name"], r["head_impl"]) for r in rows] == ROWS
    for row in rows:
        assert row["status"] == "ok" and row["compile"] is False
        assert row["tokens_per_s"] > 0 and len(row["tokens_per_s_rounds"]) == 2
        tokens = row["batch"] * row["bptt"] * report["settings"]["steps"]
        assert row["tokens_per_s"] == pytest.approx(
            tokens / (row["ms_per_step"] * report["settings"]["steps"] / 1000)
        )
        step_s = row["ms_per_step"] / 1000
        assert row["tflops"] == pytest.approx(row["flops_per_step"] / step_s / 1e12)
        assert row["share_of_peak"] == pytest.approx(row["tflops"] / 2.0)
        assert row["peak_mem_mib"] is None and math.isfinite(row["final_loss"])
        assert row["lstm_output_dtype"] in ("float32", "bfloat16")
    full = {r["head_impl"]: r for r in rows if r["name"] == "wt103-full"}
    assert full["module"]["flops_per_step"] == full["chunked"]["flops_per_step"]


def test_flop_counts_equal_hand_computations():
    tiny = bench_gpu.Config(
        "t", vocab=7, emb=4, hidden=5, layers=2, batch=2, bptt=3, head="softmax"
    )
    # per token: layer 0 2*4*5*(4+5) = 360, layer 1 2*4*5*(5+5) = 400, decoder 2*5*7 = 70
    by_hand = 3 * 6 * (360 + 400 + 70)
    assert bench_gpu.step_flops(tiny, torch.zeros(4, 3, 2, dtype=torch.long), 4.0) == [by_hand] * 4

    adaptive = bench_gpu.Config("a", 20, 16, 16, 1, 2, 2, "adaptive")
    targets = torch.tensor([[[0, 5], [12, 19]]])  # cutoffs [2, 10]: one target in [2,10), two after
    lstm = 4 * 2 * 4 * 16 * (16 + 16)  # 4 tokens
    head = 4 * 2 * 16 * (2 + 2)  # shortlist 2 + 2 cluster entries, every token
    cluster0 = 1 * 2 * (16 * 4 + 4 * 8)  # 16 -> 16/4 -> 8 words, one token
    cluster1 = 2 * 2 * (16 * 1 + 1 * 10)  # 16 -> 16/16 -> 10 words, two tokens
    assert bench_gpu.step_flops(adaptive, targets, 4.0) == [3 * (lstm + head + cluster0 + cluster1)]
    # the sizes counted are the module's own
    asm = AdaptiveHead(16, 20, div_value=4.0).asm
    assert asm.cutoffs[:-1] == [2, 10] and asm.head.weight.shape == (4, 16)
    assert [tuple(t[0].weight.shape) + tuple(t[1].weight.shape) for t in asm.tail] == [
        (4, 16, 8, 4),
        (1, 16, 10, 1),
    ]


def test_chunked_output_layer_equals_cross_entropy():
    torch.manual_seed(0)
    hidden = torch.randn(37, 8, requires_grad=True)
    weight = torch.randn(50, 8, requires_grad=True)
    bias = torch.randn(50, requires_grad=True)
    targets = torch.randint(0, 50, (37,))
    expected = F.cross_entropy(F.linear(hidden, weight, bias), targets)
    grads = torch.autograd.grad(3 * expected, (hidden, weight, bias))
    loss = bench_gpu.ChunkedLinearCrossEntropy.apply(
        hidden, weight, bias, targets, 5, torch.float32
    )  # 8 chunks, the last one short
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    for got, want in zip(torch.autograd.grad(3 * loss, (hidden, weight, bias)), grads):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_auto_falls_back_to_cpu_with_one_line(capsys):
    if torch.cuda.is_available():
        pytest.skip("auto picks the GPU here")
    argv = ["--device", "auto", "--quick", "--configs", "wt103-adaptive", "--precision", "fp32"]
    report = bench_gpu.main(argv)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "bench_gpu: no CUDA device: falling back to the CPU (--device auto)"
    assert "peak unknown" in out[1] and report["device"] == "cpu"
    assert report["precision"] == "fp32" and report["peak_tflops"] is None
    (row,) = report["rows"]
    assert row["status"] == "ok" and row["share_of_peak"] is None and row["tokens_per_s"] > 0


@pytest.mark.parametrize(
    "name, peak",
    [
        ("NVIDIA H200", 989.0),
        ("NVIDIA H100 80GB HBM3", 989.0),
        ("NVIDIA H100 PCIe", 756.0),
        ("NVIDIA A100-SXM4-80GB", 312.0),
        ("NVIDIA L4", 121.0),
        ("NVIDIA L40S", 362.0),
        ("Tesla V100-SXM2-16GB", None),
    ],
)
def test_bf16_peak_table(name, peak):
    assert bench_gpu.bf16_peak(name) == peak


def test_gpu_checks_script_parses_and_explains_itself():
    script = SCRIPTS / "gpu_checks.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    usage = subprocess.run(["bash", str(script), "--help"], capture_output=True, text=True)
    assert usage.returncode == 0 and "prepare" in usage.stdout and "$OUT" in usage.stdout
    wrong = subprocess.run(["bash", str(script), "nonsense"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "unknown mode 'nonsense'" in wrong.stderr
