#!/usr/bin/env python
"""Training-step speed of lstm-nlp's own modules on a GPU (issue 15), with a CPU fallback.

One step is what the LM task does: ``nn.Embedding -> dropout -> lstm_nlp.modules.LSTMEncoder``
(one fused ``nn.LSTM``: cuDNN on a GPU, oneDNN on a CPU) ``-> dropout ->`` output layer and loss,
backward, gradient clipping (0.25) and an SGD update, the hidden state carried (detached) from
step to step, under ``torch.autocast(device, dtype=torch.bfloat16)`` (``--precision``).  Token ids
are synthetic (Zipf, so id order is frequency order, as the project's tokenizer makes it): no
corpus is needed.

Output layers (``--heads``):

* ``module``   the project's own head: ``LMHead.nll`` (on CUDA today
               ``F.cross_entropy(F.linear(h, W, b), t)``: the whole ``tokens x vocab`` logits, in
               bf16 and again in fp32, exist at once) or ``AdaptiveHead.nll`` for adaptive rows;
* ``chunked``  this script's :class:`ChunkedLinearCrossEntropy`: the same loss and gradients,
               ``--chunk-elements`` logits at a time (fp32 log-sum-exp), gradients computed in
               the forward pass, so memory stays flat as the vocabulary grows (full-softmax rows
               only);
* ``f32-input`` adaptive rows on CUDA: ``AdaptiveHead.nll(hidden.float(), t)``.  Under CUDA
               autocast ``log_softmax`` returns fp32 while ``nn.AdaptiveLogSoftmaxWithLoss``
               ``index_copy_``s it into a buffer of the input's dtype (bf16 after the cuDNN
               LSTM), which PyTorch refuses; an fp32 input makes that buffer fp32 (the head's
               matrix products still run in bf16).  ``AdaptiveHead.nll`` itself now runs the
               whole head in fp32 under autocast (products too): ``module`` against
               ``f32-input`` measures what bf16 products in the head would gain.

Rows (``--configs``): ``wt2-b20`` WikiText-2 (33,278 types) 2x650, batch 20 / bptt 35 as in
pytorch/examples' word_language_model; ``wt2-b64`` the same at batch 64 / bptt 70;
``wt103-adaptive`` a 267,735-type vocabulary (WikiText-103) with ``AdaptiveHead`` and
``default_cutoffs``; ``wt103-full`` that vocabulary with a full softmax.  Each is measured eager
and, with ``--compile``, through ``torch.compile`` (the embedding-to-loss function; the LSTM stays
a cuDNN call: dynamo leaves nn.LSTM to eager).  Eager variants run first, compiled ones after; a
variant that would start after ``--time-budget`` seconds is skipped and says so.

Per row: tokens/s (median of ``--rounds`` rounds of ``--steps`` steps after ``--warmup`` untimed
ones; CUDA events on a GPU), achieved TFLOP/s (matmul work of forward + backward:
``lm_bench.flops``), the share of the device's bf16 dense peak (a table by device name, or
``--peak-tflops``) and of a measured square-matmul ceiling, and peak memory
(``torch.cuda.max_memory_allocated``).  ``--json OUT`` writes every figure, rewritten after each
row, so a run cut short still leaves its finished rows.

    python scripts/bench_gpu.py --json bench_gpu.json                # on a GPU machine
    OMP_NUM_THREADS=1 .venv/bin/python scripts/bench_gpu.py --device cpu --quick
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

if str(Path(__file__).resolve().parent) not in sys.path:  # lm_bench, when imported by the tests
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from lm_bench.adaptive import WIKITEXT103_VOCAB, zipf_tokens  # noqa: E402
from lm_bench.flops import (  # noqa: E402
    adaptive_training_flops,
    cluster_token_counts,
    lstm_training_flops,
    training_flops,
)

from lstm_nlp.modules import AdaptiveHead, LMHead, LSTMEncoder, default_cutoffs  # noqa: E402

WIKITEXT2_VOCAB = 33_278
PROG = "bench_gpu"

#: bf16 dense (no sparsity) tensor-core peaks in TFLOP/s from the vendors' spec sheets, matched
#: in order against the lower-cased device name (the first pattern whose words all occur wins).
BF16_PEAKS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("gh200",), 989.0),
    (("h200", "nvl"), 835.0),
    (("h200",), 989.0),
    (("h100", "nvl"), 835.0),
    (("h100", "pcie"), 756.0),
    (("h100",), 989.0),  # SXM ("NVIDIA H100 80GB HBM3")
    (("h800",), 989.0),
    (("b200",), 2250.0),
    (("a100",), 312.0),
    (("a800",), 312.0),
    (("l40s",), 362.0),
    (("l40",), 181.0),
    (("l4",), 121.0),
    (("a10",), 125.0),
)


@dataclass(frozen=True)
class Config:
    """One benchmark row's model and batch."""

    name: str
    vocab: int
    emb: int
    hidden: int
    layers: int
    batch: int
    bptt: int
    head: str  # "softmax" or "adaptive"


