"""trainer.precision=bf16-mixed on CPU: the fused output layer in bfloat16 (fp32 master weights
and gradients), reported losses in fp32, and a real run close to fp32."""

import json

import pytest
import torch
import torch.nn.functional as F
from cli_helpers import run_in_process

from lstm_nlp.modules.linear_cross_entropy import linear_cross_entropy

BF16 = pytest.mark.skipif(
    not torch.ops.mkldnn._is_mkldnn_bf16_supported(), reason="this CPU has no bf16 matmuls"
)


def leaves(seed, rows=70, dim=32, vocab=500, bias=True):
    g = torch.Generator().manual_seed(seed)
    hidden = torch.randn(rows, dim, generator=g).requires_grad_()
    weight = (torch.randn(vocab, dim, generator=g) * 0.3).requires_grad_()
    b = torch.randn(vocab, generator=g).requires_grad_() if bias else None
    return hidden, weight, b, torch.randint(vocab, (rows,), generator=g)


def fp32_grads(hidden, weight, bias, targets):
    tensors = [t for t in (hidden, weight, bias) if t is not None]
    loss = F.cross_entropy(F.linear(hidden, weight, bias), targets)
    return loss.detach(), torch.autograd.grad(loss, tensors)


@BF16
@pytest.mark.parametrize("bias", [True, False])
def test_the_bf16_kernel_is_close_to_fp32_and_gives_fp32_gradients(bias):
    hidden, weight, b, targets = leaves(0, bias=bias)
    expected, expected_grads = fp32_grads(hidden, weight, b, targets)
    tensors = [t for t in (hidden, weight, b) if t is not None]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = linear_cross_entropy(hidden, weight, b, targets)
    got = torch.autograd.grad(loss, tensors)
    assert loss.dtype == torch.float32 and abs(loss.item() - expected.item()) < 2e-3
    for g, e in zip(got, expected_grads):
        assert g.dtype == torch.float32  # the master weights' gradients
        assert (g - e).abs().max() <= 0.02 * e.abs().max()  # bfloat16 products: ~3 digits
        assert not torch.equal(g, e)  # it did run in bfloat16


@BF16
def test_under_autocast_without_gradients_the_loss_is_the_fp32_one():
    """Validation, test and lstm-nlp-ppl report perplexities computed in fp32."""
    hidden, weight, b, targets = leaves(1)
    with torch.no_grad():
        expected = F.cross_entropy(F.linear(hidden, weight, b), targets)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            got = linear_cross_entropy(hidden.bfloat16(), weight, b, targets)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, expected, rtol=1e-3, atol=1e-3)  # hidden rounded to bf16
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        exact = linear_cross_entropy(hidden, weight, b, targets)
    torch.testing.assert_close(exact, expected, rtol=1e-6, atol=1e-6)


@BF16
def test_an_underflowing_target_is_exact_in_bf16_too():
    vocab = 8
    hidden = torch.eye(4, 5).requires_grad_()
    weight = torch.zeros(vocab, 5)
    weight[1, 0], weight[2, 1], weight[3, 2], weight[1, 3] = -300.0, -300.0, -300.0, -300.0
    weight.requires_grad_()
    targets = torch.tensor([1, 2, 3, 1])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = linear_cross_entropy(hidden, weight, None, targets)
    expected = F.cross_entropy(F.linear(hidden.double(), weight.double()), targets)
    torch.testing.assert_close(loss.double(), expected.detach(), rtol=1e-6, atol=1e-4)


@BF16
def test_a_bf16_mixed_run_trains_fp32_weights_and_reports_near_fp32_perplexities(tmp_path):
    """A bf16-mixed run: its checkpoint's weights are fp32, and lstm-nlp-ppl (all fp32) scores
    its validation split within 1% of the val/ppl it logged (LSTM in bf16 there, the loss in
    fp32).  Whether bf16 *training* matches fp32 is a benchmark (docs/benchmarks.md): over a
    few chaotic early steps two fp32 runs from nudged weights differ as much."""
    run_dir = tmp_path / "run"
    proc = run_in_process(
        "train",
        "data.train_sentences=600",
        "data.valid_sentences=100",
        "data.test_sentences=100",
        "encoder.hidden_size=32",
        "task.embedding_dim=32",
        "trainer.max_epochs=2",
        "logger=none",
        f"run_dir={run_dir}",
        "trainer.precision=bf16-mixed",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    logged = json.loads((run_dir / "metrics.json").read_text())["val/ppl"]
    state = torch.load(run_dir / "checkpoints" / "best.ckpt", weights_only=False)
    floats = [v for v in state["state_dict"].values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float32 for v in floats)
    proc = run_in_process("ppl", f"checkpoint={run_dir}", "split=valid", f"out={tmp_path / 'p'}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    scored = json.loads((tmp_path / "p" / "results.json").read_text())["total"]["ppl"]
    assert scored != logged and abs(scored / logged - 1) < 0.01


def test_bf16_on_a_cpu_without_bf16_instructions_is_one_line_and_fp32(monkeypatch, capsys):
    from lstm_nlp.training.trainer import cpu_precision

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert cpu_precision({"precision": "bf16-mixed", "accelerator": "cpu"}) == "32-true"
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "no bf16 matrix instructions" in line and "fp32" in line
    assert cpu_precision({"precision": "16-mixed", "accelerator": "cpu"}) == "16-mixed"
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    assert cpu_precision({"precision": "bf16-mixed", "accelerator": "cpu"}) == "bf16-mixed"
