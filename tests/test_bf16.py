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


def train_bf16(run_dir, *extra):
    """A tiny two-epoch bf16-mixed language model run (in this process)."""
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
        *extra,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return run_dir


@pytest.fixture(scope="module")
def bf16_run(tmp_path_factory):
    return train_bf16(tmp_path_factory.mktemp("bf16") / "run")


@BF16
def test_a_bf16_mixed_run_trains_fp32_weights_and_reports_near_fp32_perplexities(
    bf16_run, tmp_path
):
    """A bf16-mixed run: its checkpoint's weights are fp32, and lstm-nlp-ppl (all fp32) scores
    its validation split within 1% of the val/ppl it logged (LSTM in bf16 there, the loss in
    fp32).  Whether bf16 *training* matches fp32 is a benchmark (docs/benchmarks.md): over a
    few chaotic early steps two fp32 runs from nudged weights differ as much."""
    run_dir = bf16_run
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


def test_log_probs_at_is_the_log_softmax_in_fp32_and_close_to_it_under_bf16():
    """Scoring under bf16 autocast keeps each target's logit and each row's largest ones exact:
    its error is a fraction of the plain bf16 log-softmax's."""
    from lstm_nlp.modules.lm_head import LMHead

    torch.manual_seed(0)
    head = LMHead(32, 2000)
    with torch.no_grad():
        head.decoder.weight.mul_(8)  # logits of a trained model's size (|logit| ~ 10)
    hidden, rows = torch.randn(50, 32), torch.randint(0, 50, (80,))
    targets = torch.randint(0, 2000, (80,))
    exact = torch.log_softmax(head(hidden), -1)[rows, targets]
    torch.testing.assert_close(head.log_probs_at(hidden, rows, targets), exact, rtol=0, atol=0)
    if not torch.ops.mkldnn._is_mkldnn_bf16_supported():
        return
    with torch.autocast("cpu", dtype=torch.bfloat16):
        got = head.log_probs_at(hidden, rows, targets)
        plain = torch.log_softmax(head(hidden).float(), -1)[rows, targets]
    assert got.dtype == torch.float32
    error, plain_error = (got - exact).abs().max(), (plain - exact).abs().max()
    assert 0 < error < plain_error / 4, (error, plain_error)


def test_scoring_precision_falls_back_to_fp32_in_one_line_without_bf16(monkeypatch, capsys):
    from lstm_nlp.evaluation import precision

    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: False)
    with precision.scoring_precision("bf16-mixed", "cpu") as on:
        assert not on and not torch.is_autocast_enabled("cpu")
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "precision=bf16-mixed" in line and "fp32" in line
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    with precision.scoring_precision("bf16-mixed", "cpu") as on:
        assert on and torch.get_autocast_dtype("cpu") == torch.bfloat16
    with precision.scoring_precision("32-true", "cpu") as on:
        assert not on and not torch.is_autocast_enabled("cpu")


@pytest.fixture(scope="module")
def adaptive_bf16_run(tmp_path_factory):
    """A bf16-mixed run with the adaptive head (its loss in fp32), scored afterwards."""
    run_dir = tmp_path_factory.mktemp("bf16") / "run"
    return train_bf16(run_dir, "task.head=adaptive", "task.adaptive_cutoffs=[20,200]")