@dataclass(frozen=True)
class Settings:
    """How every row is run."""

    device: str
    precision: str  # "bf16" or "fp32"
    dropout: float
    lr: float
    clip: float
    warmup: int
    steps: int
    rounds: int
    chunk_elements: int
    div_value: float
    seed: int


def default_configs(
    quick: bool, hidden: int, layers: int, large_batch: int, large_bptt: int
) -> list[Config]:
    """The four rows (tiny sizes with ``quick``)."""
    if quick:
        return [
            Config("wt2-b20", 300, 16, 16, 2, 4, 5, "softmax"),
            Config("wt2-b64", 300, 16, 16, 2, 6, 7, "softmax"),
            Config("wt103-adaptive", 3000, 16, 16, 2, 6, 7, "adaptive"),
            Config("wt103-full", 3000, 16, 16, 2, 6, 7, "softmax"),
        ]
    wt2, wt103 = WIKITEXT2_VOCAB, WIKITEXT103_VOCAB
    return [
        Config("wt2-b20", wt2, hidden, hidden, layers, 20, 35, "softmax"),
        Config("wt2-b64", wt2, hidden, hidden, layers, large_batch, large_bptt, "softmax"),
        Config(
            "wt103-adaptive", wt103, hidden, hidden, layers, large_batch, large_bptt, "adaptive"
        ),
        Config("wt103-full", wt103, hidden, hidden, layers, large_batch, large_bptt, "softmax"),
    ]


# -- device, precision, peaks ------------------------------------------------------------------


def pick_device(requested: str) -> torch.device:
    """``auto``: CUDA when available, else the CPU with one line saying so."""
    if requested == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"{PROG}: error: --device cuda, but torch sees no CUDA device")
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        print(f"{PROG}: no CUDA device: falling back to the CPU (--device auto)", flush=True)
        return torch.device("cpu")
    return torch.device(requested)


