"""Floating-point work of an LSTM LM training step, and the machine's matrix-multiply speed at its
shapes."""

from __future__ import annotations

import time

import torch


def step_matmuls(
    batch: int, bptt: int, emb: int, hidden: int, layers: int, vocab: int
) -> list[tuple[int, int, int, int]]:
    """The forward matrix products ``(m, k, n, times)`` of one step: per layer the input gate
    product over all positions at once, the recurrent one once per time step (``4*hidden``
    gates), then the decoder ``hidden -> vocab``."""
    tokens, shapes = batch * bptt, []
    for layer in range(layers):
        inp = emb if layer == 0 else hidden
        shapes.append((tokens, inp, 4 * hidden, 1))
        shapes.append((batch, hidden, 4 * hidden, bptt))
    shapes.append((tokens, hidden, vocab, 1))
    return shapes


def training_flops(batch: int, bptt: int, emb: int, hidden: int, layers: int, vocab: int) -> float:
    """Forward + backward floating-point operations (backward = two products per forward
    product)."""
    return 3 * sum(
        2 * m * k * n * times
        for m, k, n, times in step_matmuls(batch, bptt, emb, hidden, layers, vocab)
    )


def _best(fn, repeats: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _onednn(a: torch.Tensor, w: torch.Tensor):
    op = getattr(torch.ops.mkldnn, "_linear_pointwise", None)
    if op is None:
        return None
    try:
        op(a, w, None, "none", [], "")
    except RuntimeError:
        return None
    return lambda: op(a, w, None, "none", [], "")


def matmul_gflops(m: int, k: int, n: int) -> dict[str, float]:
    """GFLOP/s of ``(m,k) @ (k,n)`` with a reused output buffer, through MKL (``torch.mm``) and
    oneDNN."""
    a, w = torch.randn(m, k), torch.randn(n, k)
    out = torch.empty(m, n)
    flops = 2 * m * k * n
    result = {"mkl": flops / _best(lambda: torch.mm(a, w.t(), out=out)) / 1e9}
    onednn = _onednn(a, w)
    if onednn is not None:
        result["onednn"] = flops / _best(onednn) / 1e9
    return result


def machine_gflops(
    batch: int, bptt: int, emb: int, hidden: int, layers: int, vocab: int
) -> dict[str, float]:
    """The step's matmul work divided by the time the fastest library takes for each product
    (forward shape; the two backward products of each are counted at the same speed)."""
    ideal = {"mkl": 0.0, "onednn": 0.0}
    for m, k, n, times in step_matmuls(batch, bptt, emb, hidden, layers, vocab):
        speeds = matmul_gflops(m, k, n)
        for lib in ideal:
            ideal[lib] += times * 2 * m * k * n / (speeds.get(lib, speeds["mkl"]) * 1e9)
    work = training_flops(batch, bptt, emb, hidden, layers, vocab) / 3
    result = {lib: work / t / 1e9 for lib, t in ideal.items()}
    result["best"] = max(result.values())
    square = matmul_gflops(2048, 2048, 2048)
    result["square_2048"] = max(square.values())
    return result


def lstm_training_flops(tokens: int, emb: int, hidden: int, layers: int) -> float:
    """Forward + backward matmul work of an LSTM over ``tokens`` positions: per layer and token
    ``2 * 4*hidden * (input + hidden)`` forward (input ``emb`` for the first layer, ``hidden``
    after), three times that with the backward's two products."""
    per_token = sum(
        2 * 4 * hidden * ((emb if layer == 0 else hidden) + hidden) for layer in range(layers)
    )
    return 3.0 * per_token * tokens


def cluster_token_counts(targets: torch.Tensor, cutoffs: list[int], vocab: int) -> list[int]:
    """How many ``targets`` fall in each tail cluster ``[cutoffs[i], cutoffs[i+1])`` of an
    adaptive softmax (the last cluster ending at ``vocab``)."""
    bounds = [*cutoffs, vocab]
    flat = targets.reshape(-1)
    return [int(((flat >= lo) & (flat < hi)).sum()) for lo, hi in zip(bounds, bounds[1:])]


def adaptive_head_matmuls(
    hidden: int,
    vocab: int,
    cutoffs: list[int],
    div_value: float,
    tokens: int,
    cluster_tokens: list[int],
) -> list[tuple[int, int, int, int]]:
    """The forward matrix products ``(m, k, n, times)`` of ``nn.AdaptiveLogSoftmaxWithLoss`` in
    training: the head ``hidden -> cutoffs[0] + clusters`` on every token, then for each tail
    cluster only on the tokens whose target lies in it: ``hidden -> hidden // div**(i+1)``
    and that projection ``-> cluster size``."""
    bounds = [*cutoffs, vocab]
    shapes = [(tokens, hidden, cutoffs[0] + len(cutoffs), 1)]
    for i, count in enumerate(cluster_tokens):
        proj = int(hidden // (div_value ** (i + 1)))
        shapes.append((count, hidden, proj, 1))
        shapes.append((count, proj, bounds[i + 1] - bounds[i], 1))
    return shapes


def adaptive_training_flops(
    hidden: int,
    vocab: int,
    cutoffs: list[int],
    div_value: float,
    tokens: int,
    cluster_tokens: list[int],
) -> float:
    """Forward + backward matmul work of the adaptive softmax head at these targets (see
    :func:`adaptive_head_matmuls`; backward = two products per forward product)."""
    shapes = adaptive_head_matmuls(hidden, vocab, cutoffs, div_value, tokens, cluster_tokens)
    return 3.0 * sum(2 * m * k * n * times for m, k, n, times in shapes)