@BF16
def test_bf16_adaptive_head_run_and_bf16_perplexity_match_fp32(adaptive_bf16_run, tmp_path):
    run_dir = adaptive_bf16_run
    logged = json.loads((run_dir / "metrics.json").read_text())["val/ppl"]
    scored = {}
    for precision in ("32-true", "bf16-mixed"):
        out = tmp_path / precision
        proc = run_in_process(
            "ppl", f"checkpoint={run_dir}", "split=valid", f"precision={precision}", f"out={out}"
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        record = json.loads((out / "results.json").read_text())
        assert record["precision"] == precision
        scored[precision] = record["total"]["ppl"]
    assert abs(scored["32-true"] / logged - 1) < 0.01
    assert scored["bf16-mixed"] != scored["32-true"]  # the LSTM did run in bf16
    assert abs(scored["bf16-mixed"] / scored["32-true"] - 1) < 0.01


@BF16
def test_bf16_pair_scoring_keeps_the_fp32_decisions(bf16_run, tmp_path):
    """lstm-nlp-eval precision=bf16-mixed: the same decisions on (nearly) every pair, with the
    precision in its results."""
    import random

    from eval_helpers import write_jsonl

    from lstm_nlp.tasks.checked_load import load_language_model

    _, tokenizer = load_language_model(bf16_run)
    words = sorted(w for w in tokenizer.get_vocab() if w.isalpha())
    rng = random.Random(0)
    records = []
    for _ in range(300):
        good = [rng.choice(words) for _ in range(rng.randint(4, 8))]
        bad = list(good)
        bad[rng.randrange(len(bad))] = rng.choice(words)
        records.append({"sentence_good": " ".join(good), "sentence_bad": " ".join(bad)})
    path = write_jsonl(tmp_path / "pairs.jsonl", records)
    decisions = {}
    for precision in ("32-true", "bf16-mixed"):
        out = tmp_path / precision
        proc = run_in_process(
            "eval",
            f"checkpoint={bf16_run}",
            f"path={path}",
            f"precision={precision}",
            f"out={out}",
            "plot=false",
            "contamination=false",
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert json.loads((out / "results.json").read_text())["precision"] == precision
        lines = (out / "items.jsonl").read_text().splitlines()
        decisions[precision] = [json.loads(line)["correct"] for line in lines]
    flips = sum(a != b for a, b in zip(*decisions.values(), strict=True))
    assert len(decisions["32-true"]) == 300 and flips <= 3  # <= 1%


@BF16
@pytest.mark.slow
def test_a_bf16_run_killed_mid_epoch_resumes_exactly(tmp_path, monkeypatch):
    """SIGKILL during the second epoch of a bf16-mixed run (all the randomness of the exact-resume
    test switched on), the same command again: the same weights and metrics as without the kill
    (bf16 products on a CPU are deterministic)."""
    import signal

    import test_exact_resume
    from test_exact_resume import assert_same_run, kill_when, run

    small = {"trainer.max_epochs": "2", "data.train_sentences": "800"}  # a shorter run
    common = [a for a in test_exact_resume.COMMON if a.split("=")[0] not in small]
    monkeypatch.setattr(test_exact_resume, "COMMON", [*common, *map("=".join, small.items())])
    bf16 = "trainer.precision=bf16-mixed"
    reference = tmp_path / "reference"
    run(reference, bf16)
    resumed = tmp_path / "resumed"
    saved = kill_when(resumed, [bf16], lambda ckpt: ckpt["epoch"] == 1, sig=signal.SIGKILL)
    assert saved["epoch"] == 1
    again = run(resumed, bf16)
    assert "resuming from" in again.stdout
    assert_same_run(reference, resumed)


@BF16
@pytest.mark.slow
def test_a_bf16_language_model_trains_with_ddp_on_two_cpu_processes(tmp_path):
    """trainer=ddp_cpu with bf16-mixed: the two processes train and evaluate to the end (gloo
    all-reduces fp32 gradients of the bf16 steps), the checkpoint's weights stay fp32, and the
    reduced validation perplexity is finite."""
    from cli_helpers import metrics, run_cli

    run_dir = tmp_path / "run"
    proc = run_cli(
        "train",
        "trainer=ddp_cpu",
        "trainer.precision=bf16-mixed",
        "encoder.hidden_size=16",
        "encoder.num_layers=1",
        "task.embedding_dim=16",
        "trainer.max_epochs=1",
        "data.train_sentences=300",
        "data.valid_sentences=60",
        "data.test_sentences=60",
        "logger=none",
        f"run_dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)
    assert all(
        v.dtype == torch.float32 for v in state["state_dict"].values() if v.is_floating_point()
    )
    assert state["global_step"] > 0 and 1 < metrics(run_dir)["val/ppl"] < float("inf")