def pick_precision(requested: str, device: torch.device) -> str:
    """``bf16`` (autocast) where the device does bf16 matrix work, else ``fp32`` with one line."""
    if requested == "fp32":
        return "fp32"
    if device.type == "cuda":
        supported = torch.cuda.is_bf16_supported()
    else:
        supported = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    if supported:
        return "bf16"
    print(f"{PROG}: {device.type} has no bf16 matrix instructions: running fp32", flush=True)
    return "fp32"


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager:
    """The step's autocast context (a no-op in fp32)."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine()


def bf16_peak(name: str) -> float | None:
    """The bf16 dense peak (TFLOP/s) of a device named ``name``, None if not in the table."""
    words = name.lower().replace("-", " ").split()
    for pattern, peak in BF16_PEAKS:
        if all(p in words for p in pattern):
            return peak
    return None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], None], device: torch.device) -> float:
    """Seconds ``fn`` takes on ``device`` (CUDA events on a GPU, so the queued work counts)."""
    if device.type != "cuda":
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    torch.cuda.synchronize(device)
    begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    begin.record()
    fn()
    end.record()
    end.synchronize()
    return begin.elapsed_time(end) / 1000.0


def matmul_ceiling(device: torch.device, precision: str, size: int, repeats: int = 10) -> float:
    """TFLOP/s of a ``size``-cubed matrix product at the step's precision: what the device
    reaches on an ideal shape (mean of ``repeats`` after two warm-ups)."""
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, dtype=dtype, generator=gen)
    b = torch.randn(size, size, device=device, dtype=dtype, generator=gen)
    for _ in range(2):
        torch.mm(a, b)
    _sync(device)

    def run() -> None:
        for _ in range(repeats):
            torch.mm(a, b)

    return repeats * 2 * size**3 / timed(run, device) / 1e12


# -- the chunked output layer ------------------------------------------------------------------


class ChunkedLinearCrossEntropy(torch.autograd.Function):
    """Training-only mean cross-entropy of ``hidden @ weight.T + bias`` with at most
    ``chunk_rows`` rows of logits alive at a time.

    Per chunk: the logits at ``dtype`` (the matmul accumulates in fp32), log-sum-exp and softmax in
    fp32, the loss, then ``dlogits = softmax - onehot`` and at once its two products
    ``grad_hidden = dlogits @ W`` and ``grad_W += dlogits.T @ hidden`` (accumulated in fp32), as
    Liger-Kernel's fused linear cross-entropy does; backward only scales them by its incoming
    gradient.  Same matmul work as the unchunked loss (three ``tokens x hidden x vocab``
    products), no ``tokens x vocab`` tensor.
    """

    @staticmethod
    def forward(
        ctx: Any,
        hidden: Tensor,
        weight: Tensor,
        bias: Tensor | None,
        targets: Tensor,
        chunk_rows: int,
        dtype: torch.dtype,
    ) -> Tensor:
        n = hidden.size(0)
        with torch.autocast(hidden.device.type, enabled=False):
            h, w = hidden.to(dtype), weight.to(dtype)
            b = None if bias is None else bias.to(dtype)
            grad_w = torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
            grad_b = None if bias is None else torch.zeros_like(bias, dtype=torch.float32)
            loss = torch.zeros((), dtype=torch.float32, device=hidden.device)
            grad_h = []
            for start in range(0, n, chunk_rows):
                hc, tc = h[start : start + chunk_rows], targets[start : start + chunk_rows, None]
                logits = (torch.mm(hc, w.t()) if b is None else torch.addmm(b, hc, w.t())).float()
                lse = torch.logsumexp(logits, 1, keepdim=True)
                loss = loss + (lse - logits.gather(1, tc)).sum()
                dlogits = (logits - lse).exp().scatter_add(1, tc, torch.full_like(lse, -1.0))
                if grad_b is not None:
                    grad_b = grad_b + dlogits.sum(0)
                low = dlogits.to(dtype)
                grad_h.append(torch.mm(low, w))
                grad_w = grad_w + torch.mm(low.t(), hc).float()
        ctx.save_for_backward(torch.cat(grad_h), grad_w, grad_b)
        ctx.n, ctx.types = n, (hidden.dtype, weight.dtype)
        return loss / n

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, ...]:
        grad_h, grad_w, grad_b = ctx.saved_tensors
        scale = grad_output.float() / ctx.n
        h_type, w_type = ctx.types
        out_b = None if grad_b is None else (grad_b * scale).to(w_type)
        return (grad_h * scale).to(h_type), (grad_w * scale).to(w_type), out_b, None, None, None


def chunked_nll(
    hidden: Tensor, head: LMHead, targets: Tensor, chunk_elements: int, precision: str
) -> Tensor:
    """:class:`ChunkedLinearCrossEntropy` through ``head``'s decoder, ``chunk_elements`` logits
    per chunk."""
    if head.projection is not None:
        hidden = head.projection(hidden)
    weight, bias = head.decoder.weight, head.decoder.bias
    rows = max(1, chunk_elements // weight.size(0))
    dtype = torch.bfloat16 if precision == "bf16" else weight.dtype
    flat = hidden.reshape(-1, hidden.size(-1))
    return ChunkedLinearCrossEntropy.apply(flat, weight, bias, targets.reshape(-1), rows, dtype)


# -- the model and its step --------------------------------------------------------------------


class BenchLM(nn.Module):
    """The LM task's model, from lstm-nlp's modules: embedding, dropout, ``LSTMEncoder``,
    dropout, ``LMHead`` or ``AdaptiveHead``."""

    def __init__(self, config: Config, dropout: float, div_value: float) -> None:
        super().__init__()
        self.embedding = nn.Embedding(config.vocab, config.emb)
        self.drop = nn.Dropout(dropout)
        self.encoder = LSTMEncoder(config.emb, config.hidden, config.layers, dropout=dropout)
        if config.head == "adaptive":
            cutoffs = default_cutoffs(config.vocab)
            self.head: nn.Module = AdaptiveHead(config.hidden, config.vocab, cutoffs, div_value)
        else:
            self.head = LMHead(config.hidden, config.vocab)

    def encode(
        self, tokens: Tensor, state: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """Dropped-out encoder outputs ``(bptt, batch, hidden)`` and the final state."""
        output, state = self.encoder(self.drop(self.embedding(tokens)), state)
        return self.drop(output), state


def loss_function(
    model: BenchLM, head_impl: str, settings: Settings
) -> Callable[[Tensor, Tensor, tuple[Tensor, Tensor] | None], tuple[Tensor, Any]]:
    """``(tokens, targets, state) -> (loss, state)`` through the chosen output layer."""

    def module_loss(
        tokens: Tensor, targets: Tensor, state: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, Any]:
        output, state = model.encode(tokens, state)
        return model.head.nll(output, targets), state

    def f32_input_loss(
        tokens: Tensor, targets: Tensor, state: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, Any]:
        output, state = model.encode(tokens, state)
        return model.head.nll(output.float(), targets), state

    def chunked_loss(
        tokens: Tensor, targets: Tensor, state: tuple[Tensor, Tensor] | None
    ) -> tuple[Tensor, Any]:
        output, state = model.encode(tokens, state)
        loss = chunked_nll(output, model.head, targets, settings.chunk_elements, settings.precision)
        return loss, state

    return {"chunked": chunked_loss, "f32-input": f32_input_loss}.get(head_impl, module_loss)


def make_batches(config: Config, count: int, seed: int) -> tuple[Tensor, Tensor]:
    """``count`` blocks of Zipf token ids: inputs and next-token targets, ``(count, bptt,
    batch)`` each."""
    data = zipf_tokens(config.vocab, (count, config.bptt + 1, config.batch), seed=seed)
    return data[:, :-1].contiguous(), data[:, 1:].contiguous()


def step_flops(config: Config, targets: Tensor, div_value: float) -> list[float]:
    """Matmul FLOPs of forward + backward of each block (the adaptive head's depend on which
    cluster each target falls in)."""
    c = config
    if c.head == "softmax":
        work = training_flops(c.batch, c.bptt, c.emb, c.hidden, c.layers, c.vocab)
        return [float(work)] * targets.size(0)
    tokens = c.batch * c.bptt
    lstm = lstm_training_flops(tokens, c.emb, c.hidden, c.layers)
    cutoffs = default_cutoffs(c.vocab)
    return [
        lstm
        + adaptive_training_flops(
            c.hidden, c.vocab, cutoffs, div_value, tokens, cluster_token_counts(t, cutoffs, c.vocab)
        )
        for t in targets
    ]


@dataclass(frozen=True)
class Variant:
    """One measured row: a config through one output layer, compiled or not."""

    config: Config
    head_impl: str  # one of HEADS
    compiled: bool


HEADS = ("module", "chunked", "f32-input")


def applies(head_impl: str, config: Config, device: torch.device) -> bool:
    """``chunked`` is for full-softmax rows, ``f32-input`` for adaptive rows on CUDA (on a CPU,
    autocast keeps ``log_softmax`` in bf16 and ``module`` works)."""
    if head_impl == "chunked":
        return config.head == "softmax"
    if head_impl == "f32-input":
        return config.head == "adaptive" and device.type == "cuda"
    return True


def plan(
    configs: list[Config], heads: list[str], compile_modes: list[bool], device: torch.device
) -> list[Variant]:
    """Every eager variant first, then the compiled ones."""
    return [
        Variant(config, head, compiled)
        for compiled in compile_modes
        for config in configs
        for head in heads
        if applies(head, config, device)
    ]


def compiled_graphs() -> int:
    """Graphs torch.compile has made since the last ``torch._dynamo.reset()`` (its own counter;
    -1 where this torch lacks it)."""
    try:
        return int(torch._dynamo.utils.counters["stats"]["unique_graphs"])
    except (AttributeError, KeyError, TypeError):
        return -1


def _memory_mib(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) / 2**20


class Stepper:
    """One training step per call, the LSTM state carried (detached) from call to call.

    The SGD update is a ``torch._foreach_add_``, as ``torch.optim.SGD`` does without momentum
    (constructing that optimiser imports torch._dynamo: seconds the CPU tests need not spend)."""

    def __init__(
        self,
        model: BenchLM,
        loss_fn: Callable[..., tuple[Tensor, Any]],
        settings: Settings,
        cast: contextlib.AbstractContextManager,
        state: tuple[Tensor, Tensor],
    ) -> None:
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.lr, self.clip = settings.lr, settings.clip
        self.loss_fn, self.cast, self.state = loss_fn, cast, state
        self.loss: Tensor | None = None

    def __call__(self, tokens: Tensor, targets: Tensor) -> None:
        for p in self.params:
            p.grad = None
        with self.cast:
            loss, state = self.loss_fn(tokens, targets, self.state)
        self.state = tuple(t.detach() for t in state)
        loss.backward()
        nn.utils.clip_grad_norm_(self.params, self.clip)
        with torch.no_grad():  # plain SGD, what torch.optim.SGD(foreach=True) does
            grads = [p.grad for p in self.params if p.grad is not None]
            torch._foreach_add_(
                [p for p in self.params if p.grad is not None], grads, alpha=-self.lr
            )
        self.loss = loss.detach()


def prepare(
    variant: Variant, settings: Settings, device: torch.device, probe: Tensor
) -> tuple[Stepper, str]:
    """The variant's model (built on ``device``), its step, and the dtype the LSTM's output
    has under the step's autocast (read on ``probe``, a ``(bptt, batch)`` block)."""
    config = variant.config
    torch.manual_seed(settings.seed)
    with device:  # initialised where it runs: a 267k-row embedding is slow to fill on a CPU
        model = BenchLM(config, settings.dropout, settings.div_value).train()
    loss_fn = loss_function(model, variant.head_impl, settings)
    if variant.compiled:
        torch._dynamo.reset()
        loss_fn = torch.compile(loss_fn)
    cast = autocast(device, settings.precision)
    with torch.no_grad(), cast:
        output, (h, _) = model.encode(probe, None)
    # zeros of the dtype later states have, so the compiled graph sees one kind of state
    shape = (config.layers, config.batch, config.hidden)
    state = (h.new_zeros(shape), h.new_zeros(shape))  # two tensors: aliasing is a guard too
    return Stepper(model, loss_fn, settings, cast, state), str(output.dtype).replace("torch.", "")


def measure(variant: Variant, settings: Settings, device: torch.device) -> dict[str, Any]:
    """Build the model on ``device``, warm up, time ``rounds`` rounds; the row's figures."""
    config = variant.config
    if device.type == "cuda":  # the last row's model gone, for this row's peak memory
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    blocks = settings.warmup + settings.steps
    inputs, targets = make_batches(config, blocks, settings.seed)
    flops = step_flops(config, targets, settings.div_value)
    inputs, targets = inputs.to(device), targets.to(device)
    step, lstm_dtype = prepare(variant, settings, device, inputs[0])
    params_mib = _memory_mib(device)
    warmup_s = timed(lambda: [step(inputs[i], targets[i]) for i in range(settings.warmup)], device)
    graphs_warm = compiled_graphs() if variant.compiled else 0
    timed_blocks = range(settings.warmup, blocks)
    seconds = [
        timed(lambda: [step(inputs[i], targets[i]) for i in timed_blocks], device)
        for _ in range(settings.rounds)
    ]
    graphs = compiled_graphs() if variant.compiled else 0
    work = sum(flops[i] for i in timed_blocks)
    tokens = settings.steps * config.batch * config.bptt
    median = statistics.median(seconds)
    return {
        "tokens_per_s": tokens / median,
        "ms_per_step": 1000 * median / settings.steps,
        "tflops": work / median / 1e12,
        "flops_per_step": work / settings.steps,
        "tokens_per_s_rounds": [tokens / s for s in seconds],
        "warmup_s": warmup_s,
        "peak_mem_mib": _memory_mib(device),
        "params_mib": params_mib,
        "lstm_output_dtype": lstm_dtype,
        "compiled_graphs": graphs if variant.compiled else None,
        "compiled_while_timed": graphs - graphs_warm if variant.compiled else None,
        "final_loss": None if step.loss is None else float(step.loss),
    }


# -- the run -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _row_errors(row: dict[str, Any], device: torch.device) -> Iterator[None]:
    """A failing row records its error and the run goes on."""
    try:
        yield
    except Exception as error:  # a row's failure (OOM, a compile error) is a finding
        message = str(error).strip().splitlines()
        row["status"] = f"error: {type(error).__name__}: {message[0] if message else ''}"[:300]
        if device.type == "cuda":
            torch.cuda.empty_cache()


def run_rows(
    variants: list[Variant],
    settings: Settings,
    device: torch.device,
    budget_s: float,
    on_row: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Measure each variant in turn; those that would start after ``budget_s`` seconds are
    skipped.  ``on_row`` sees each finished row."""
    rows, start = [], time.perf_counter()
    for variant in variants:
        row: dict[str, Any] = {
            **asdict(variant.config),
            "head_impl": variant.head_impl,
            "compile": variant.compiled,
            "status": "ok",
        }
        if time.perf_counter() - start > budget_s:
            row["status"] = f"skipped: --time-budget {budget_s:g} s spent"
        else:
            with _row_errors(row, device):
                row.update(measure(variant, settings, device))
        rows.append(row)
        on_row(row)
    return rows


def add_shares(row: dict[str, Any], peak: float | None, ceiling: float | None) -> None:
    """The row's TFLOP/s as a share of the spec peak and of the measured matmul ceiling."""
    tflops = row.get("tflops")
    row["share_of_peak"] = tflops / peak if tflops is not None and peak else None
    row["share_of_ceiling"] = tflops / ceiling if tflops is not None and ceiling else None


HEADER = (
    f"{'config':<16}{'head':<10}{'compile':<8}{'tokens/s':>12}{'ms/step':>9}"
    f"{'TFLOP/s':>10}{'%peak':>7}{'%ceil':>7}{'peak MiB':>10}  lstm"
)


def format_row(row: dict[str, Any]) -> str:
    """One table line (or the row's status if it did not run)."""
    head = f"{row['name']:<16}{row['head_impl']:<10}{'yes' if row['compile'] else 'no':<8}"
    if row["status"] != "ok":
        return f"{head}{row['status']}"

    def pct(x: float | None) -> str:
        return f"{100 * x:6.1f}%" if x is not None else f"{'-':>7}"

    mem = f"{row['peak_mem_mib']:10.0f}" if row["peak_mem_mib"] is not None else f"{'n/a':>10}"
    return (
        f"{head}{row['tokens_per_s']:12.0f}{row['ms_per_step']:9.2f}{row['tflops']:10.3f}"
        f"{pct(row['share_of_peak'])}{pct(row['share_of_ceiling'])}{mem}  "
        f"{row['lstm_output_dtype']}"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--device", default="auto", choices=["auto", "cuda", "cpu"])
    add("--precision", default="auto", choices=["auto", "bf16", "fp32"], help="auto: bf16 if able")
    add("--compile", default="auto", choices=["auto", "off", "on", "both"],
        help="torch.compile the loss function; auto: both on CUDA, off on a CPU")  # fmt: skip
    add("--heads", default=",".join(HEADS), help="comma list of " + ", ".join(HEADS))
    add("--configs", default="wt2-b20,wt2-b64,wt103-adaptive,wt103-full", help="comma list")
    add("--hidden", type=int, default=650, help="embedding and LSTM width")
    add("--layers", type=int, default=2)
    add("--large-batch", type=int, default=64, help="batch of the larger rows")
    add("--large-bptt", type=int, default=70, help="bptt of the larger rows")
    add("--dropout", type=float, default=0.2)
    add("--lr", type=float, default=1.0)
    add("--clip", type=float, default=0.25)
    add("--warmup", type=int, default=3, help="untimed steps per row (compilation happens here)")
    add("--steps", type=int, default=10, help="timed steps per round")
    add("--rounds", type=int, default=5)
    add("--chunk-elements", type=int, default=2**26, help="logits per chunk of the chunked head")
    add("--div-value", type=float, default=4.0, help="the adaptive head's div_value")
    add("--time-budget", type=float, default=240.0, help="seconds; later rows are skipped")
    add("--peak-tflops", type=float, help="the device's bf16 dense peak (overrides the table)")
    add("--ceiling-size", type=int, help="matmul ceiling size (default 8192 GPU, 1024 CPU)")
    add("--quick", action="store_true", help="tiny sizes and few steps (the tests)")
    add("--seed", type=int, default=0)
    add("--json", type=Path, help="write every figure here (rewritten after each row)")
    args = parser.parse_args(argv)
    if args.quick:
        args.warmup, args.steps, args.rounds = 1, 2, 2
        args.chunk_elements = min(args.chunk_elements, 12_000)  # still several chunks
    return args


def settings_from(args: argparse.Namespace, device: torch.device, precision: str) -> Settings:
    """The per-row settings of a parsed command line."""
    return Settings(
        device=str(device),
        precision=precision,
        dropout=args.dropout,
        lr=args.lr,
        clip=args.clip,
        warmup=args.warmup,
        steps=args.steps,
        rounds=args.rounds,
        chunk_elements=args.chunk_elements,
        div_value=args.div_value,
        seed=args.seed,
    )


def selected(args: argparse.Namespace) -> list[Config]:
    """The configs named by ``--configs``, in the default order."""
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    configs = default_configs(
        args.quick, args.hidden, args.layers, args.large_batch, args.large_bptt
    )
    known = {c.name for c in configs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"{PROG}: error: unknown --configs {unknown}; known: {sorted(known)}")
    return [c for c in configs if c.name in names]


def compile_modes(choice: str, device: torch.device) -> list[bool]:
    """Which of eager / compiled to measure."""
    if choice == "auto":
        choice = "both" if device.type == "cuda" else "off"
    return {"off": [False], "on": [True], "both": [False, True]}[choice]


def describe(args: argparse.Namespace, device: torch.device, settings: Settings) -> dict[str, Any]:
    """The report's head: device, versions, the peak it is compared with (bf16 table, or
    ``--peak-tflops``), the measured matmul ceiling, the settings; ``rows`` still empty."""
    name = device_name(device)
    peak = args.peak_tflops if args.peak_tflops is not None else bf16_peak(name)
    if settings.precision != "bf16" and args.peak_tflops is None:
        peak = None  # the table holds bf16 peaks
    size = args.ceiling_size or (256 if args.quick else 8192 if device.type == "cuda" else 1024)
    return {
        "device": str(device),
        "device_name": name,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
        "precision": settings.precision,
        "peak_tflops": peak,
        "peak_source": "--peak-tflops" if args.peak_tflops is not None else "table",
        "matmul_ceiling_tflops": matmul_ceiling(device, settings.precision, size),
        "matmul_ceiling_size": size,
        "threads": torch.get_num_threads(),
        "settings": asdict(settings),
        "rows": [],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print one line per row and return (and optionally write) the
    report."""
    args = parse_args(argv)
    heads = [h.strip() for h in args.heads.split(",") if h.strip()]
    if not heads or set(heads) - set(HEADS):
        raise SystemExit(f"{PROG}: error: --heads takes some of {HEADS}, got {args.heads!r}")
    device = pick_device(args.device)
    precision = pick_precision(args.precision, device)
    settings = settings_from(args, device, precision)
    report = describe(args, device, settings)
    report["argv"] = sys.argv[1:] if argv is None else list(argv)
    peak, ceiling = report["peak_tflops"], report["matmul_ceiling_tflops"]
    peak_text = f"{peak:g} TFLOP/s bf16 dense" if peak else "peak unknown"
    print(
        f"{PROG}: {device} ({report['device_name']}), torch {torch.__version__}, precision "
        f"{precision}, {peak_text}; matmul ceiling {ceiling:.3f} TFLOP/s "
        f"({report['matmul_ceiling_size']}^3 {precision})",
        flush=True,
    )
    print(HEADER, flush=True)

    def on_row(row: dict[str, Any]) -> None:
        add_shares(row, peak, ceiling)
        report["rows"].append(row)
        print(format_row(row), flush=True)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))

    variants = plan(selected(args), heads, compile_modes(args.compile, device), device)
    run_rows(variants, settings, device, args.time_budget, on_row)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
